// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity ^0.8.19;

/// The Groth16 verifier zkinfer generates (`ZkinferGroth16Verifier`): `verifyProof` returns
/// false for an invalid proof, including one with another number of public inputs than the
/// model's, and reverts when it cannot reach a verdict (too little gas): a revert is never a
/// rejection.
interface IZkinferGroth16Verifier {
    function verifyProof(bytes calldata proof, uint256[] calldata instances) external view returns (bool);
}

/// @title Example consumer of a Groth16-verified zkinfer output, with the outputs packed.
/// @notice Accepts a classification only with a valid proof, and unpacks the model's outputs
/// from the proof's public inputs.
///
/// How outputs are packed: the Groth16 statement puts several bounded values in one field
/// element. An output that a rescale produces lies in [-2^(w-1), 2^(w-1)) for its width w, and
/// is stored as the w-bit number v + 2^(w-1); each word holds m = floor(252 / w) of them, value i
/// of the word at bits [w·i, w·(i+1)). So value i of the outputs is
///     ((word[i / m] >> (w · (i % m))) & (2^w - 1)) - 2^(w-1),
/// and the real value is that integer / 2^scale. The circuit range-checks every slot, so a valid
/// proof's words decode to exactly the values the model produced. This contract assumes the
/// outputs are the last public inputs (the model's input private, one output), which is the
/// default; `zkinfer::groth16::Packing` lists every segment and its width.
contract Groth16Consumer {
    /// Bits a word fills at most (2^252 < the field's order, so a word never wraps).
    uint256 internal constant WORD_BITS = 252;

    IZkinferGroth16Verifier public immutable verifier;
    /// Number of output values.
    uint256 public immutable numOutputs;
    /// Bits per packed value.
    uint256 public immutable width;
    /// Fixed-point scale of the outputs: value = q / 2^outputScale.
    uint8 public immutable outputScale;

    /// The most recent verified output, as signed fixed-point integers at `outputScale`.
    int256[] public lastOutput;
    /// Index of the largest output (the predicted class) of the most recent verified proof.
    uint256 public lastClass;

    event Classified(uint256 indexed predictedClass, int256 score, uint8 scale);

    constructor(IZkinferGroth16Verifier verifier_, uint256 numOutputs_, uint256 width_, uint8 outputScale_) {
        require(numOutputs_ > 0 && width_ > 0 && width_ < 64, "bad packing");
        verifier = verifier_;
        numOutputs = numOutputs_;
        width = width_;
        outputScale = outputScale_;
    }

    /// The output values packed in the last words of `words`.
    function unpack(uint256[] calldata words) public view returns (int256[] memory values) {
        uint256 perWord = WORD_BITS / width;
        uint256 used = (numOutputs + perWord - 1) / perWord;
        require(words.length >= used, "too few public inputs");
        uint256 first = words.length - used;
        uint256 mask = (uint256(1) << width) - 1;
        int256 offset = int256(uint256(1) << (width - 1));
        values = new int256[](numOutputs);
        for (uint256 i = 0; i < numOutputs; i++) {
            uint256 word = words[first + i / perWord];
            values[i] = int256((word >> (width * (i % perWord))) & mask) - offset;
        }
    }

    /// Verifies the proof, then stores the unpacked output and its argmax.
    function submit(bytes calldata proof, uint256[] calldata instances) external returns (uint256 predicted) {
        require(verifier.verifyProof(proof, instances), "invalid proof");
        int256[] memory out = unpack(instances);
        delete lastOutput;
        int256 best = type(int256).min;
        for (uint256 i = 0; i < out.length; i++) {
            lastOutput.push(out[i]);
            if (out[i] > best) {
                best = out[i];
                predicted = i;
            }
        }
        lastClass = predicted;
        emit Classified(predicted, best, outputScale);
    }
}
