//! The native Poseidon hash against circomlib's known answers and two independent
//! implementations: `light-poseidon` (1..=12 inputs) and circomlibjs (13..=16 inputs).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use halo2_axiom::halo2curves::ff::{Field, PrimeField};
use light_poseidon::{Poseidon, PoseidonBytesHasher};
use zkinfer_circuits::poseidon::{self, Params, PoseidonError, MAX_INPUTS};
use zkinfer_circuits::Fr;

/// A field element from a decimal string (below p).
fn dec(s: &str) -> Fr {
    s.bytes().fold(Fr::ZERO, |acc, d| {
        assert!(d.is_ascii_digit(), "not a decimal digit in {s}");
        acc * Fr::from(10) + Fr::from(u64::from(d - b'0'))
    })
}

/// `[1, 2, …, n]`.
fn counting(n: usize) -> Vec<Fr> {
    (1..=n as u64).map(Fr::from).collect()
}

/// `[p - 1, p - 2, …, p - n]`: the largest field elements.
fn negated(n: usize) -> Vec<Fr> {
    (1..=n as u64).map(|i| -Fr::from(i)).collect()
}

/// Full-width elements: powers of a 64-bit constant.
fn spread(n: usize) -> Vec<Fr> {
    let g = Fr::from(0x9e37_79b9_7f4a_7c15);
    (0..n as u64).map(|i| g.pow([i + 3])).collect()
}

/// Known answers from circomlibjs `test/poseidon.js` (iden3/circomlibjs, commit 48b3ab3):
/// "Should check constrain reference implementation poseidonperm_x5_254_3/5", "… with 16
/// inputs", "… with init state" (the `initState: 0` vector) and "… with n outputs" (the
/// first output of each vector).
#[test]
fn circomlib_known_answers() {
    let hex_cases = [
        (vec![1u64, 2], "115cc0f5e7d690413df64c6b9662e9cf2a3617f2743245519e19607a4417189a"),
        (vec![1, 2, 3, 4], "299c867db6c1fdd79dcefa40e4510b9837e60ebb1ce0663dbaa525df65250465"),
    ];
    for (inputs, hex) in hex_cases {
        let inputs: Vec<Fr> = inputs.into_iter().map(Fr::from).collect();
        let mut be: Vec<u8> = (0..32).map(|i| u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).unwrap()).collect();
        be.reverse();
        let expected = Fr::from_repr(be.try_into().unwrap()).unwrap();
        assert_eq!(poseidon::hash(&inputs).unwrap(), expected, "{inputs:?}");
    }

    let dec_cases: [(&[u64], &str); 5] = [
        (&[1], "18586133768512220936620570745912940619677854269274689475585506675881198879027"),
        (&[1, 2, 0, 0, 0], "1018317224307729531995786483840663576608797660851238720571059489595066344487"),
        (&[1, 2, 3, 4, 5, 6], "20400040500897583745843009878988256314335038853985262692600694741116813247201"),
        (
            &[1, 2, 3, 4, 5, 6, 7, 8, 9, 0, 0, 0, 0, 0, 0, 0],
            "11882816200654282475720830292386643970958445617880627439994635298904836126497",
        ),
        (
            &[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16],
            "9989051620750914585850546081941653841776809718687451684622678807385399211877",
        ),
    ];
    for (inputs, expected) in dec_cases {
        let inputs: Vec<Fr> = inputs.iter().copied().map(Fr::from).collect();
        assert_eq!(poseidon::hash(&inputs).unwrap(), dec(expected), "{inputs:?}");
    }
}

/// Against `light-poseidon`'s circom-compatible hasher, every input count it has (1..=12),
/// on four fixed vectors each.
#[test]
fn matches_light_poseidon() {
    let mut checked = 0;
    for n in 1..=MAX_INPUTS {
        let Ok(mut theirs) = Poseidon::<ark_bn254::Fr>::new_circom(n) else {
            assert!(n > 12, "light-poseidon lacks {n} inputs");
            continue;
        };
        for inputs in [vec![Fr::ZERO; n], counting(n), negated(n), spread(n)] {
            let reprs: Vec<[u8; 32]> = inputs.iter().map(|x| x.to_repr()).collect();
            let slices: Vec<&[u8]> = reprs.iter().map(|r| r.as_slice()).collect();
            let le = theirs.hash_bytes_le(&slices).unwrap();
            let expected = Fr::from_repr(le).unwrap();
            assert_eq!(poseidon::hash(&inputs).unwrap(), expected, "n = {n}");
            checked += 1;
        }
    }
    // If light-poseidon grows wider, the circomlibjs vectors below become a second check.
    assert_eq!(checked, 4 * 12, "light-poseidon widths changed");
}

