//! `Attention` (opset 23) built from its function body: the imported graph against an f64
//! reference written from the ONNX definition, for 3-D grouped-query inputs with a causal mask
//! and a softcap, and 4-D self-attention with a boolean mask; a KV cache is refused by name.

use prost::Message;
use zkinfer_onnx::proto::tensor_proto::DataType;
use zkinfer_onnx::proto::{AttributeProto, GraphProto, ModelProto, OperatorSetIdProto, TensorProto};
use zkinfer_onnx::testing::{float_info, float_tensor, int_attr, node};
use zkinfer_onnx::{parse, ImportError};

fn float_attr(name: &str, v: f32) -> AttributeProto {
    AttributeProto {
        name: Some(name.into()),
        r#type: Some(zkinfer_onnx::proto::attribute_proto::AttributeType::Float as i32),
        f: Some(v),
        ..Default::default()
    }
}

fn vals(n: usize, seed: usize) -> Vec<f32> {
    (0..n).map(|i| ((i * 29 + seed * 17 + 5) % 23) as f32 / 11.0 - 1.0).collect()
}

/// `Attention(inputs...)` at opset 23 with `x` of `x_dims` the model input and `init` the rest.
fn model(
    inputs: &[&str],
    outputs: &[&str],
    attrs: Vec<AttributeProto>,
    x_dims: &[i64],
    init: Vec<TensorProto>,
) -> Vec<u8> {
    let mut n = node("Attention", inputs, outputs[0], attrs);
    n.output = outputs.iter().map(|s| s.to_string()).collect();
    let graph = GraphProto {
        node: vec![n],
        initializer: init,
        input: vec![float_info("x", x_dims)],
        output: outputs.iter().map(|o| float_info(o, &[])).collect(),
        ..Default::default()
    };
    let opset = OperatorSetIdProto { domain: Some(String::new()), version: Some(23) };
    ModelProto { graph: Some(graph), opset_import: vec![opset], ir_version: Some(9), ..Default::default() }
        .encode_to_vec()
}

/// One head: `softmax(softcap(q kᵀ · scale) + mask) v` over `[sq, d] x [skv, d] x [skv, dv]`.
#[allow(clippy::too_many_arguments)]
fn head(
    q: &[f64],
    k: &[f64],
    v: &[f64],
    sq: usize,
    skv: usize,
    d: usize,
    dv: usize,
    scale: f64,
    softcap: f64,
    mask: &dyn Fn(usize, usize) -> f64,
) -> Vec<f64> {
    let mut out = vec![0.0; sq * dv];
    for i in 0..sq {
        let s: Vec<f64> = (0..skv)
            .map(|j| {
                let mut x = (0..d).map(|t| q[i * d + t] * k[j * d + t]).sum::<f64>() * scale;
                if softcap > 0.0 {
                    x = softcap * (x / softcap).tanh();
                }
                x + mask(i, j)
            })
            .collect();
        let m = s.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let e: Vec<f64> = s.iter().map(|x| (x - m).exp()).collect();
        let z: f64 = e.iter().sum();
        for c in 0..dv {
            out[i * dv + c] = (0..skv).map(|j| e[j] / z * v[j * dv + c]).sum();
        }
    }
    out
}

fn close(got: &[f32], want: &[f64]) {
    assert_eq!(got.len(), want.len());
    for (g, w) in got.iter().zip(want) {
        assert!((f64::from(*g) - w).abs() < 1e-5, "{got:?}\n{want:?}");
    }
}

/// 3-D inputs, 4 query heads over 2 key/value heads, causal, softcap 2: query head h reads
/// key/value head h / 2, and query i sees the keys j <= i.
#[test]
fn grouped_query_causal_softcapped_3d_attention_matches_its_definition() {
    let (sq, skv, d, dv, nq, nkv) = (3, 4, 2, 3, 4, 2);
    let (k, v) = (vals(skv * nkv * d, 1), vals(skv * nkv * dv, 2));
    let attrs = vec![
        int_attr("q_num_heads", nq as i64),
        int_attr("kv_num_heads", nkv as i64),
        int_attr("is_causal", 1),
        float_attr("softcap", 2.0),
    ];
    let init = vec![
        float_tensor("k", &[1, skv as i64, (nkv * d) as i64], k.clone()),
        float_tensor("v", &[1, skv as i64, (nkv * dv) as i64], v.clone()),
    ];
    let g = parse(&model(&["x", "k", "v"], &["y"], attrs, &[1, sq as i64, (nq * d) as i64], init)).expect("import");
    let x = vals(sq * nq * d, 3);
    let y = g.eval(&x).expect("eval");
    assert_eq!(y.shape(), &[1, sq, nq * dv]);
    // Split [seq, heads·size] into per-head matrices.
    let per_head = |t: &[f32], seq: usize, heads: usize, size: usize, h: usize| -> Vec<f64> {
        (0..seq)
            .flat_map(|s| (0..size).map(move |c| (s, c)))
            .map(|(s, c)| f64::from(t[s * heads * size + h * size + c]))
            .collect()
    };
    let causal = |i: usize, j: usize| if j > i { f64::NEG_INFINITY } else { 0.0 };
    let mut want = vec![0.0; sq * nq * dv];
    for h in 0..nq {
        let o = head(
            &per_head(&x, sq, nq, d, h),
            &per_head(&k, skv, nkv, d, h / 2),
            &per_head(&v, skv, nkv, dv, h / 2),
            sq,
            skv,
            d,
            dv,
            1.0 / (d as f64).sqrt(),
            2.0,
            &causal,
        );
        for s in 0..sq {
            for c in 0..dv {
                want[s * nq * dv + h * dv + c] = o[s * dv + c];
            }
        }
    }
    close(y.as_slice().expect("contiguous"), &want);
}

