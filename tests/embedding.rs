//! An embedding lookup by a witness token id: `Gather(table, input_ids)` with `input_ids` an
//! int64 model input is the one-hot rows of the ids times the table (see `Gather::lookup`),
//! proved and verified with the table as a model parameter under each parameter visibility; an
//! id outside the table has no satisfying witness and is refused by name.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use zkinfer::{CompileOptions, Model, ParamVisibility, Sample, Srs, VisibilityConfig};
use zkinfer_graph::ops::{Add, Gather, MatMul, Relu};
use zkinfer_graph::{DType, GraphBuilder, Tensor};

const VOCAB: usize = 8;
const TOKENS: usize = 5;

/// `relu((tok[ids] + pos) W)`: token and position embeddings of width 4, then a 4x3 layer.
fn model() -> Model {
    let mut b = GraphBuilder::new();
    let ids = b.typed_input("input_ids", vec![1, TOKENS], DType::I64);
    let table: Vec<f32> = (0..VOCAB * 4).map(|i| ((i * 7 % 13) as f32 - 6.0) / 8.0).collect();
    let table = b.constant("tok", Tensor::from_shape_vec(vec![VOCAB, 4], table).expect("shape"));
    let pos: Vec<f32> = (0..TOKENS * 4).map(|i| ((i * 5 % 9) as f32 - 4.0) / 16.0).collect();
    let pos = b.constant("pos", Tensor::from_shape_vec(vec![TOKENS, 4], pos).expect("shape"));
    let w: Vec<f32> = (0..12).map(|i| ((i * 3 % 7) as f32 - 3.0) / 4.0).collect();
    let w = b.constant("w", Tensor::from_shape_vec(vec![4, 3], w).expect("shape"));
    let e = b.node("embed", Box::new(Gather { axis: 0 }), vec![table, ids], "e").expect("gather");
    let h = b.node("add_pos", Box::new(Add), vec![e, pos], "h").expect("add");
    let m = b.node("mm", Box::new(MatMul), vec![h, w], "m").expect("matmul");
    let y = b.node("relu", Box::new(Relu), vec![m], "y").expect("relu");
    Model { graph: b.finish_outputs(vec![y]).expect("graph"), source: "embedding.onnx".into() }
}

fn ids(seed: usize) -> Sample {
    vec![(0..TOKENS).map(|t| ((seed * 3 + t * 5) % VOCAB) as f32).collect()]
}

fn compile(params: ParamVisibility) -> zkinfer::Compiled {
    let samples: Vec<Sample> = (0..8).map(ids).collect();
    let visibility = VisibilityConfig { params, ..VisibilityConfig::default() };
    model().compile(&samples, &CompileOptions { visibility, ..CompileOptions::default() }).expect("compile")
}

#[test]
fn an_embedding_lookup_by_token_id_proves_under_each_parameter_visibility() {
    let model = model();
    for params in [ParamVisibility::Fixed, ParamVisibility::Private, ParamVisibility::Hashed] {
        let compiled = compile(params);
        let keys = zkinfer::setup(&compiled, Srs::Dev).expect("setup");
        let input = ids(11);
        let bundle = zkinfer::prove(&compiled, &keys, &input).expect("prove");
        zkinfer::verify(&keys.verifier(), &bundle).expect("honest proof verifies");
        let err = bundle.max_abs_error(&model.eval(&input).expect("f32"));
        assert!(err < 2e-2, "{params:?}: max error {err}");
    }
}

#[test]
fn a_token_id_outside_the_table_is_refused() {
    let compiled = compile(ParamVisibility::Fixed);
    // Inside the input's calibrated range, the one-hot check names the cause; far outside it,
    // the input's own range check does.
    for (bad, cause) in [(VOCAB as f32, "in [0, 8)"), (-1.0, "in [0, 8)"), (1000.0, "'input_ids' is outside")] {
        let mut input = ids(3);
        input[0][2] = bad;
        let msg = compiled.witness(&input).expect_err("an id outside the table").to_string();
        assert!(msg.contains(cause), "id {bad}: {msg}");
    }
}
