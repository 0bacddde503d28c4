//! Random small Linear + Requant(+ReLU) graphs: MockProver accepts the honest witness and the
//! assigned output cells equal `QGraph::eval`'s output.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use proptest::prelude::*;
use zkinfer_circuits::{Fr, ModelCircuit};
use zkinfer_graph::ParamVisibility as P;
use zkinfer_graph::Visibility::{self, *};

#[derive(Debug, Clone)]
struct Layer {
    out: usize,
    weights: Vec<i64>,
    bias: Vec<i64>,
    shift: u32,
    relu: bool,
}

fn layer(input: usize) -> impl Strategy<Value = Layer> {
    (1usize..5).prop_flat_map(move |out| {
        (
            prop::collection::vec(-40i64..40, out * input),
            prop::collection::vec(-100i64..100, out),
            0u32..7,
            any::<bool>(),
        )
            .prop_map(move |(weights, bias, shift, relu)| Layer { out, weights, bias, shift, relu })
    })
}

fn case() -> impl Strategy<Value = (usize, Layer, Option<Layer>, Vec<i64>, u8)> {
    (1usize..6).prop_flat_map(|input| {
        layer(input).prop_flat_map(move |l1| {
            let hidden = l1.out;
            (Just(input), Just(l1), prop::option::of(layer(hidden)), prop::collection::vec(-60i64..60, input), 0u8..8)
        })
    })
}

fn visibility(bits: u8) -> (Visibility, P, Visibility) {
    let pick = |b: u8| if bits & b != 0 { Public } else { Private };
    let params = if bits & 2 != 0 { P::Fixed } else { P::Private };
    (pick(1), params, pick(4))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

    #[test]
    fn random_graphs_prove_their_evaluation((input, l1, l2, x, v) in case()) {
        let (mut b, t) = Builder::new(input);
        let mut y = b.dense(t, l1.weights, l1.bias);
        y = b.requant(y, l1.shift, l1.relu);
        if let Some(l2) = l2 {
            y = b.dense(y, l2.weights, l2.bias);
            y = b.requant(y, l2.shift, l2.relu);
        }
        let (vi, vp, vo) = visibility(v);
        let q = b.finish(y, vis(vi, vp, vo), std::slice::from_ref(&x));
        let p = small_plan(&q);
        let w = q.eval(x).expect("eval");
        prop_assert_eq!(mock(&q, &p, &w, vec![], None), Ok(()));
        let cells = ModelCircuit::new(std::sync::Arc::new(q.clone()), p.clone(), None).output_cells(0).expect("layout");
        let got = mock_values(&q, &p, &w, &cells);
        let want: Vec<Fr> = w.output(&q, 0).iter().map(|&v| fe(v)).collect();
        prop_assert_eq!(got, want);
    }
}