/// 13..=16 inputs, which light-poseidon lacks, against circomlibjs 0.1.7. Computed with
/// `npm install circomlibjs@0.1.7` in a scratch directory and `node vec.mjs`, where vec.mjs is:
///
/// ```js
/// import { buildPoseidonReference, buildPoseidon } from "circomlibjs";
/// const ref = await buildPoseidonReference();
/// const wasm = await buildPoseidon();
/// const F = ref.F;
/// const p = 21888242871839275222246405745257275088548364400416034343698204186575808495617n;
/// for (let n = 13; n <= 16; n++) {
///   const a = Array.from({ length: n }, (_, i) => BigInt(i + 1));
///   const b = Array.from({ length: n }, (_, i) => p - BigInt(i + 1));
///   for (const v of [a, b]) {
///     const r = F.toString(ref(v));
///     const w = wasm.F.toString(wasm(v));
///     if (r !== w) throw new Error("reference and wasm disagree");
///     console.log(n, r);
///   }
/// }
/// ```
#[test]
fn matches_circomlibjs_wide() {
    let cases = [
        (
            13,
            "7041832639553862712666971417715061873827921493498355005117622707743491651590",
            "20043759804186563301245428319025840536042684555223394990760128701276469799731",
        ),
        (
            14,
            "8354478399926161176778659061636406690034081872658507739535256090879947077494",
            "4552887737700604700820531758126453064592384354836508285960307404986201784720",
        ),
        (
            15,
            "4203130618016961831408770638653325366880478848856764494148034853759773445968",
            "14873856230522556228581247876140792632355032829673557502686485009237003795344",
        ),
        (
            16,
            "9989051620750914585850546081941653841776809718687451684622678807385399211877",
            "99499630963254749814016964952365936973065525867896180521140527729914368166",
        ),
    ];
    for (n, of_counting, of_negated) in cases {
        assert_eq!(poseidon::hash(&counting(n)).unwrap(), dec(of_counting), "n = {n}");
        assert_eq!(poseidon::hash(&negated(n)).unwrap(), dec(of_negated), "n = {n}");
    }
}

/// Bad input counts and widths are errors that name the count, not panics.
#[test]
fn rejects_bad_counts() {
    assert_eq!(poseidon::hash(&[]), Err(PoseidonError::InputCount(0)));
    assert_eq!(poseidon::hash(&counting(17)), Err(PoseidonError::InputCount(17)));
    assert!(PoseidonError::InputCount(17).to_string().contains("17"));
    for width in [0, 1, 18] {
        assert_eq!(Params::for_width(width).err(), Some(PoseidonError::Width(width)));
    }
    let mut short = vec![Fr::ONE];
    assert_eq!(poseidon::permute(&mut short), Err(PoseidonError::Width(1)));
    let params = Params::for_width(3).unwrap();
    assert_eq!(params.permute(&mut [Fr::ONE; 4]), Err(PoseidonError::StateLength { width: 3, got: 4 }));
}

/// Shapes of the generated parameters, and the cost of generating them all.
#[test]
fn parameters_for_every_width() {
    let start = std::time::Instant::now();
    for width in 2..=17 {
        let p = Params::for_width(width).unwrap();
        assert_eq!(p.width, width);
        assert_eq!(p.partial_rounds, poseidon::PARTIAL_ROUNDS[width - 2]);
        assert_eq!(p.round_constants.len(), p.rounds());
        assert!(p.round_constants.iter().all(|r| r.len() == width));
        assert_eq!(p.mds.len(), width);
        assert!(p.mds.iter().all(|r| r.len() == width));
        // Cached: a second lookup is the same allocation.
        assert!(std::ptr::eq(p, Params::for_width(width).unwrap()));
    }
    eprintln!("Poseidon parameters for widths 2..=17: {:?}", start.elapsed());
}
