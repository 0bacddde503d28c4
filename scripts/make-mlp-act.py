"""Writes examples/models/mlp_act.{onnx,input.json,calibration.json,float_output.json}: a digit
classifier with smooth activations, `Gemm -> Tanh -> Gemm -> Sigmoid -> Gemm` (64 -> 32 -> 32
-> 10), the model the table planner is measured on: its rows fit a small circuit, and two
full-size tables (one per activation) would set its `k` instead.

Trained with full-batch Adam (numpy, fixed seed) on scikit-learn's 8x8 digits, scaled to
[0, 1], leaving out the 360 images of examples/models/digits_test.json, on which the accuracy is
measured. The sample input is the first test image (a 7, like the other digit models); the
calibration set is the first 16 test images. The float reference comes from onnxruntime. Needs
numpy, onnx, onnxruntime and scikit-learn:
    pip install numpy onnx onnxruntime scikit-learn && python3 scripts/make-mlp-act.py
"""

import json
from pathlib import Path

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

SEED, HIDDEN, EPOCHS, RATE = 20261205, 32, 600, 0.01
OUT = Path(__file__).resolve().parent.parent / "examples" / "models"


def data():
    from sklearn.datasets import load_digits

    digits = load_digits()
    x, y = digits.data.astype(np.float32) / 16.0, digits.target
    test = json.loads((OUT / "digits_test.json").read_text())
    test_x = np.asarray(test["input_data"], dtype=np.float32)
    held = {row.tobytes() for row in test_x}
    keep = np.array([row.tobytes() not in held for row in x])
    return x[keep], y[keep], test_x, np.asarray(test["labels"])


def train(x, y):
    rng = np.random.default_rng(SEED)
    sizes = [(64, HIDDEN), (HIDDEN, HIDDEN), (HIDDEN, 10)]
    params = []
    for fan_in, fan_out in sizes:
        params += [rng.normal(0.0, 1.0 / np.sqrt(fan_in), size=(fan_in, fan_out)), np.zeros(fan_out)]
    m = [np.zeros_like(p) for p in params]
    v = [np.zeros_like(p) for p in params]
    onehot = np.eye(10)[y]
    for step in range(1, EPOCHS + 1):
        w1, b1, w2, b2, w3, b3 = params
        h1 = np.tanh(x @ w1 + b1)
        h2 = 1.0 / (1.0 + np.exp(-(h1 @ w2 + b2)))
        z = h2 @ w3 + b3
        p = np.exp(z - z.max(axis=1, keepdims=True))
        p /= p.sum(axis=1, keepdims=True)
        dz = (p - onehot) / len(x)
        dh2 = dz @ w3.T * h2 * (1.0 - h2)
        dh1 = dh2 @ w2.T * (1.0 - h1 * h1)
        grads = [x.T @ dh1, dh1.sum(0), h1.T @ dh2, dh2.sum(0), h2.T @ dz, dz.sum(0)]
        for i, g in enumerate(grads):
            m[i] = 0.9 * m[i] + 0.1 * g
            v[i] = 0.999 * v[i] + 0.001 * g * g
            mh, vh = m[i] / (1 - 0.9**step), v[i] / (1 - 0.999**step)
            params[i] -= RATE * mh / (np.sqrt(vh) + 1e-8)
    return [p.astype(np.float32) for p in params]


def build(params):
    w1, b1, w2, b2, w3, b3 = params
    inits = [numpy_helper.from_array(p, n) for p, n in zip(params, ["w1", "b1", "w2", "b2", "w3", "b3"])]
    nodes = [
        helper.make_node("Gemm", ["input", "w1", "b1"], ["z1"], name="fc1"),
        helper.make_node("Tanh", ["z1"], ["h1"], name="tanh"),
        helper.make_node("Gemm", ["h1", "w2", "b2"], ["z2"], name="fc2"),
        helper.make_node("Sigmoid", ["z2"], ["h2"], name="sigmoid"),
        helper.make_node("Gemm", ["h2", "w3", "b3"], ["output"], name="fc3"),
    ]
    graph = helper.make_graph(
        nodes,
        "mlp_act",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, 64])],
        [helper.make_tensor_value_info("output", TensorProto.FLOAT, [1, 10])],
        inits,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], producer_name="zkinfer")
    onnx.checker.check_model(model, full_check=True)
    return model


def main():
    import onnxruntime as ort

    x, y, test_x, test_y = data()
    params = train(x, y)
    model = build(params)
    OUT.mkdir(parents=True, exist_ok=True)
    onnx.save(model, OUT / "mlp_act.onnx")
    session = ort.InferenceSession(str(OUT / "mlp_act.onnx"), providers=["CPUExecutionProvider"])
    run = lambda row: session.run(None, {"input": row[None, :]})[0][0]
    accuracy = float(np.mean([np.argmax(run(row)) == label for row, label in zip(test_x, test_y)]))
    sample, out = test_x[0], run(test_x[0])
    write = lambda path, key, rows: (OUT / path).write_text(json.dumps({key: rows}))
    write("mlp_act.input.json", "input_data", [[float(v) for v in sample]])
    write("mlp_act.calibration.json", "input_data", [[float(v) for v in test_x[:16].flatten()]])
    (OUT / "mlp_act.float_output.json").write_text(
        json.dumps({"output_data": [[float(v) for v in out]], "shape": [1, 10]})
    )
    print(f"wrote {OUT / 'mlp_act.onnx'}: {len(x)} training images, test accuracy {accuracy:.4f} on {len(test_x)}")
    print(f"sample label {test_y[0]}, predicted {int(np.argmax(out))}")


if __name__ == "__main__":
    main()
