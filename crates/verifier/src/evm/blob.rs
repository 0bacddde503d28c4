//! The byte encoding of a [`VerifierPlan`] that the Solidity verifier reads from its verifying-key
//! contract with `EXTCODECOPY` (the contract's code is `0x00` — STOP, so calling it does
//! nothing — followed by this blob).
//!
//! All words are 32 bytes big-endian. A header of [`HEADER_WORDS`] words: 0 `k`, 1 `n`, 2 `ω`,
//! 3 the transcript's initial word, 4 the exact number of instances, 5 blinding factors, 6 proof points,
//! 7 proof evaluations, 8 challenges, 9-16 the indices of θ, β, γ, y, x and SHPLONK's y, v, u
//! among the challenges, 17 first quotient piece, 18 quotient pieces, 19 instance rotations,
//! 20 verifying-key points, 21 rotation sets, 22 program bytes, 23-24 `g1`, 25-28 `-g2`,
//! 29-32 `s·g2`, 33 `1/n`, 34-38 the byte offsets of the squeezes, instance rotations,
//! verifying-key points, rotation sets and program, 39 `ω⁻¹`, 40-44 the value table's word
//! indices of the vars, the quotient evaluation, the instance evaluations, the proof's
//! evaluations and the constants ([`expr::Layout`]), 45 the value table's size in words, 46 the
//! byte offset of the constants, 47 the pinned instance's index plus one (0: none pinned), 48 its
//! value (the model id; 0 when none is pinned). Then the sections:
//!
//! * squeezes: one word per challenge, the proof bytes absorbed before it;
//! * instance rotations: `ω^-rot` per instance query;
//! * verifying-key points: `x, y` per point (fixed commitments, then permutation commitments);
//! * rotation sets: `nrot, ndiff, ncommit`, `ω^r` per rotation, `ω^r` per rotation of other sets,
//!   the barycentric weight `1/Π_{m≠j}(ω^{r_j} - ω^{r_m})` per rotation (SHPLONK's Lagrange
//!   basis at `u` is then `weight_j · Π_{m≠j}(u/x - ω^{r_m})`), then per commitment a reference
//!   word (`kind << 32 | index`; kinds 0 proof, 1 vk, 2 quotient) and per rotation the byte
//!   offset of its evaluation in the verifier's value table ([`expr::Layout`]);
//! * the program's constants (words, copied into the value table at [`expr::Layout::constants`]);
//! * the constraint program ([`crate::evm::expr::encode`]).
//!
//! The verifier's constructor binds it to one blob by its Keccak-256 hash ([`key_hash`]).

use halo2_axiom::halo2curves::bn256::{Fr, G1Affine, G2Affine};
use halo2_axiom::halo2curves::ff::{Field, PrimeField};

use super::calldata::fr_to_word;
use super::expr;
use super::plan::{Commit, EvalRef, PlanError, VerifierPlan};
use super::reference::SrsPoints;

/// Header size in words.
pub const HEADER_WORDS: usize = 49;

fn word_u(v: u64) -> [u8; 32] {
    let mut w = [0u8; 32];
    w[24..].copy_from_slice(&v.to_be_bytes());
    w
}

fn fq_word<F: PrimeField>(v: &F) -> [u8; 32] {
    let mut w = [0u8; 32];
    w.copy_from_slice(v.to_repr().as_ref());
    w.reverse();
    w
}

fn g1_words(p: &G1Affine) -> [[u8; 32]; 2] {
    [fq_word(&p.x), fq_word(&p.y)]
}

/// EIP-197 order: `x.c1, x.c0, y.c1, y.c0`.
fn g2_words(p: &G2Affine) -> [[u8; 32]; 4] {
    [fq_word(&p.x.c1), fq_word(&p.x.c0), fq_word(&p.y.c1), fq_word(&p.y.c0)]
}

fn commit_word(c: &Commit) -> [u8; 32] {
    match c {
        Commit::Proof(i) => word_u(*i as u64),
        Commit::Vk(i) => word_u((1 << 32) | *i as u64),
        Commit::Quotient => word_u(2 << 32),
    }
}

fn eval_word(e: &EvalRef, layout: &expr::Layout) -> [u8; 32] {
    let word = match e {
        EvalRef::Proof(i) => layout.evals + i,
        EvalRef::Quotient => layout.quotient,
    };
    word_u(32 * word as u64)
}

/// The value-table layout of a plan (the challenges, then the regions of [`expr::Layout`]).
pub fn layout(plan: &VerifierPlan) -> expr::Layout {
    expr::Layout::new(plan.squeeze_at.len(), plan.instance_rotations.len(), plan.num_evals)
}

