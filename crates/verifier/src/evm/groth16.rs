//! The Groth16 Solidity verifier: one contract per circuit, the verifying key in its code.
//!
//! Same ABI as the Halo2 verifier, `verifyProof(bytes proof, uint256[] instances) returns
//! (bool)` ([`super::encode_calldata_words`]), with `proof` the 256 bytes `A.x, A.y, B.x1, B.x0,
//! B.y1, B.y0, C.x, C.y` (big-endian words; a G2 coordinate `x0 + x1·u` is written imaginary part
//! first, as the pairing precompile reads it). It checks
//! `e(−A, B)·e(α, β)·e(Σ instances_i·IC_i + IC_0, γ)·e(C, δ) = 1` with the BN254 precompiles.
//!
//! With a pinned model id ([`Groth16Vk::pinned`]) it also returns `false` when instance 0 is not
//! that id, whose term is folded into `IC_0` at generation time, so a pinned verifier pays one
//! `ecMul` and `ecAdd` fewer.
//!
//! It returns `false` for another number of instances, a proof that is not 256 bytes, a
//! coordinate `≥ q`, an instance `≥ r`, an `A` or `C` off the curve, or a failed pairing. It
//! reverts with `PrecompileFailed(address)` when a precompile call fails: too little gas, or a
//! `B` that is not a point of G2, which only the pairing precompile can check (so a flipped byte
//! of `B` is a revert, never a `true`). Every precompile call gets all the gas left.

/// A 32-byte big-endian word.
pub type Word = [u8; 32];

/// A Groth16 verifying key as the EVM reads it: G1 points as `(x, y)`, G2 points as
/// `(x1, x0, y1, y0)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Groth16Vk {
    /// `α` in G1.
    pub alpha: [Word; 2],
    /// `β` in G2.
    pub beta: [Word; 4],
    /// `γ` in G2.
    pub gamma: [Word; 4],
    /// `δ` in G2.
    pub delta: [Word; 4],
    /// `IC_0 … IC_n` in G1: one more than the number of instances. With [`Groth16Vk::pinned`],
    /// `IC_0` already includes the pinned instance's term, `pinned · IC_1`.
    pub ic: Vec<[Word; 2]>,
    /// The value instance 0 must have (the model id of hashed parameters), folded into `IC_0`;
    /// `modelId()` returns it. `None`: any instance 0, and `modelId()` returns 0.
    pub pinned: Option<Word>,
}

fn hex(w: &Word) -> String {
    format!("0x{}", super::exec::hex(w))
}

/// The Solidity source of `ZkinferGroth16Verifier` for `vk`.
pub fn groth16_solidity(vk: &Groth16Vk) -> String {
    let n = vk.ic.len().saturating_sub(1);
    let g2 = |name: &str, p: &[Word; 4]| {
        format!(
            "    uint256 internal constant {name}_X1 = {};\n    uint256 internal constant {name}_X0 = {};\n    uint256 internal constant {name}_Y1 = {};\n    uint256 internal constant {name}_Y0 = {};\n",
            hex(&p[0]),
            hex(&p[1]),
            hex(&p[2]),
            hex(&p[3])
        )
    };
    let mut consts = format!(
        "    uint256 internal constant ALPHA_X = {};\n    uint256 internal constant ALPHA_Y = {};\n",
        hex(&vk.alpha[0]),
        hex(&vk.alpha[1])
    );
    consts += &g2("BETA", &vk.beta);
    consts += &g2("GAMMA", &vk.gamma);
    consts += &g2("DELTA", &vk.delta);
    let mut sum = format!("        (uint256 x, uint256 y) = ({}, {});\n", hex(&vk.ic[0][0]), hex(&vk.ic[0][1]));
    // A pinned instance 0 is checked against MODEL_ID and its term is already in IC_0.
    let first = if vk.pinned.is_some() { 2 } else { 1 };
    if vk.pinned.is_some() {
        sum = format!("        if (instances[0] != MODEL_ID) return false;\n{sum}");
    }
    consts += &format!(
        "    /// The model id instance 0 must be (0: none is pinned, check instance 0 yourself).\n    uint256 public constant MODEL_ID = {};\n",
        vk.pinned.as_ref().map_or_else(|| "0".to_string(), hex)
    );
    for (i, p) in vk.ic.iter().enumerate().skip(first) {
        sum += &format!("        (x, y) = ecAdd(x, y, {}, {}, instances[{}]);\n", hex(&p[0]), hex(&p[1]), i - 1);
    }
    TEMPLATE.replace("{{N}}", &n.to_string()).replace("{{CONSTANTS}}", &consts).replace("{{SUM}}", &sum)
}

