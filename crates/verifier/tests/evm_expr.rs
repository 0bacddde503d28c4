//! The constraint program (gates as data) evaluates exactly like halo2's own expressions.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use halo2_axiom::halo2curves::bn256::{Bn256, Fr};
use halo2_axiom::halo2curves::ff::Field;
use halo2_axiom::plonk::{keygen_vk, ColumnType};
use halo2_axiom::poly::kzg::commitment::ParamsKZG;
use halo2_axiom::poly::Rotation;
use rand::SeedableRng;
use rand_chacha::ChaCha20Rng;
use zkinfer_verifier::evm::expr::{
    compile_gates, encode, eval, fuse, Arith, EvalInputs, ExprError, Instr, Layout, Leaf,
};
use zkinfer_verifier::testing::ToyCircuit;

fn pos<C: ColumnType>(list: &[(halo2_axiom::plonk::Column<C>, Rotation)], col: usize, rot: Rotation) -> usize {
    list.iter().position(|(c, r)| c.index() == col && *r == rot).unwrap()
}

/// Push ops, short enough to write a program on one line.
fn ev(i: u16) -> Instr {
    Instr::Push(Leaf::Eval(i))
}
fn var(v: u8) -> Instr {
    Instr::Push(Leaf::Var(v))
}
fn ch(i: u16) -> Instr {
    Instr::Push(Leaf::Challenge(i))
}
fn inst(q: u16) -> Instr {
    Instr::Push(Leaf::Instance(q))
}
fn cst(c: Fr) -> Instr {
    Instr::Push(Leaf::Const(c))
}

#[test]
fn program_matches_halo2_expression_evaluation() {
    let params = ParamsKZG::<Bn256>::setup(5, ChaCha20Rng::seed_from_u64(3));
    let vk = keygen_vk(&params, &ToyCircuit::new(3)).unwrap();
    let cs = vk.cs();
    let ops = compile_gates(cs).unwrap();
    assert!(ops.iter().filter(|o| **o == Instr::Fold).count() >= 1);
    let fused = fuse(&ops);
    assert!(fused.len() < ops.len(), "{} -> {}", ops.len(), fused.len());
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
        assert_eq!(eval(&fused, &inputs), Some(expected), "the fused program");
    }
    // Fixed and advice queries are relocated to proof evaluations before encoding.
    assert!(matches!(encode(&ops, &Layout::new(0, 1, 0)), Err(ExprError::NotEncodable(_))));
}

/// Random inputs for hand-written programs over evals, challenges, vars and instances.
fn inputs<'a>(
    rng: &mut ChaCha20Rng,
    evals: &'a mut Vec<Fr>,
    ch: &'a mut Vec<Fr>,
    inst: &'a mut Vec<Fr>,
) -> EvalInputs<'a> {
    *evals = (0..6).map(|_| Fr::random(&mut *rng)).collect();
    *ch = (0..3).map(|_| Fr::random(&mut *rng)).collect();
    *inst = (0..2).map(|_| Fr::random(&mut *rng)).collect();
    let vars = [(); 5].map(|_| Fr::random(&mut *rng));
    EvalInputs { evals, challenges: ch, instance: inst, vars, y: Fr::random(rng), ..Default::default() }
}

#[test]
fn fused_ops_compute_what_they_say() {
    let mut rng = ChaCha20Rng::seed_from_u64(5);
    let (mut e, mut c, mut i) = (Vec::new(), Vec::new(), Vec::new());
    let inp = inputs(&mut rng, &mut e, &mut c, &mut i);
    let (a, b) = (inp.evals[0], inp.challenges[1]);
    let run = |arith| eval(&[ev(0), Instr::Fused(arith, Leaf::Challenge(1)), Instr::Fold], &inp);
    assert_eq!(run(Arith::Add), Some(a + b));
    assert_eq!(run(Arith::Sub), Some(a - b));
    assert_eq!(run(Arith::SubFrom), Some(b - a));
    assert_eq!(run(Arith::Mul), Some(a * b));
    let c5 = Fr::from(5);
    assert_eq!(eval(&[var(4), Instr::Fused(Arith::Mul, Leaf::Const(c5)), Instr::Fold], &inp), Some(inp.vars[4] * c5));
    assert_eq!(eval(&[Instr::Fused(Arith::Add, Leaf::Eval(0))], &inp), None, "underflow");
}

