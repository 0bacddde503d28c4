//! The constraint program (gates as data) evaluates exactly like halo2's own expressions.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use halo2_axiom::halo2curves::bn256::{Bn256, Fr};
use halo2_axiom::halo2curves::ff::Field;
use halo2_axiom::plonk::{keygen_vk, ColumnType};
use halo2_axiom::poly::kzg::commitment::ParamsKZG;
use halo2_axiom::poly::Rotation;
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use zkinfer_verifier::evm::expr::{compile_gates, encode, eval, EvalInputs, Op};
use zkinfer_verifier::testing::ToyCircuit;

fn pos<C: ColumnType>(list: &[(halo2_axiom::plonk::Column<C>, Rotation)], col: usize, rot: Rotation) -> usize {
    list.iter().position(|(c, r)| c.index() == col && *r == rot).unwrap()
}

#[test]
fn program_matches_halo2_expression_evaluation() {
    let params = ParamsKZG::<Bn256>::setup(5, ChaCha20Rng::seed_from_u64(3));
    let vk = keygen_vk(&params, &ToyCircuit::new(3)).unwrap();
    let cs = vk.cs();
    let ops = compile_gates(cs).unwrap();
    assert!(ops.iter().filter(|o| **o == Op::Fold).count() >= 1);
    let mut rng = ChaCha20Rng::seed_from_u64(9);
    for _ in 0..8 {
        let fixed: Vec<Fr> = cs.fixed_queries().iter().map(|_| Fr::random(&mut rng)).collect();
        let advice: Vec<Fr> = cs.advice_queries().iter().map(|_| Fr::random(&mut rng)).collect();
        let instance: Vec<Fr> = cs.instance_queries().iter().map(|_| Fr::random(&mut rng)).collect();
        let y = Fr::random(&mut rng);
        let expected = cs.gates().iter().flat_map(|g| g.polynomials()).fold(Fr::ZERO, |acc, p| {
            acc * y
                + p.evaluate(
                    &|c| c,
                    &|_| unreachable!("keygen removes selectors"),
                    &|q| fixed[pos(cs.fixed_queries(), q.column_index(), q.rotation())],
                    &|q| advice[pos(cs.advice_queries(), q.column_index(), q.rotation())],
                    &|q| instance[pos(cs.instance_queries(), q.column_index(), q.rotation())],
                    &|_| unreachable!("no challenges"),
                    &|a| -a,
                    &|a, b| a + b,
                    &|a, b| a * b,
                    &|a, c| a * c,
                )
        });
        let inputs = EvalInputs { fixed: &fixed, advice: &advice, instance: &instance, y, ..Default::default() };
        assert_eq!(eval(&ops, &inputs), Some(expected));
    }
    // Every op has a fixed-size encoding.
    let bytes = encode(&ops);
    let expected_len: usize = ops
        .iter()
        .map(|o| {
            if matches!(o, Op::Const(_) | Op::Scale(_)) {
                33
            } else if matches!(o, Op::Neg | Op::Add | Op::Sub | Op::Mul | Op::Fold) {
                1
            } else {
                3
            }
        })
        .sum();
    assert_eq!(bytes.len(), expected_len);
}

#[test]
fn malformed_program_is_none_not_a_panic() {
    let inputs = EvalInputs { y: Fr::ONE, ..Default::default() };
    assert_eq!(eval(&[Op::Add], &inputs), None);
    assert_eq!(eval(&[Op::Fixed(0)], &inputs), None);
}
