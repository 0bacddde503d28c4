//! `Linear`: a product by a fixed weight is a coefficient, so with fixed parameters each output
//! costs one row, `(bias + Σ w · x) · 1 = out`, whatever its number of terms. A weight that is a
//! witness (private or hashed parameters, `params.rs`) costs one row per term, each adding its
//! product to a running sum: `w_1 · x_1 = s_1 - (bias + fixed terms)`, `w_j · x_j = s_j - s_(j-1)`,
//! the last sum being the output.

use zkinfer_graph::LinearOp;

use super::{at, Synthesize};
use crate::builder::Builder;
use crate::params::LinearVars;
use crate::system::{Lc, Var};
use crate::R1csError;

impl Synthesize for LinearOp {
    fn synthesize(&self, b: &mut Builder, inputs: &[&[Var]], output: Option<&[i64]>) -> Result<Vec<Var>, R1csError> {
        with_params(self, b, inputs, output, &LinearVars::default())
    }
}

/// The rows of `op` with its parameters as `params` says (a variable where it has one, else the
/// op's own value as a coefficient).
pub(crate) fn with_params(
    op: &LinearOp,
    b: &mut Builder,
    inputs: &[&[Var]],
    output: Option<&[i64]>,
    params: &LinearVars,
) -> Result<Vec<Var>, R1csError> {
    let x: Vec<Var> = inputs.iter().flat_map(|t| t.iter().copied()).collect();
    let count = |v: &Option<Vec<Var>>, n: usize| v.as_ref().is_none_or(|v| v.len() == n);
    if !count(&params.weight, op.weight.len()) || !count(&params.bias, op.bias.len()) {
        return Err(R1csError::Invalid("a linear op's parameter variables do not match its parameters".into()));
    }
    let mut out: Vec<Option<Var>> = vec![None; op.positions * op.channels];
    for p in 0..op.positions {
        let index = &op.index[p * op.terms..(p + 1) * op.terms];
        for o in 0..op.channels {
            let k = p * op.pos_stride + o * op.chan_stride;
            let bias = match &params.bias {
                Some(v) => Lc::var(v[o]),
                None => Lc::constant(op.bias[o].into()),
            };
            let channel = o * op.terms..(o + 1) * op.terms;
            let v = match &params.weight {
                None => {
                    let terms = index
                        .iter()
                        .zip(&op.weight[channel])
                        .filter_map(|(i, &w)| Some((i128::from(w), x[(*i)? as usize])));
                    let v = b.witness(at(output, k));
                    b.equal(bias.terms(terms), Lc::var(v), "linear");
                    v
                }
                Some(w) => {
                    let products: Vec<(Var, Var)> =
                        index.iter().zip(&w[channel]).filter_map(|(i, &w)| Some((w, x[(*i)? as usize]))).collect();
                    running_sum(b, bias, &products, at(output, k))
                }
            };
            out[k] = Some(v);
        }
    }
    out.into_iter()
        .collect::<Option<Vec<Var>>>()
        .ok_or_else(|| R1csError::Invalid("a linear op leaves an output position unwritten".into()))
}

/// `start + Σ w · x` over `products`, one row each; the last sum is given the honest `value`
/// (the graph's evaluation), the others their running values.
fn running_sum(b: &mut Builder, start: Lc, products: &[(Var, Var)], value: Option<i128>) -> Var {
    if products.is_empty() {
        let v = b.witness(value);
        b.equal(start, Lc::var(v), "linear");
        return v;
    }
    let (mut sum, mut last) = (start, Var::One);
    for (j, &(w, x)) in products.iter().enumerate() {
        let running = match (b.value(&sum), b.value(&Lc::var(w)), b.value(&Lc::var(x))) {
            (Some(s), Some(w), Some(x)) => Some(s + w * x),
            _ => None,
        };
        last = if j + 1 == products.len() { b.witness(value) } else { b.witness_fe(running) };
        b.enforce(Lc::var(w), Lc::var(x), Lc::var(last).plus(&sum.scaled(-1)), "weighted");
        sum = Lc::var(last);
    }
    last
}
