//! The byte encoding of a [`Plan`] that the Solidity verifier reads from its verifying-key
//! contract with `EXTCODECOPY` (the contract's code is `0x00` — STOP, so calling it does
//! nothing — followed by this blob).
//!
//! All words are 32 bytes big-endian. A header of [`HEADER_WORDS`] words (indices below), then
//! sections at the byte offsets the header gives:
//!
//! * squeezes: one word per challenge, the proof bytes absorbed before it;
//! * instance rotations: `ω^-rot` per instance query;
//! * verifying-key points: `x, y` per point (fixed commitments, then permutation commitments);
//! * rotation sets: `nrot, ndiff, ncommit`, `ω^r` per rotation, `ω^r` per rotation of other sets,
//!   then per commitment a reference word and one evaluation-reference word per rotation
//!   (`kind << 32 | index`; commitment kinds 0 proof, 1 vk, 2 quotient; eval kinds 0 proof,
//!   1 quotient);
//! * the constraint program ([`crate::evm::expr::encode`]).

use halo2_axiom::halo2curves::bn256::{Fr, G1Affine, G2Affine};
use halo2_axiom::halo2curves::ff::{Field, PrimeField};

use super::calldata::fr_to_word;
use super::expr;
use super::plan::{Commit, EvalRef, Plan};
use super::reference::SrsPoints;

/// Header size in words.
pub const HEADER_WORDS: usize = 40;

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

fn pow_signed(omega: Fr, n: u64, e: i64) -> Fr {
    omega.pow_vartime([e.rem_euclid(n as i64) as u64])
}

fn commit_word(c: &Commit) -> [u8; 32] {
    match c {
        Commit::Proof(i) => word_u(*i as u64),
        Commit::Vk(i) => word_u((1 << 32) | *i as u64),
        Commit::Quotient => word_u(2 << 32),
    }
}

fn eval_word(e: &EvalRef) -> [u8; 32] {
    match e {
        EvalRef::Proof(i) => word_u(*i as u64),
        EvalRef::Quotient => word_u(1 << 32),
    }
}

/// Encodes the plan and the SRS points.
pub fn encode(plan: &Plan, srs: &SrsPoints) -> Vec<u8> {
    let n = 1u64 << plan.k;
    let program = expr::encode(&plan.program);
    let mut squeezes = Vec::new();
    for at in &plan.squeeze_at {
        squeezes.extend_from_slice(&word_u(*at as u64));
    }
    let mut rots = Vec::new();
    for r in &plan.instance_rotations {
        rots.extend_from_slice(&fr_to_word(&pow_signed(plan.omega, n, -i64::from(*r))));
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
            sets.extend_from_slice(&fr_to_word(&pow_signed(plan.omega, n, i64::from(*r))));
        }
        for (c, evals) in &set.commitments {
            sets.extend_from_slice(&commit_word(c));
            for e in evals {
                sets.extend_from_slice(&eval_word(e));
            }
        }
    }
    let ids = &plan.ids;
    let off_squeeze = HEADER_WORDS * 32;
    let off_rots = off_squeeze + squeezes.len();
    let off_vk = off_rots + rots.len();
    let off_sets = off_vk + vk_points.len();
    let off_prog = off_sets + sets.len();
    let neg_g2 = -srs.g2;
    let n_inv = Option::<Fr>::from(Fr::from(n).invert()).unwrap_or(Fr::ZERO);
    let mut header: Vec<[u8; 32]> = vec![
        word_u(u64::from(plan.k)),
        word_u(n),
        fr_to_word(&plan.omega),
        fr_to_word(&plan.transcript_repr),
        word_u(plan.max_instances as u64),
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
    debug_assert_eq!(header.len(), HEADER_WORDS);
    let mut out: Vec<u8> = header.concat();
    out.extend(squeezes);
    out.extend(rots);
    out.extend(vk_points);
    out.extend(sets);
    out.extend(program);
    out
}