/// Encodes the plan and the SRS points.
pub fn encode(plan: &VerifierPlan, srs: &SrsPoints) -> Result<Vec<u8>, PlanError> {
    let n = 1u64 << plan.k;
    let layout = layout(plan);
    let encoded = expr::encode(&plan.program, &layout)?;
    let program = encoded.code;
    let mut constants = Vec::new();
    for c in &encoded.constants {
        constants.extend_from_slice(&fr_to_word(c));
    }
    let mut squeezes = Vec::new();
    for at in &plan.squeeze_at {
        squeezes.extend_from_slice(&word_u(*at as u64));
    }
    let mut rots = Vec::new();
    for r in &plan.instance_rotations {
        rots.extend_from_slice(&fr_to_word(&plan.omega_pow(-i64::from(*r))));
    }
    let mut vk_points = Vec::new();
    for p in &plan.vk_points {
        for w in g1_words(p) {
            vk_points.extend_from_slice(&w);
        }
    }
    let mut all: Vec<i32> = plan.sets.iter().flat_map(|s| s.rotations.iter().copied()).collect();
    all.sort_unstable();
    all.dedup();
    let mut sets = Vec::new();
    for set in &plan.sets {
        let diffs: Vec<i32> = all.iter().copied().filter(|r| !set.rotations.contains(r)).collect();
        for v in [set.rotations.len(), diffs.len(), set.commitments.len()] {
            sets.extend_from_slice(&word_u(v as u64));
        }
        for r in set.rotations.iter().chain(&diffs) {
            sets.extend_from_slice(&fr_to_word(&plan.omega_pow(i64::from(*r))));
        }
        for w in barycentric_weights(plan, &set.rotations) {
            sets.extend_from_slice(&fr_to_word(&w));
        }
        for (c, evals) in &set.commitments {
            sets.extend_from_slice(&commit_word(c));
            for e in evals {
                sets.extend_from_slice(&eval_word(e, &layout));
            }
        }
    }
    let ids = &plan.ids;
    let off_squeeze = HEADER_WORDS * 32;
    let off_rots = off_squeeze + squeezes.len();
    let off_vk = off_rots + rots.len();
    let off_sets = off_vk + vk_points.len();
    let off_consts = off_sets + sets.len();
    let off_prog = off_consts + constants.len();
    let neg_g2 = -srs.g2;
    let n_inv = Option::<Fr>::from(Fr::from(n).invert()).unwrap_or(Fr::ZERO);
    let mut header: Vec<[u8; 32]> = vec![
        word_u(u64::from(plan.k)),
        word_u(n),
        fr_to_word(&plan.omega),
        fr_to_word(&plan.transcript_repr),
        word_u(plan.num_instances as u64),
        word_u(plan.blinding_factors as u64),
        word_u(plan.num_points as u64),
        word_u(plan.num_evals as u64),
        word_u(plan.squeeze_at.len() as u64),
    ];
    for id in [ids.theta, ids.beta, ids.gamma, ids.y, ids.x, ids.shplonk_y, ids.v, ids.u] {
        header.push(word_u(id as u64));
    }
    for v in [
        plan.quotient_start,
        plan.quotient_pieces,
        plan.instance_rotations.len(),
        plan.vk_points.len(),
        plan.sets.len(),
        program.len(),
    ] {
        header.push(word_u(v as u64));
    }
    header.extend(g1_words(&srs.g1));
    header.extend(g2_words(&neg_g2));
    header.extend(g2_words(&srs.s_g2));
    header.push(fr_to_word(&n_inv));
    for off in [off_squeeze, off_rots, off_vk, off_sets, off_prog] {
        header.push(word_u(off as u64));
    }
    header.push(fr_to_word(&plan.omega.invert().unwrap_or(Fr::ZERO)));
    let table_size = layout.constants + encoded.constants.len();
    for v in [layout.vars, layout.quotient, layout.instances, layout.evals, layout.constants, table_size, off_consts] {
        header.push(word_u(v as u64));
    }
    match plan.pinned {
        Some(pin) => header.extend([word_u(pin.index as u64 + 1), fr_to_word(&pin.value)]),
        None => header.extend([[0u8; 32]; 2]),
    }
    debug_assert_eq!(header.len(), HEADER_WORDS);
    let mut out: Vec<u8> = header.concat();
    out.extend(squeezes);
    out.extend(rots);
    out.extend(vk_points);
    out.extend(sets);
    out.extend(constants);
    out.extend(program);
    Ok(out)
}

/// Keccak-256 of a blob: the key hash `ZkinferVerifier` is deployed with and checks the key
/// contracts' data against.
pub fn key_hash(blob: &[u8]) -> [u8; 32] {
    use sha3::{Digest, Keccak256};
    Keccak256::digest(blob).into()
}

/// `1/Π_{m≠j}(ω^{r_j} - ω^{r_m})` for each rotation `r_j` of a set (distinct rotations, so
/// nonzero).
pub fn barycentric_weights(plan: &VerifierPlan, rotations: &[i32]) -> Vec<Fr> {
    let w: Vec<Fr> = rotations.iter().map(|r| plan.omega_pow(i64::from(*r))).collect();
    w.iter()
        .enumerate()
        .map(|(j, wj)| {
            let den = w.iter().enumerate().filter(|(m, _)| *m != j).fold(Fr::ONE, |acc, (_, wm)| acc * (*wj - wm));
            den.invert().unwrap_or(Fr::ZERO)
        })
        .collect()
}
