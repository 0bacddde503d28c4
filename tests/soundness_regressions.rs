//! The range-check attack of SOUNDNESS.md ("The requant chip") on the bundled `mlp_digits`,
//! compiled with the defaults: a public output (a logit) one lower than the model computes, with
//! the output rescale's remainder `2^shift` higher and its top limb a fraction. The old range
//! check (one column `0..2^b`, a partial top limb looked up as `L·2^(b-t)`) accepted this
//! witness; `MockProver` must now reject it, by the range lookup of that limb and nothing else.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::sync::Arc;
use zkinfer_circuits::RequantAdvice;

use halo2_axiom::dev::{MockProver, VerifyFailure};
use halo2_axiom::halo2curves::bn256::Fr;
use halo2_axiom::halo2curves::ff::Field;
use zkinfer::{CompileOptions, Model};
use zkinfer_circuits::{public_instances, requant_limb_order, AdviceRef, CellOverride, CircuitPlan, ModelCircuit};
use zkinfer_graph::{QOp, RequantOp};

fn fe(v: i64) -> Fr {
    if v < 0 {
        -Fr::from(v.unsigned_abs())
    } else {
        Fr::from(v as u64)
    }
}

/// The limbs of the round-down attack on one rescaled element with `b`-bit limbs: remainder
/// `r + 2^shift` as `lower + v·2^(shift-b)` (the top limb `v·2^-(b-t)`, a fraction), then the
/// sign-folded value of `z - 1`. `None` when this element or layout admits no such witness.
fn attack_limbs(op: &RequantOp, b: u32, x: i64) -> Option<(i64, Vec<Fr>)> {
    let s = op.shift;
    let n_r = s.div_ceil(b);
    let top = s.checked_sub(b * (n_r - 1))?;
    if n_r < 2 || top >= b {
        return None;
    }
    let z = op.pre_activation(x);
    let r = x + (1 << (s - 1)) - z * (1 << s);
    let r2 = r + (1 << s);
    let v = ((1i64 << b) - 1).min(r2 >> (s - b));
    let lower = r2 - v * (1 << (s - b));
    if lower >= 1 << (b * (n_r - 1)) || z - 1 < -(1 << op.bits) {
        return None;
    }
    let mut limbs: Vec<Fr> = (0..n_r - 1).map(|i| fe((lower >> (b * i)) & ((1 << b) - 1))).collect();
    limbs.push(fe(v) * Fr::from(1u64 << (b - top)).invert().unwrap());
    let z2 = z - 1;
    let folded = if z2 >= 0 { z2 } else { -z2 - 1 };
    limbs.extend((0..op.bits.div_ceil(b)).map(|i| fe((folded >> (b * i)) & ((1 << b) - 1))));
    Some((z2, limbs))
}

#[test]
fn mlp_digits_output_cannot_be_rounded_down() {
    let model = Model::load("examples/models/mlp_digits.onnx").unwrap();
    let samples = zkinfer::read_samples("examples/models/mlp_digits.calibration.json", &model).unwrap();
    let compiled = model.compile(&samples, &CompileOptions::default()).unwrap();
    let q = compiled.qgraph.clone();
    let last = q.nodes.last().unwrap();
    let QOp::Requant(op) = &last.op else { panic!("mlp_digits ends with a rescale") };

    // An input (the bundled one, else a calibration sample) with a logit the attack applies to
    // under the default layout: its remainder must fit the widened top limb (about 1.6% do).
    let mut inputs = zkinfer::read_samples("examples/models/mlp_digits.input.json", &model).unwrap();
    inputs.extend(samples);
    let b = compiled.circuit().halo2().unwrap().limb_bits;
    let (w, e, (z2, limbs)) = inputs
        .iter()
        .find_map(|input| {
            let w = q.eval(q.quantize_input(&input[0]).ok()?).ok()?;
            let xs = &w.values[last.inputs[0]];
            let (e, limbs) = xs.iter().enumerate().find_map(|(e, &x)| Some((e, attack_limbs(op, b, x)?)))?;
            Some((w.clone(), e, limbs))
        })
        .expect("an input whose logit admits the attack under the default layout");
    let p: CircuitPlan = compiled.circuit().halo2().unwrap().clone();
    eprintln!("limb bits {b}, shift {}, bits {}, output element {e}", op.shift, op.bits);

    let circuit = ModelCircuit::new(q.clone(), p.clone(), None);
    let (col, row) = circuit.output_cells(0).unwrap()[e];
    assert_eq!(col, AdviceRef::Requant(RequantAdvice::Out));
    let mut attack = vec![
        CellOverride { column: AdviceRef::Requant(RequantAdvice::Quotient), row, value: fe(z2) },
        CellOverride {
            column: AdviceRef::Requant(RequantAdvice::Out),
            row,
            value: fe(if op.relu { z2.max(0) } else { z2 }),
        },
        CellOverride { column: AdviceRef::Requant(RequantAdvice::Sign), row, value: fe(i64::from(z2 >= 0)) },
    ];
    // `limbs` lists the remainder's limbs, then the value's; the layout's order puts the top
    // limbs first.
    let (n_r, n_w) = (op.shift.div_ceil(b) as usize, op.bits.div_ceil(b) as usize);
    let order = requant_limb_order(n_r, n_w);
    for (c, &(is_rem, i)) in order.iter().enumerate() {
        let (limb_col, at) = p.limb_cell(c, row);
        let value = limbs[if is_rem { i } else { n_r + i }];
        attack.push(CellOverride { column: AdviceRef::Requant(RequantAdvice::Limb(limb_col)), row: at, value });
    }
    let top = order.iter().position(|&l| l == (true, n_r - 1)).unwrap();
    let top_col = p.limb_cell(top, row).0;
    let mut instances = public_instances(&q, &w);
    let out_at = instances.len() - w.output(&q, 0).len() + e;
    instances[out_at] -= Fr::ONE;

    let c = ModelCircuit::new(q.clone(), p.clone(), Some(Arc::new(w.clone()))).with_overrides(attack);
    let failures = MockProver::run(p.k, &c, vec![instances]).unwrap().verify().err().unwrap_or_default();
    assert_eq!(failures.len(), 1, "{failures:?}");
    match &failures[0] {
        VerifyFailure::Lookup { name, .. } => assert_eq!(name, &format!("limb {top_col}")),
        other => panic!("expected the top remainder limb's range lookup to fail, got {other}"),
    }
}
