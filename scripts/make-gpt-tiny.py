"""Writes examples/models/gpt_tiny.{onnx,input.json,calibration.json,float_output.json}: a
two-layer GPT-style language model with random weights from fixed seeds, written node for node
the way `torch.onnx.export` (opset 17, TorchScript exporter) writes nanoGPT's blocks:

- `input_ids` (int64, [1, 8]) into a token embedding (`Gather`) plus a position embedding;
- per layer: a decomposed LayerNorm (ReduceMean, Sub, Pow 2, ReduceMean, Add eps, Sqrt, Div, Mul,
  Add), one fused qkv MatMul split in three (Split), heads by Reshape/Transpose, scores scaled
  by a Mul, the causal mask as nanoGPT's registered `tril` buffer (a Slice of it, `Equal 0`,
  `Where(masked, -inf, scores)`), Softmax, the value MatMul, an output projection and a residual;
  then an MLP with the tanh form of GELU (`0.5·x·(1 + tanh(sqrt(2/pi)·(x + 0.044715·x^3)))`);
- a final decomposed LayerNorm and the LM head, and the last position's logits
  (`Gather(index = -1)` along the sequence), [1, 32].

The float reference comes from onnxruntime. Needs numpy, onnx and onnxruntime:
    pip install numpy onnx onnxruntime && python3 scripts/make-gpt-tiny.py
"""

import json
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

VOCAB, T, D, HEADS, LAYERS, MLP = 32, 8, 16, 2, 2, 64
SEED = 20261204
OUT = Path(__file__).resolve().parent.parent / "examples" / "models"

rng = np.random.default_rng(SEED)
nodes, inits = [], []
counter = [0]


def name(prefix):
    counter[0] += 1
    return f"{prefix}_{counter[0]}"


def const(value, prefix="c", dtype=np.float32):
    n = name(prefix)
    inits.append(numpy_helper.from_array(np.asarray(value, dtype=dtype), n))
    return n


def op(op_type, inputs, prefix=None, **attrs):
    out = name(prefix or op_type.lower())
    nodes.append(helper.make_node(op_type, inputs, [out], name=out, **attrs))
    return out


def weight(shape, fan_in):
    return const(rng.normal(0.0, 1.0 / np.sqrt(fan_in), size=shape), "w")


def layer_norm(x):
    """nanoGPT's LayerNorm as the exporter decomposes it at opset 17 without the fused op."""
    mean = op("ReduceMean", [x], axes=[-1], keepdims=1)
    centered = op("Sub", [x, mean])
    square = op("Pow", [centered, const(2.0)])
    var = op("ReduceMean", [square], axes=[-1], keepdims=1)
    std = op("Sqrt", [op("Add", [var, const(1e-5)])])
    normed = op("Div", [centered, std])
    gamma = const(1.0 + 0.1 * rng.normal(size=D), "ln_w")
    beta = const(0.1 * rng.normal(size=D), "ln_b")
    return op("Add", [op("Mul", [normed, gamma]), beta])


def gelu_tanh(x):
    cube = op("Pow", [x, const(3.0)])
    inner = op("Add", [x, op("Mul", [cube, const(0.044715)])])
    t = op("Tanh", [op("Mul", [inner, const(np.sqrt(2.0 / np.pi))])])
    return op("Mul", [op("Mul", [x, const(0.5)]), op("Add", [t, const(1.0)])])


def attention(x, tril):
    hd = D // HEADS
    qkv = op("Add", [op("MatMul", [x, weight((D, 3 * D), D)]), const(0.02 * rng.normal(size=3 * D), "b")])
    q, k, v = (name("split") for _ in range(3))
    nodes.append(helper.make_node("Split", [qkv, const([D, D, D], "split", np.int64)], [q, k, v], axis=-1))
    heads = const([1, T, HEADS, hd], "shape", np.int64)
    q, k, v = (op("Transpose", [op("Reshape", [t, heads])], perm=[0, 2, 1, 3]) for t in (q, k, v))
    kt = op("Transpose", [k], perm=[0, 1, 3, 2])
    scores = op("Mul", [op("MatMul", [q, kt]), const(1.0 / np.sqrt(hd))])
    # self.bias[:, :, :T, :T] == 0, then masked_fill(-inf): the exporter's Slice/Equal/Where.
    starts, ends, axes = (const(v, "s", np.int64) for v in ([0, 0], [T, T], [2, 3]))
    window = op("Slice", [tril, starts, ends, axes])
    masked = op("Equal", [window, const(0.0)])
    scores = op("Where", [masked, const(-np.inf), scores])
    probs = op("Softmax", [scores], axis=-1)
    y = op("Transpose", [op("MatMul", [probs, v])], perm=[0, 2, 1, 3])
    y = op("Reshape", [y, const([1, T, D], "shape", np.int64)])
    return op("Add", [op("MatMul", [y, weight((D, D), D)]), const(0.02 * rng.normal(size=D), "b")])


def build():
    ids = helper.make_tensor_value_info("input_ids", TensorProto.INT64, [1, T])
    logits = helper.make_tensor_value_info("logits", TensorProto.FLOAT, [1, VOCAB])
    tok = const(rng.normal(0.0, 0.5, size=(VOCAB, D)), "wte")
    pos = const(rng.normal(0.0, 0.2, size=(T, D)), "wpe")
    tril = const(np.tril(np.ones((T, T)))[None, None], "bias")
    x = op("Add", [op("Gather", [tok, "input_ids"], axis=0), pos])
    for _ in range(LAYERS):
        x = op("Add", [x, attention(layer_norm(x), tril)])
        h = layer_norm(x)
        h = op("Add", [op("MatMul", [h, weight((D, MLP), D)]), const(0.02 * rng.normal(size=MLP), "b")])
        h = gelu_tanh(h)
        h = op("Add", [op("MatMul", [h, weight((MLP, D), MLP)]), const(0.02 * rng.normal(size=D), "b")])
        x = op("Add", [x, h])
    head = op("MatMul", [layer_norm(x), weight((D, VOCAB), D)])
    last = op("Gather", [head, const(-1, "last", np.int64)], axis=1)
    nodes.append(helper.make_node("Identity", [last], ["logits"], name="logits"))
    graph = helper.make_graph(nodes, "gpt_tiny", [ids], [logits], inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], producer_name="zkinfer")
    onnx.checker.check_model(model, full_check=True)
    return model


def main():
    import onnxruntime as ort

    model = build()
    OUT.mkdir(parents=True, exist_ok=True)
    onnx.save(model, OUT / "gpt_tiny.onnx")
    data = np.random.default_rng(SEED + 1)
    sample = data.integers(0, VOCAB, size=(1, T))
    calibration = data.integers(0, VOCAB, size=(32, T))
    session = ort.InferenceSession(str(OUT / "gpt_tiny.onnx"), providers=["CPUExecutionProvider"])
    (out,) = session.run(None, {"input_ids": sample.astype(np.int64)})
    write = lambda path, key, rows: (OUT / path).write_text(json.dumps({key: rows}))
    write("gpt_tiny.input.json", "input_data", [[float(v) for v in sample.flatten()]])
    write("gpt_tiny.calibration.json", "input_data", [[float(v) for v in calibration.flatten()]])
    write("gpt_tiny.float_output.json", "output_data", [[float(v) for v in out.flatten()]])
    print(f"wrote {OUT / 'gpt_tiny.onnx'}: {len(model.graph.node)} nodes, next-token logits {out.shape}")


if __name__ == "__main__":
    main()
