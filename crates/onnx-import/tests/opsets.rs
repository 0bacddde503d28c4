//! Registry rows whose inputs moved from attributes to constant inputs across opsets: both
//! forms import to the same op; attributes are typed and checked.

use prost::Message;
use zkinfer_onnx::proto::attribute_proto::AttributeType;
use zkinfer_onnx::proto::tensor_proto::DataType;
use zkinfer_onnx::proto::tensor_shape_proto::{dimension::Value as Dim, Dimension};
use zkinfer_onnx::proto::type_proto::{Tensor as TensorType, Value as Type};
use zkinfer_onnx::proto::{
    AttributeProto, GraphProto, ModelProto, NodeProto, OperatorSetIdProto, TensorProto, TensorShapeProto, TypeProto,
    ValueInfoProto,
};
use zkinfer_onnx::testing::{float_tensor, node};
use zkinfer_onnx::{parse, ImportError};

fn info(name: &str, dims: &[i64]) -> ValueInfoProto {
    let dim = dims.iter().map(|&d| Dimension { value: Some(Dim::DimValue(d)), denotation: None }).collect();
    ValueInfoProto {
        name: Some(name.into()),
        r#type: Some(TypeProto {
            value: Some(Type::TensorType(TensorType {
                elem_type: Some(DataType::Float as i32),
                shape: Some(TensorShapeProto { dim }),
            })),
            denotation: None,
        }),
        ..Default::default()
    }
}

fn ints(name: &str, v: &[i64]) -> AttributeProto {
    AttributeProto {
        name: Some(name.into()),
        r#type: Some(AttributeType::Ints as i32),
        ints: v.to_vec(),
        ..Default::default()
    }
}

fn int(name: &str, i: i64) -> AttributeProto {
    AttributeProto {
        name: Some(name.into()),
        r#type: Some(AttributeType::Int as i32),
        i: Some(i),
        ..Default::default()
    }
}

fn string(name: &str, s: &str) -> AttributeProto {
    AttributeProto {
        name: Some(name.into()),
        r#type: Some(AttributeType::String as i32),
        s: Some(s.as_bytes().to_vec()),
        ..Default::default()
    }
}

fn i64s(name: &str, v: &[i64]) -> TensorProto {
    TensorProto {
        name: Some(name.into()),
        dims: vec![v.len() as i64],
        data_type: Some(DataType::Int64 as i32),
        int64_data: v.to_vec(),
        ..Default::default()
    }
}

/// One node `op(x, extra inputs...) -> y` at `opset`, input `x` of `dims`.
fn run(
    opset: i64,
    dims: &[i64],
    op: &str,
    inputs: &[&str],
    attrs: Vec<AttributeProto>,
    init: Vec<TensorProto>,
) -> Result<(Vec<usize>, Vec<f32>), ImportError> {
    let mut names = vec!["x".to_string()];
    names.extend(inputs.iter().map(|s| s.to_string()));
    let node = NodeProto {
        name: Some("n".into()),
        op_type: Some(op.into()),
        input: names,
        output: vec!["y".into()],
        attribute: attrs,
        ..Default::default()
    };
    let graph = GraphProto {
        node: vec![node],
        initializer: init,
        input: vec![info("x", dims)],
        output: vec![info("y", &[])],
        ..Default::default()
    };
    let opset = OperatorSetIdProto { domain: Some(String::new()), version: Some(opset) };
    let bytes = ModelProto { graph: Some(graph), opset_import: vec![opset], ir_version: Some(8), ..Default::default() }
        .encode_to_vec();
    let g = parse(&bytes)?;
    let n: i64 = dims.iter().product();
    let y = g.eval(&(0..n).map(|v| v as f32).collect::<Vec<_>>())?;
    Ok((y.shape().to_vec(), y.iter().copied().collect()))
}

/// What [`run`] gives: the output's shape and values.
type Run = Result<(Vec<usize>, Vec<f32>), ImportError>;