const TEMPLATE: &str = r#"// SPDX-License-Identifier: MIT OR Apache-2.0
pragma solidity ^0.8.19;

/// @title zkinfer Groth16 verifier (BN254), generated for one circuit: its verifying key is in
/// the constants below.
/// @dev `verifyProof(proof, instances)`: `proof` is A.x, A.y, B.x1, B.x0, B.y1, B.y0, C.x, C.y
/// (256 bytes); `instances` the statement (zkinfer: the model id, public inputs, then public outputs, a negative
/// value v as r - |v|). Returns false for an invalid proof or statement; reverts with
/// PrecompileFailed when a precompile fails (too little gas, or B not in G2).
contract ZkinferGroth16Verifier {
    /// A precompile call failed or answered nothing.
    error PrecompileFailed(address precompile);

    uint256 internal constant Q = 0x30644e72e131a029b85045b68181585d97816a916871ca8d3c208c16d87cfd47;
    uint256 internal constant R = 0x30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000001;
    /// The number of public instances a proof has.
    uint256 public constant INSTANCES = {{N}};
{{CONSTANTS}}
    /// The model id every accepted proof has as instance 0 (0 when the verifier pins none), as
    /// the Halo2 verifier's `modelId()`.
    function modelId() external pure returns (uint256) {
        return MODEL_ID;
    }

    /// Whether `proof` proves the circuit's statement `instances`.
    function verifyProof(bytes calldata proof, uint256[] calldata instances) external view returns (bool) {
        if (proof.length != 256 || instances.length != INSTANCES) return false;
        uint256[8] memory p;
        for (uint256 i = 0; i < 8; i++) {
            uint256 w = uint256(bytes32(proof[32 * i:32 * i + 32]));
            if (w >= Q) return false;
            p[i] = w;
        }
        if (!onCurve(p[0], p[1]) || !onCurve(p[6], p[7])) return false;
        for (uint256 i = 0; i < INSTANCES; i++) {
            if (instances[i] >= R) return false;
        }
{{SUM}}
        uint256[24] memory input = [
            p[0], (Q - p[1]) % Q, p[2], p[3], p[4], p[5],
            ALPHA_X, ALPHA_Y, BETA_X1, BETA_X0, BETA_Y1, BETA_Y0,
            x, y, GAMMA_X1, GAMMA_X0, GAMMA_Y1, GAMMA_Y0,
            p[6], p[7], DELTA_X1, DELTA_X0, DELTA_Y1, DELTA_Y0
        ];
        uint256[1] memory out;
        bool ok;
        assembly {
            ok := staticcall(gas(), 0x08, input, 768, out, 32)
            ok := and(ok, eq(returndatasize(), 32))
        }
        if (!ok) revert PrecompileFailed(address(0x08));
        return out[0] == 1;
    }

    /// `y^2 = x^3 + 3` over F_q (the point at infinity, (0, 0), is not accepted).
    function onCurve(uint256 x, uint256 y) internal pure returns (bool) {
        return mulmod(y, y, Q) == addmod(mulmod(mulmod(x, x, Q), x, Q), 3, Q);
    }

    /// `(x, y) + s·(px, py)`, with the ecMul and ecAdd precompiles.
    function ecAdd(uint256 x, uint256 y, uint256 px, uint256 py, uint256 s) internal view returns (uint256, uint256) {
        uint256[4] memory buf;
        bool ok;
        assembly {
            mstore(buf, px)
            mstore(add(buf, 32), py)
            mstore(add(buf, 64), s)
            ok := staticcall(gas(), 0x07, buf, 96, add(buf, 64), 64)
            ok := and(ok, eq(returndatasize(), 64))
        }
        if (!ok) revert PrecompileFailed(address(0x07));
        assembly {
            mstore(buf, x)
            mstore(add(buf, 32), y)
            ok := staticcall(gas(), 0x06, buf, 128, buf, 64)
            ok := and(ok, eq(returndatasize(), 64))
            x := mload(buf)
            y := mload(add(buf, 32))
        }
        if (!ok) revert PrecompileFailed(address(0x06));
        return (x, y);
    }
}
"#;
