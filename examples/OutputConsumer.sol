// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity ^0.8.19;

/// The verifier `zkinfer solidity` generates (deployed with its ZkinferVerifyingKey contracts and
/// the model's `ZKINFER_KEY_HASH`, which it keeps as `keyHash()`). `verifyProof` returns false for
/// an invalid proof, including one with another number of instances than the model's, and
/// reverts when it cannot reach a verdict (too little gas): a revert is never a rejection.
interface IZkinferVerifier {
    function verifyProof(bytes calldata proof, uint256[] calldata instances) external view returns (bool);
}

/// @title Example consumer of a verified zkinfer output.
/// @notice Accepts a classification only with a valid proof, and reads the model's output from
/// the public instances.
///
/// How outputs are encoded: `instances` is the circuit's instance column in row order (the
/// `instances` segments of settings.json): every public model input first (none unless compiled
/// with `--input-visibility public`), then every public output, each row-major. Each value is a
/// BN254 scalar-field element: a signed fixed-point integer q (the real value is q / 2^scale,
/// `outputs[i].scale` in settings.json) is q when q >= 0
/// and R - |q| when q < 0. So a field element v decodes as: v <= R/2 ? int(v) : -int(R - v).
contract OutputConsumer {
    uint256 internal constant R = 0x30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000001;

    IZkinferVerifier public immutable verifier;
    /// Number of output values (the last `numOutputs` instances).
    uint256 public immutable numOutputs;
    /// Fixed-point scale of the outputs: value = q / 2^outputScale.
    uint8 public immutable outputScale;

    /// The most recent verified output, as signed fixed-point integers at `outputScale`.
    int256[] public lastOutput;
    /// Index of the largest output (the predicted class) of the most recent verified proof.
    uint256 public lastClass;

    event Classified(uint256 indexed predictedClass, int256 score, uint8 scale);

    constructor(IZkinferVerifier verifier_, uint256 numOutputs_, uint8 outputScale_) {
        verifier = verifier_;
        numOutputs = numOutputs_;
        outputScale = outputScale_;
    }

    /// Field element -> signed fixed-point integer (reverts on values that are not small).
    function toSigned(uint256 v) public pure returns (int256) {
        require(v < R, "not a field element");
        if (v <= R / 2) return int256(v);
        return -int256(R - v);
    }

    /// Verifies the proof, then stores the decoded output and its argmax.
    function submit(bytes calldata proof, uint256[] calldata instances) external returns (uint256 predicted) {
        require(instances.length >= numOutputs && numOutputs > 0, "wrong instance count");
        require(verifier.verifyProof(proof, instances), "invalid proof");
        delete lastOutput;
        uint256 first = instances.length - numOutputs;
        int256 best = type(int256).min;
        for (uint256 i = 0; i < numOutputs; i++) {
            int256 q = toSigned(instances[first + i]);
            lastOutput.push(q);
            if (q > best) {
                best = q;
                predicted = i;
            }
        }
        lastClass = predicted;
        emit Classified(predicted, best, outputScale);
    }
}