#[test]
fn fuse_keeps_every_program_value() {
    use Instr::*;
    let one = Fr::ONE;
    let programs: Vec<Vec<Instr>> = vec![
        // a + (-b), (-a) + b, a - (-b), --a, -(-(a·b))
        vec![ev(0), ev(1), Neg, Add, Fold, ev(0), Neg, ev(1), Add, Fold],
        vec![ev(0), ev(1), Neg, Sub, Fold, ev(2), Neg, Neg, Fold, ev(0), ev(1), Mul, Neg, Neg, Fold],
        // a leaf minus a product (reversed subtraction), a product minus a leaf, leaf - leaf
        vec![cst(one), ev(0), ev(1), Mul, Sub, Fold, ev(0), ev(1), Mul, var(2), Sub, Fold],
        vec![ch(0), inst(1), Sub, Fold],
        // commutative operands with the leaf on the left, scale, products of products
        vec![var(0), ev(3), ev(4), Add, Mul, Scale(Fr::from(7)), Fold],
        vec![ev(0), ev(1), Mul, ev(2), ev(3), Mul, Mul, ev(4), ev(5), Add, Sub, Fold],
        // (-(a·b)) + (-c), -(a + b) as a product operand
        vec![ev(0), ev(1), Mul, Neg, ev(2), Neg, Add, var(4), ev(0), ev(1), Add, Neg, Mul, Sub, Fold],
        // already fused
        vec![ev(0), Fused(Arith::SubFrom, Leaf::Const(one)), ev(1), Mul, Fold],
    ];
    let mut rng = ChaCha20Rng::seed_from_u64(11);
    for p in &programs {
        let f = fuse(p);
        assert!(f.len() <= p.len(), "{p:?} -> {f:?}");
        for _ in 0..4 {
            let (mut e, mut c, mut i) = (Vec::new(), Vec::new(), Vec::new());
            let inp = inputs(&mut rng, &mut e, &mut c, &mut i);
            assert_eq!(eval(&f, &inp), eval(p, &inp), "{p:?} -> {f:?}");
        }
    }
    // The rewrites happen: one instruction per leaf-operand operation, no Neg left.
    assert_eq!(
        fuse(&programs[0]),
        vec![
            ev(0),
            Instr::Fused(Arith::Sub, Leaf::Eval(1)),
            Fold,
            ev(1),
            Instr::Fused(Arith::Sub, Leaf::Eval(0)),
            Fold
        ]
    );
    assert_eq!(fuse(&programs[3]), vec![ch(0), Instr::Fused(Arith::Sub, Leaf::Instance(1)), Fold]);
    // A program whose Fold leaves values on the stack, or that underflows, is kept as is.
    let odd = vec![ev(0), ev(1), Fold, Fold];
    assert_eq!(fuse(&odd), odd);
    assert_eq!(fuse(&[Add]), vec![Add]);
}

#[test]
fn encoding_indexes_the_value_table() {
    use Instr::*;
    let layout = Layout::new(4, 2, 10);
    assert_eq!((layout.vars, layout.quotient, layout.instances, layout.evals, layout.constants), (4, 9, 10, 12, 22));
    let seven = Fr::from(7);
    let ops = [
        ev(3),
        Fused(Arith::Mul, Leaf::Challenge(2)),
        var(4),
        Fused(Arith::SubFrom, Leaf::Const(seven)),
        inst(1),
        Scale(seven),
        Add,
        Sub,
        Neg,
        Fused(Arith::Add, Leaf::Const(Fr::ONE)),
        Fused(Arith::Sub, Leaf::Eval(0)),
        Mul,
        Fold,
    ];
    let enc = encode(&ops, &layout).unwrap();
    assert_eq!(enc.constants, vec![seven, Fr::ONE], "deduplicated");
    let expect: Vec<u8> = [
        (0x00, 15),
        (0x04, 2),
        (0x00, 8),
        (0x03, 22),
        (0x00, 11),
        (0x04, 22),
        (0x05, 0),
        (0x06, 0),
        (0x08, 0),
        (0x01, 23),
        (0x02, 12),
        (0x07, 0),
        (0x09, 0),
    ]
    .iter()
    .flat_map(|&(op, i): &(u8, u16)| [op, (i >> 8) as u8, i as u8])
    .collect();
    assert_eq!(enc.code, expect);
}

#[test]
fn malformed_program_is_none_not_a_panic() {
    let inputs = EvalInputs { y: Fr::ONE, ..Default::default() };
    assert_eq!(eval(&[Instr::Add], &inputs), None);
    assert_eq!(eval(&[Instr::Push(Leaf::Fixed(0))], &inputs), None);
}