/// 4-D self-attention (Q = K = V, all computed) with a constant boolean mask and a scale.
#[test]
fn self_attention_with_a_boolean_mask_matches_its_definition() {
    let (h, s, d) = (2, 3, 2);
    let keep = [1, 0, 1, 1, 1, 0, 0, 1, 1];
    let mask = TensorProto {
        name: Some("m".into()),
        dims: vec![s as i64, s as i64],
        data_type: Some(DataType::Bool as i32),
        int32_data: keep.to_vec(),
        ..Default::default()
    };
    let attrs = vec![float_attr("scale", 0.7)];
    let g = parse(&model(&["x", "x", "x", "m"], &["y"], attrs, &[1, h as i64, s as i64, d as i64], vec![mask]))
        .expect("import");
    let x = vals(h * s * d, 4);
    let y = g.eval(&x).expect("eval");
    let xf: Vec<f64> = x.iter().map(|&v| f64::from(v)).collect();
    let m = |i: usize, j: usize| if keep[i * s + j] == 1 { 0.0 } else { f64::NEG_INFINITY };
    let want: Vec<f64> = (0..h)
        .flat_map(|hh| {
            let q = &xf[hh * s * d..(hh + 1) * s * d];
            head(q, q, q, s, s, d, d, 0.7, 0.0, &m)
        })
        .collect();
    close(y.as_slice().expect("contiguous"), &want);
}

#[test]
fn a_kv_cache_is_concatenated_before_the_new_keys_and_a_padded_one_refused() {
    let dims = [1i64, 1, 2, 2];
    let past =
        || vec![float_tensor("pk", &[1, 1, 1, 2], vec![0.5, -1.0]), float_tensor("pv", &[1, 1, 1, 2], vec![2.0, 0.25])];
    let bytes = model(&["x", "x", "x", "", "pk", "pv"], &["y", "present_k", "present_v"], vec![], &dims, past());
    let g = parse(&bytes).expect("a KV cache, the mask omitted");
    let x = vals(4, 5);
    let outs = g.eval_outputs(&[&x]).expect("eval");
    let flat = |t: &zkinfer_graph::Tensor| t.iter().copied().collect::<Vec<f32>>();
    assert_eq!(flat(&outs[1]), [&[0.5, -1.0][..], &x].concat(), "present_key = past ++ new");
    assert_eq!(flat(&outs[2]), [&[2.0, 0.25][..], &x].concat(), "present_value = past ++ new");
    // Each query attends to the cached key and every new key (no causal mask).
    let xf: Vec<f64> = x.iter().map(|&v| f64::from(v)).collect();
    let keys: Vec<f64> = [0.5, -1.0].into_iter().chain(xf.iter().copied()).collect();
    let values: Vec<f64> = [2.0, 0.25].into_iter().chain(xf.iter().copied()).collect();
    let want = head(&xf, &keys, &values, 2, 3, 2, 2, 1.0 / 2f64.sqrt(), 0.0, &|_, _| 0.0);
    close(outs[0].as_slice().expect("contiguous"), &want);
    let mut inputs = past();
    inputs.push(float_tensor("n", &[1], vec![1.0]));
    let err: ImportError =
        parse(&model(&["x", "x", "x", "", "pk", "pv", "n"], &["y"], vec![], &dims, inputs)).expect_err("padded");
    assert!(err.to_string().contains("nonpad_kv_seqlen"), "{err}");
    // A node without inputs is an error, not a panic.
    let err = parse(&model(&[], &["y"], vec![], &dims, vec![])).expect_err("no inputs");
    assert!(err.to_string().contains("3-D or all 4-D"), "{err}");
}