fn ok(r: Run) -> (Vec<usize>, Vec<f32>) {
    r.unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn slice_pad_unsqueeze_reduce_by_attribute_and_by_input() {
    let v9 = ok(run(
        9,
        &[3, 4],
        "Slice",
        &[],
        vec![ints("starts", &[1, -1]), ints("ends", &[3, 0]), ints("axes", &[0, 1])],
        vec![],
    ));
    let init = vec![i64s("s", &[1, -1]), i64s("e", &[3, 0]), i64s("a", &[0, 1]), i64s("st", &[1, -1])];
    let v13 = ok(run(13, &[3, 4], "Slice", &["s", "e", "a", "st"], vec![], init));
    assert_eq!(v9, (vec![2, 0], vec![]));
    assert_eq!(v13, (vec![2, 3], vec![7., 6., 5., 11., 10., 9.]));

    let v10 = ok(run(10, &[2, 2], "Pad", &[], vec![ints("pads", &[0, 1, 0, 0])], vec![]));
    let (p, cv, ax) = (
        i64s("p", &[1, 0]),
        TensorProto {
            name: Some("cv".into()),
            data_type: Some(DataType::Float as i32),
            float_data: vec![0.0],
            ..Default::default()
        },
        i64s("ax", &[1]),
    );
    let v18 = ok(run(18, &[2, 2], "Pad", &["p", "cv", "ax"], vec![string("mode", "constant")], vec![p, cv, ax]));
    assert_eq!(v10, (vec![2, 3], vec![0., 0., 1., 0., 2., 3.]));
    assert_eq!(v18, v10);

    let u11 = ok(run(11, &[2], "Unsqueeze", &[], vec![ints("axes", &[0])], vec![]));
    let u13 = ok(run(13, &[2], "Unsqueeze", &["a"], vec![], vec![i64s("a", &[0])]));
    assert_eq!((u11.0.clone(), u13.0), (vec![1, 2], vec![1, 2]));

    let m13 = ok(run(13, &[2, 3], "ReduceMean", &[], vec![ints("axes", &[1]), int("keepdims", 0)], vec![]));
    let m18 = ok(run(18, &[2, 3], "ReduceMean", &["a"], vec![int("keepdims", 0)], vec![i64s("a", &[1])]));
    assert_eq!(m13, (vec![2], vec![1., 4.]));
    assert_eq!(m18, m13);
}

#[test]
fn auto_pad_and_groups_resolve_at_import() {
    let pool = ok(run(
        17,
        &[1, 1, 5, 5],
        "AveragePool",
        &[],
        vec![ints("kernel_shape", &[2, 2]), ints("strides", &[2, 2]), string("auto_pad", "SAME_UPPER")],
        vec![],
    ));
    assert_eq!(pool.0, vec![1, 1, 3, 3]);
    let w = TensorProto {
        name: Some("w".into()),
        dims: vec![2, 1, 3, 3],
        data_type: Some(DataType::Float as i32),
        float_data: vec![1.0; 18],
        ..Default::default()
    };
    // ceil_mode: a last, partial window whose divisor counts only its cells inside the input.
    let ceil = vec![ints("kernel_shape", &[3, 3]), ints("strides", &[2, 2]), int("ceil_mode", 1)];
    let pool = ok(run(19, &[1, 1, 4, 4], "AveragePool", &[], ceil, vec![]));
    assert_eq!(pool.0, vec![1, 1, 2, 2]);
    assert_eq!(pool.1[1], (2.0 + 3.0 + 6.0 + 7.0 + 10.0 + 11.0) / 6.0);
    let conv =
        ok(run(17, &[1, 2, 4, 4], "Conv", &["w"], vec![int("group", 2), string("auto_pad", "SAME_LOWER")], vec![w]));
    assert_eq!(conv.0, vec![1, 2, 4, 4]);
    // Channel 0, top-left pixel: the 2x2 corner of 0..16 = 0 + 1 + 4 + 5.
    assert_eq!(conv.1[0], 10.0);
}

#[test]
fn unsupported_attribute_values_and_computed_axes_are_errors() {
    let attr_err = |r: Result<(Vec<usize>, Vec<f32>), ImportError>, want: &str| match r {
        Err(ImportError::Attribute { node, attribute, message, .. }) => {
            assert_eq!((node.as_str(), attribute.as_str()), ("n", want), "{message}")
        }
        other => panic!("{want}: expected an attribute error, got {other:?}"),
    };
    let ceil_same = vec![ints("kernel_shape", &[2, 2]), int("ceil_mode", 1), string("auto_pad", "SAME_UPPER")];
    attr_err(run(17, &[1, 1, 4, 4], "AveragePool", &[], ceil_same, vec![]), "ceil_mode");
    // Axes computed from the input are not static.
    attr_err(run(13, &[2], "Unsqueeze", &["x"], vec![], vec![]), "axes");
    // An op outside the registry names itself.
    match run(17, &[2], "NonMaxSuppression", &[], vec![], vec![]) {
        Err(ImportError::UnsupportedOp { op, .. }) => assert_eq!(op, "NonMaxSuppression"),
        other => panic!("expected UnsupportedOp, got {other:?}"),
    }
}

fn float(name: &str, f: f32) -> AttributeProto {
    AttributeProto {
        name: Some(name.into()),
        r#type: Some(AttributeType::Float as i32),
        f: Some(f),
        ..Default::default()
    }
}

fn scalar(name: &str, v: f32) -> TensorProto {
    TensorProto {
        name: Some(name.into()),
        data_type: Some(DataType::Float as i32),
        float_data: vec![v],
        ..Default::default()
    }
}

fn close(got: &[f32], want: &[f32]) {
    assert_eq!(got.len(), want.len());
    for (g, w) in got.iter().zip(want) {
        assert!((g - w).abs() < 1e-5, "{got:?} vs {want:?}");
    }
}

#[test]
fn clip_bounds_by_attribute_and_by_input() {
    let want = vec![1.0, 1.0, 2.0, 2.5];
    let v6 = ok(run(6, &[4], "Clip", &[], vec![float("min", 1.0), float("max", 2.5)], vec![]));
    assert_eq!(v6, (vec![4], want.clone()));
    let v13 = ok(run(13, &[4], "Clip", &["lo", "hi"], vec![], vec![scalar("lo", 1.0), scalar("hi", 2.5)]));
    assert_eq!(v13, (vec![4], want));
    // Only a lower bound (Relu-like); no bounds at all is the identity.
    assert_eq!(ok(run(13, &[4], "Clip", &["lo"], vec![], vec![scalar("lo", 1.5)])).1, vec![1.5, 1.5, 2.0, 3.0]);
    assert_eq!(ok(run(11, &[4], "Clip", &[], vec![], vec![])).1, vec![0.0, 1.0, 2.0, 3.0]);
    // Opset 11 has no attributes: an old-style attribute is refused, naming it.
    let err = run(11, &[4], "Clip", &[], vec![float("min", 1.0)], vec![]).expect_err("attribute at opset 11");
    assert!(err.to_string().contains("min"), "{err}");
}

#[test]
fn activation_attributes_are_typed_with_onnx_defaults() {
    // The input is x = [0, 1, 2, 3]; expected values from the ONNX definitions.
    let hs = ok(run(6, &[4], "HardSigmoid", &[], vec![], vec![])).1;
    close(&hs, &[0.5, 0.7, 0.9, 1.0]);
    let hs = ok(run(6, &[4], "HardSigmoid", &[], vec![float("alpha", 0.5), float("beta", 0.0)], vec![])).1;
    close(&hs, &[0.0, 0.5, 1.0, 1.0]);
    close(&ok(run(13, &[4], "Sigmoid", &[], vec![], vec![])).1, &[0.5, 0.731_058_6, 0.880_797_1, 0.952_574_1]);
    close(&ok(run(13, &[4], "Erf", &[], vec![], vec![])).1, &[0.0, 0.842_700_8, 0.995_322_3, 0.999_977_9]);
    close(
        &ok(run(13, &[4], "Softplus", &[], vec![], vec![])).1,
        &[std::f32::consts::LN_2, 1.313_261_7, 2.126_928, 3.048_587_4],
    );
    close(&ok(run(14, &[4], "HardSwish", &[], vec![], vec![])).1, &[0.0, 0.666_666_7, 1.666_666_7, 3.0]);
    close(&ok(run(20, &[4], "Gelu", &[], vec![], vec![])).1, &[0.0, 0.841_344_7, 1.954_499_7, 2.995_950_4]);
    let tanh = ok(run(20, &[4], "Gelu", &[], vec![string("approximate", "tanh")], vec![])).1;
    close(&tanh, &[0.0, 0.841_192, 1.954_597_7, 2.996_362_6]);
    let err = run(20, &[4], "Gelu", &[], vec![string("approximate", "erf")], vec![]).expect_err("bad mode");
    assert!(err.to_string().contains("approximate"), "{err}");
    // Gelu is opset 20+: older models name the node and opset.
    assert!(matches!(run(13, &[4], "Gelu", &[], vec![], vec![]), Err(ImportError::UnsupportedOp { .. })));
    for (op, attrs) in [("Elu", vec![float("alpha", 0.5)]), ("LeakyRelu", vec![float("alpha", 0.2)])] {
        assert_eq!(ok(run(13, &[4], op, &[], attrs, vec![])).1, vec![0.0, 1.0, 2.0, 3.0], "{op}");
    }
    // A NaN parameter would make a table that matches nothing: refused, naming the attribute.
    let err = run(13, &[4], "LeakyRelu", &[], vec![float("alpha", f32::NAN)], vec![]).expect_err("NaN alpha");
    assert!(err.to_string().contains("alpha"), "{err}");
    close(&ok(run(13, &[4], "Sqrt", &[], vec![], vec![])).1, &[0.0, 1.0, std::f32::consts::SQRT_2, 1.732_050_8]);
    close(&ok(run(1, &[4], "Softsign", &[], vec![], vec![])).1, &[0.0, 0.5, 0.666_666_7, 0.75]);
    close(&ok(run(6, &[4], "Selu", &[], vec![], vec![])).1, &[0.0, 1.050_701, 2.101_402, 3.152_103]);
    close(&ok(run(6, &[4], "Selu", &[], vec![float("gamma", 2.0)], vec![])).1, &[0.0, 2.0, 4.0, 6.0]);
    close(&ok(run(18, &[4], "Mish", &[], vec![], vec![])).1, &[0.0, 0.865_098_4, 1.943_959, 2.986_535]);
    // Mish is opset 18+.
    assert!(matches!(run(17, &[4], "Mish", &[], vec![], vec![]), Err(ImportError::UnsupportedOp { .. })));
}

/// A node resolves to its op's version in force at the model's opset: opsets 23-28 only widened
/// the types of Reshape, Transpose, Flatten, Squeeze, Unsqueeze, Pad and Identity, so those
/// import as at opset 22; an opset newer than the importer knows, and a version it does not
/// implement, are refused with the reason.
#[test]
fn newer_opsets_resolve_to_the_version_in_force() {
    use zkinfer_onnx::{version_in_force, MAX_OPSET};
    assert_eq!(MAX_OPSET, 28);
    assert_eq!(version_in_force("Reshape", 28), Some(25));
    assert_eq!(version_in_force("Reshape", 22), Some(21));
    assert_eq!(version_in_force("Softmax", 12), Some(11));
    assert_eq!(version_in_force("Gelu", 19), None);
    assert_eq!(version_in_force("Reshape", 29), None);
    let reshape = |opset| run(opset, &[2, 3], "Reshape", &["s"], vec![], vec![i64s("s", &[3, 2])]);
    let transpose = |opset| run(opset, &[2, 3], "Transpose", &[], vec![ints("perm", &[1, 0])], vec![]);
    let flatten = |opset| run(opset, &[2, 3], "Flatten", &[], vec![int("axis", 0)], vec![]);
    let squeeze = |opset| run(opset, &[1, 3], "Squeeze", &["a"], vec![], vec![i64s("a", &[0])]);
    let unsqueeze = |opset| run(opset, &[3], "Unsqueeze", &["a"], vec![], vec![i64s("a", &[0])]);
    let pad = |opset| run(opset, &[2], "Pad", &["p"], vec![], vec![i64s("p", &[1, 0])]);
    let identity = |opset| run(opset, &[3], "Identity", &[], vec![], vec![]);
    let cases: [(&str, &dyn Fn(i64) -> Run); 7] = [
        ("Reshape", &reshape),
        ("Transpose", &transpose),
        ("Flatten", &flatten),
        ("Squeeze", &squeeze),
        ("Unsqueeze", &unsqueeze),
        ("Pad", &pad),
        ("Identity", &identity),
    ];
    for (op, case) in cases {
        let at22 = ok(case(22));
        for opset in 23..=28 {
            assert_eq!(ok(case(opset)), at22, "{op} at opset {opset}");
        }
        let err = case(29).expect_err("an opset newer than the importer knows");
        assert!(err.to_string().contains("opset 29 is newer than the newest this importer knows (28"), "{op}: {err}");
    }
    let err = run(4, &[4], "Reshape", &[], vec![ints("shape", &[2, 2])], vec![]).expect_err("Reshape version 1");
    assert!(
        err.to_string().contains("its version in force there is 1; this importer implements versions 5 and later"),
        "{err}"
    );
    let err = run(13, &[4], "Gelu", &[], vec![], vec![]).expect_err("Gelu before 20");
    assert!(err.to_string().contains("the op did not exist yet"), "{err}");
}

/// Expand and Tile re-wire the input by a constant shape or repeat count; Sum and Mean take any
/// number of inputs with broadcasting.
#[test]
fn expand_tile_sum_mean() {
    let e = ok(run(13, &[3, 1], "Expand", &["s"], vec![], vec![i64s("s", &[2, 1, 2])]));
    assert_eq!(e, (vec![2, 3, 2], vec![0., 0., 1., 1., 2., 2., 0., 0., 1., 1., 2., 2.]));
    let err = run(13, &[3, 2], "Expand", &["s"], vec![], vec![i64s("s", &[4])]).expect_err("3x2 against 4");
    assert!(err.to_string().contains("broadcast"), "{err}");
    let t = ok(run(13, &[2, 2], "Tile", &["r"], vec![], vec![i64s("r", &[2, 2])]));
    assert_eq!(t.0, vec![4, 4]);
    assert_eq!(&t.1[..8], &[0., 1., 0., 1., 2., 3., 2., 3.]);
    assert_eq!(&t.1[8..], &t.1[..8]);
    let err = run(13, &[2, 2], "Tile", &["r"], vec![], vec![i64s("r", &[2])]).expect_err("one repeat for rank 2");
    assert!(err.to_string().contains("one per dimension"), "{err}");
    let c = || float_tensor("c", &[2], vec![10., 20.]);
    let d = || float_tensor("d", &[2, 1], vec![100., 200.]);
    assert_eq!(ok(run(13, &[2, 2], "Sum", &["c", "d"], vec![], vec![c(), d()])).1, vec![110., 121., 212., 223.]);
    assert_eq!(ok(run(13, &[2, 2], "Sum", &[], vec![], vec![])).1, vec![0., 1., 2., 3.]);
    assert_eq!(ok(run(13, &[2, 2], "Mean", &["c"], vec![], vec![c()])).1, vec![5., 10.5, 6., 11.5]);
    // Version 6 did not broadcast: operands of one shape only.
    let same = float_tensor("c", &[2, 2], vec![1., 2., 3., 4.]);
    assert_eq!(ok(run(7, &[2, 2], "Sum", &["c"], vec![], vec![same])).1, vec![1., 3., 5., 7.]);
    let err = run(7, &[2, 2], "Sum", &["c"], vec![], vec![c()]).expect_err("Sum version 6 broadcasting");
    assert!(err.to_string().contains("does not broadcast"), "{err}");
}

/// The reductions ONNX defines by function bodies, with axes by attribute (opset 13) and by
/// input (opset 18), against their formulas on `x = [[0, 1, 2], [3, 4, 5]]`.
#[test]
fn composite_reductions_by_attribute_and_by_input() {
    let rows = [[0f32, 1., 2.], [3., 4., 5.]];
    let per_row = |f: &dyn Fn(&[f32]) -> f32| rows.iter().map(|r| f(r)).collect::<Vec<f32>>();
    let cases: [(&str, Vec<f32>); 5] = [
        ("ReduceSumSquare", per_row(&|r| r.iter().map(|v| v * v).sum())),
        ("ReduceL1", per_row(&|r| r.iter().map(|v| v.abs()).sum())),
        ("ReduceL2", per_row(&|r| r.iter().map(|v| v * v).sum::<f32>().sqrt())),
        ("ReduceLogSum", per_row(&|r| r.iter().sum::<f32>().ln())),
        ("ReduceLogSumExp", per_row(&|r| r.iter().map(|v| v.exp()).sum::<f32>().ln())),
    ];
    for (op, want) in cases {
        let v13 = ok(run(13, &[2, 3], op, &[], vec![ints("axes", &[1]), int("keepdims", 0)], vec![]));
        let v18 = ok(run(18, &[2, 3], op, &["a"], vec![int("keepdims", 0)], vec![i64s("a", &[1])]));
        assert_eq!(v13.0, vec![2], "{op}");
        close(&v13.1, &want);
        assert_eq!(v18, v13, "{op}");
    }
    // LpNormalization divides each row by its norm (p = 1: 3 and 12; p = 2: √5 and √50).
    let l1 = ok(run(13, &[2, 3], "LpNormalization", &[], vec![int("p", 1)], vec![])).1;
    close(&l1, &[0., 1. / 3., 2. / 3., 0.25, 4. / 12., 5. / 12.]);
    let l2 = ok(run(13, &[2, 3], "LpNormalization", &[], vec![], vec![])).1;
    close(&l2, &[0., 1. / 5f32.sqrt(), 2. / 5f32.sqrt(), 3. / 50f32.sqrt(), 4. / 50f32.sqrt(), 5. / 50f32.sqrt()]);
}

/// Einsum of one and two operands against the sums it names, on `x = 0, 1, 2, ...` (diagonals
/// and ellipses too); a malformed ellipsis and three operands are refused by name.
#[test]
fn einsum_contracts_as_its_equation_says() {
    let eq = |e: &str| string("equation", e);
    // x [2, 3] = [[0, 1, 2], [3, 4, 5]].
    assert_eq!(
        ok(run(12, &[2, 3], "Einsum", &[], vec![eq("ij->ji")], vec![])),
        (vec![3, 2], vec![0., 3., 1., 4., 2., 5.])
    );
    assert_eq!(ok(run(12, &[2, 3], "Einsum", &[], vec![eq("ij->i")], vec![])), (vec![2], vec![3., 12.]));
    assert_eq!(ok(run(12, &[2, 3], "Einsum", &[], vec![eq("ij")], vec![])).1, vec![0., 1., 2., 3., 4., 5.]);
    let w = float_tensor("w", &[3, 2], vec![1., 2., 3., 4., 5., 6.]);
    // x w: [[0+3+10, 0+4+12], [3+12+25, 6+16+30]].
    assert_eq!(
        ok(run(12, &[2, 3], "Einsum", &["w"], vec![eq("ij,jk")], vec![w.clone()])),
        (vec![2, 2], vec![13., 16., 40., 52.])
    );
    // (x w)ᵀ by the output order, and the row sums of x times the column sums of w.
    assert_eq!(
        ok(run(12, &[2, 3], "Einsum", &["w"], vec![eq("ij,jk->ki")], vec![w.clone()])).1,
        vec![13., 40., 16., 52.]
    );
    assert_eq!(ok(run(12, &[2, 3], "Einsum", &["w"], vec![eq("ij,lk->ik")], vec![w])).1, vec![27., 36., 108., 144.]);
    // A batch: x [2, 1, 3], b [2, 3, 1]: per batch a dot product.
    let b = float_tensor("b", &[2, 3, 1], vec![1., 1., 1., 1., 0., -1.]);
    assert_eq!(
        ok(run(12, &[2, 1, 3], "Einsum", &["b"], vec![eq("bij, bjk -> bik")], vec![b])),
        (vec![2, 1, 1], vec![3., -2.])
    );
    let v = float_tensor("v", &[6], vec![1.; 6]);
    assert_eq!(ok(run(12, &[6], "Einsum", &["v"], vec![eq("i,i")], vec![v])), (vec![], vec![15.]));
    // A diagonal, batched behind an ellipsis, and an ellipsis batch of MatMuls.
    assert_eq!(ok(run(12, &[2, 2], "Einsum", &[], vec![eq("ii->i")], vec![])), (vec![2], vec![0., 3.]));
    assert_eq!(ok(run(12, &[2, 2, 2], "Einsum", &[], vec![eq("...ii->...i")], vec![])).1, vec![0., 3., 4., 7.]);
    assert_eq!(ok(run(12, &[2, 2, 2], "Einsum", &[], vec![eq("...ii")], vec![])).1, vec![0., 3., 4., 7.]);
    let b = float_tensor("b", &[2, 3, 1], vec![1., 1., 1., 1., 0., -1.]);
    assert_eq!(ok(run(12, &[2, 1, 3], "Einsum", &["b"], vec![eq("...ij,...jk->...ik")], vec![b])).1, vec![3., -2.]);
    for (e, msg) in [("....ii->...i", "an ellipsis must be written"), ("ij,jk,kl->il", "one or two are supported")] {
        let err = run(12, &[2, 2, 2], "Einsum", &[], vec![eq(e)], vec![]).expect_err(e);
        assert!(err.to_string().contains(msg), "{err}");
    }
}

/// The losses at constant labels, on scores `x = [[0, 1, 2], [3, 4, 5]]` (two samples, three
/// classes), labels `[2, 0]`, class weights `[1, 2, 3]`: `-(3·2 + 1·3)` summed, over `3 + 1`
/// for the mean; an ignored label drops out of both; SoftmaxCrossEntropyLoss is the same on the
/// log-softmax of the scores, which its second output gives.
#[test]
fn losses_at_constant_labels_match_their_definitions() {
    let labels = |v: &[i64]| TensorProto {
        name: Some("t".into()),
        dims: vec![2],
        data_type: Some(DataType::Int64 as i32),
        int64_data: v.to_vec(),
        ..Default::default()
    };
    let w = || float_tensor("w", &[3], vec![1., 2., 3.]);
    let nll = |reduction: &str, t: &[i64], extra: Vec<AttributeProto>| {
        let mut attrs = vec![string("reduction", reduction)];
        attrs.extend(extra);
        ok(run(13, &[2, 3], "NegativeLogLikelihoodLoss", &["t", "w"], attrs, vec![labels(t), w()]))
    };
    assert_eq!(nll("none", &[2, 0], vec![]), (vec![2], vec![-6., -3.]));
    assert_eq!(nll("sum", &[2, 0], vec![]), (vec![], vec![-9.]));
    assert_eq!(nll("mean", &[2, 0], vec![]).1, vec![-9. / 4.]);
    assert_eq!(nll("mean", &[2, -1], vec![int("ignore_index", -1)]).1, vec![-2.]);
    let err =
        run(13, &[2, 3], "NegativeLogLikelihoodLoss", &["t"], vec![], vec![labels(&[3, 0])]).expect_err("label 3");
    assert!(err.to_string().contains("outside [0, 3)"), "{err}");

    let lsm = |r: [f32; 3]| {
        let m = r.iter().copied().fold(f32::MIN, f32::max);
        let z = r.iter().map(|v| (v - m).exp()).sum::<f32>().ln() + m;
        r.map(|v| v - z)
    };
    let (l0, l1) = (lsm([0., 1., 2.]), lsm([3., 4., 5.]));
    let sce = ok(run(
        13,
        &[2, 3],
        "SoftmaxCrossEntropyLoss",
        &["t"],
        vec![string("reduction", "sum")],
        vec![labels(&[2, 0])],
    ));
    close(&sce.1, &[-(l0[2] + l1[0])]);
}

/// Dropout at inference is the identity; in training mode it is refused unless its ratio is 0.
#[test]
fn dropout_is_the_identity_at_inference() {
    let x = vec![0., 1., 2., 3.];
    assert_eq!(ok(run(11, &[4], "Dropout", &[], vec![float("ratio", 0.2)], vec![])).1, x);
    let training = |t: bool| TensorProto {
        name: Some("t".into()),
        data_type: Some(DataType::Bool as i32),
        int32_data: vec![i32::from(t)],
        ..Default::default()
    };
    let r = |v: f32| float_tensor("r", &[], vec![v]);
    assert_eq!(ok(run(22, &[4], "Dropout", &["r", "t"], vec![], vec![r(0.5), training(false)])).1, x);
    assert_eq!(ok(run(22, &[4], "Dropout", &["r", "t"], vec![], vec![r(0.0), training(true)])).1, x);
    let err = run(22, &[4], "Dropout", &["r", "t"], vec![], vec![r(0.5), training(true)]).expect_err("training");
    assert!(err.to_string().contains("random dropping has no proof"), "{err}");
}

/// Pow by a constant exponent (x^2 an exact product, others a table) and Reciprocal.
#[test]
fn pow_and_reciprocal() {
    let e = |v: f32| float_tensor("e", &[], vec![v]);
    assert_eq!(ok(run(13, &[4], "Pow", &["e"], vec![], vec![e(2.0)])).1, vec![0., 1., 4., 9.]);
    assert_eq!(ok(run(13, &[4], "Pow", &["e"], vec![], vec![e(3.0)])).1, vec![0., 1., 8., 27.]);
    close(
        &ok(run(15, &[4], "Pow", &["e"], vec![], vec![e(0.5)])).1,
        &[0.0, 1.0, std::f32::consts::SQRT_2, 1.732_050_8],
    );
    let y = ok(run(13, &[4], "Reciprocal", &[], vec![], vec![])).1;
    assert!(y[0].is_infinite());
    close(&y[1..], &[1.0, 0.5, 1.0 / 3.0]);
    // A tensor of exponents: per exponent, its power where it applies.
    let y = ok(run(13, &[4], "Pow", &["e"], vec![], vec![float_tensor("e", &[4], vec![3., 2., 3., 2.])])).1;
    assert_eq!(y, vec![0., 1., 8., 9.]);
    let many = float_tensor("e", &[9], (0..9).map(|v| v as f32).collect());
    let err = run(13, &[9], "Pow", &["e"], vec![], vec![many]).expect_err("nine exponents");
    assert!(err.to_string().contains("9 distinct exponents"), "{err}");
}

/// Cast to a float type is the identity (version 25 too: its new attribute concerns float8
/// targets only), half precision included (the fixed-point value is kept, not rounded to 10
/// fraction bits); to a float8 type it is refused by name.
#[test]
fn cast() {
    let to = |t: DataType| vec![int("to", t as i64)];
    assert_eq!(ok(run(13, &[3], "Cast", &[], to(DataType::Float), vec![])).1, vec![0., 1., 2.]);
    let rounded = vec![int("to", DataType::Double as i64), string("round_mode", "up")];
    assert_eq!(ok(run(25, &[3], "Cast", &[], rounded, vec![])).1, vec![0., 1., 2.]);
    assert_eq!(ok(run(13, &[3], "Cast", &[], to(DataType::Float16), vec![])).1, vec![0., 1., 2.]);
    assert_eq!(ok(run(13, &[3], "Cast", &[], to(DataType::Bfloat16), vec![])).1, vec![0., 1., 2.]);
    let err = run(19, &[3], "Cast", &[], to(DataType::Float8e4m3fn), vec![]).expect_err("float8");
    assert!(err.to_string().contains("a cast to FLOAT8E4M3FN is not supported"), "{err}");
}

/// CastLike takes the element type of its second input: like the (float) graph input it is the
/// identity, and `CastLike(constant, X)`, as the ONNX function bodies write it, folds; a constant
/// cast like an int64 constant is truncated; a target of unknown type is refused by name.
#[test]
fn cast_like() {
    let parse_graph = |nodes: Vec<NodeProto>, initializer: Vec<TensorProto>| {
        let graph = GraphProto {
            node: nodes,
            initializer,
            input: vec![info("x", &[3])],
            output: vec![info("y", &[])],
            ..Default::default()
        };
        let opset = OperatorSetIdProto { domain: Some(String::new()), version: Some(21) };
        let model =
            ModelProto { graph: Some(graph), opset_import: vec![opset], ir_version: Some(8), ..Default::default() };
        parse(&model.encode_to_vec())
    };
    let eval = |g: zkinfer_graph::Graph| g.eval(&[0.5, 1.5, -2.5]).unwrap().iter().copied().collect::<Vec<f32>>();
    // Like the input: the identity, on a computed value and on a constant (folded).
    let g = parse_graph(
        vec![
            node("CastLike", &["x", "x"], "c", vec![]),
            node("CastLike", &["half", "x"], "h", vec![]),
            node("Mul", &["c", "h"], "y", vec![]),
        ],
        vec![float_tensor("half", &[1], vec![0.5])],
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(eval(g), vec![0.25, 0.75, -1.25]);
    // Like an int64 constant: a float constant is truncated toward zero.
    let g = parse_graph(
        vec![node("CastLike", &["f", "i"], "t", vec![]), node("Add", &["x", "t"], "y", vec![])],
        vec![float_tensor("f", &[1], vec![2.75]), i64s("i", &[7])],
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(eval(g), vec![2.5, 3.5, -0.5]);
    // Like a computed value whose type nothing declares: refused by name.
    let err = parse_graph(
        vec![node("LpNormalization", &["x"], "r", vec![]), node("CastLike", &["x", "r"], "y", vec![])],
        vec![],
    )
    .expect_err("unknown target type");
    assert!(err.to_string().contains("the element type of the second input is not known"), "{err}");
    // Div of int64 constants truncates toward zero, as ONNX's integer Div does.
    let g = parse_graph(
        vec![node("Div", &["a", "b"], "q", vec![]), node("Add", &["x", "q"], "y", vec![])],
        vec![i64s("a", &[-7, 7, 9]), i64s("b", &[2, 2, 2])],
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(eval(g), vec![-2.5, 4.5, 1.5]);
}

/// Size and ConstantOfShape fold to constants at import.
#[test]
fn size_and_constant_of_shape() {
    assert_eq!(ok(run(13, &[2, 3], "Size", &[], vec![], vec![])).1, vec![6.]);
    let value = AttributeProto {
        name: Some("value".into()),
        r#type: Some(AttributeType::Tensor as i32),
        t: Some(float_tensor("v", &[1], vec![0.5])),
        ..Default::default()
    };
    let graph = GraphProto {
        node: vec![node("ConstantOfShape", &["s"], "c", vec![value]), node("Add", &["x", "c"], "y", vec![])],
        initializer: vec![i64s("s", &[2, 3])],
        input: vec![info("x", &[2, 3])],
        output: vec![info("y", &[])],
        ..Default::default()
    };
    let opset = OperatorSetIdProto { domain: Some(String::new()), version: Some(21) };
    let bytes = ModelProto { graph: Some(graph), opset_import: vec![opset], ir_version: Some(8), ..Default::default() }
        .encode_to_vec();
    let y = parse(&bytes).unwrap_or_else(|e| panic!("{e}")).eval(&[0., 1., 2., 3., 4., 5.]).unwrap();
    assert_eq!(y.iter().copied().collect::<Vec<f32>>(), vec![0.5, 1.5, 2.5, 3.5, 4.5, 5.5]);
}

/// Range and the comparisons fold on constants; a comparison of a computed value is refused when
/// lowered (its f32 evaluation is the reference's).
#[test]
fn range_and_comparisons() {
    let s = |name: &str, v: f32| float_tensor(name, &[], vec![v]);
    // y = x + (Range(0, 6, 2) < 3): [1, 1, 0] added to x.
    let graph = GraphProto {
        node: vec![
            node("Range", &["a", "b", "d"], "r", vec![]),
            node("Less", &["r", "t"], "m", vec![]),
            node("Add", &["x", "m"], "y", vec![]),
        ],
        initializer: vec![s("a", 0.), s("b", 6.), s("d", 2.), s("t", 3.)],
        input: vec![info("x", &[3])],
        output: vec![info("y", &[])],
        ..Default::default()
    };
    let opset = OperatorSetIdProto { domain: Some(String::new()), version: Some(27) };
    let bytes = ModelProto { graph: Some(graph), opset_import: vec![opset], ir_version: Some(8), ..Default::default() }
        .encode_to_vec();
    let y = parse(&bytes).unwrap_or_else(|e| panic!("{e}")).eval(&[10., 20., 30.]).unwrap();
    assert_eq!(y.iter().copied().collect::<Vec<f32>>(), vec![11., 21., 30.]);
    assert_eq!(
        ok(run(13, &[3], "Equal", &["c"], vec![], vec![float_tensor("c", &[3], vec![0., 5., 2.])])).1,
        vec![1., 0., 1.]
    );
    assert_eq!(ok(run(13, &[3], "Not", &[], vec![], vec![])).1, vec![1., 0., 0.]);
}
