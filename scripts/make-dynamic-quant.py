"""Writes examples/dynamic_quant/mlp_digits_int8.{onnx,input.json,calibration.json,ort_output.json}:
the bundled mlp_digits as onnxruntime's dynamic quantization writes it (`quantize_dynamic`,
int8 weights): each MatMul becomes DynamicQuantizeLinear of its activation, MatMulInteger,
Cast and a Mul by the product of the two scales. The input and calibration set are
mlp_digits' own; the reference output is onnxruntime's run of the quantized model on the input.
Needs numpy, onnx and onnxruntime:
    pip install numpy onnx onnxruntime && python3 scripts/make-dynamic-quant.py
"""

import json
import shutil
from pathlib import Path

import numpy as np
import onnxruntime as rt
from onnxruntime.quantization import QuantType, quantize_dynamic

ROOT = Path(__file__).resolve().parent.parent
MODELS, OUT = ROOT / "examples" / "models", ROOT / "examples" / "dynamic_quant"


def main():
    OUT.mkdir(exist_ok=True)
    model = OUT / "mlp_digits_int8.onnx"
    quantize_dynamic(str(MODELS / "mlp_digits.onnx"), str(model), weight_type=QuantType.QInt8)
    for suffix in ("input.json", "calibration.json"):
        shutil.copy(MODELS / f"mlp_digits.{suffix}", OUT / f"mlp_digits_int8.{suffix}")
    x = np.array(json.loads((MODELS / "mlp_digits.input.json").read_text())["input_data"][0], np.float32)
    session = rt.InferenceSession(str(model))
    name = session.get_inputs()[0].name
    y = session.run(None, {name: x.reshape(session.get_inputs()[0].shape)})[0]
    (OUT / "mlp_digits_int8.ort_output.json").write_text(json.dumps([float(v) for v in y.flatten()]) + "\n")


if __name__ == "__main__":
    main()
