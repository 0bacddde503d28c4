//! The on-chain side: calldata for the Solidity verifier, the verifier itself, compiling
//! Solidity, and running it in an in-process EVM.
//!
//! # Design
//! * [`plan::plan_verifier`] flattens a verifying key into data: the proof layout (all points,
//!   then all evaluations, then SHPLONK's two points), the byte offsets at which the Keccak transcript
//!   squeezes each challenge, every constraint (gates, permutation, lookups) as one postfix
//!   program ([`expr`]), the fixed and permutation commitments, and SHPLONK's rotation sets.
//! * [`reference::verify`] runs a plan natively — the executable specification, tested against
//!   halo2's verifier.
//! * `Verifier.sol` ([`solidity::VERIFIER_SOL`]) is the same contract for every circuit: it reads
//!   the encoded plan ([`blob`]) from up to four `ZkinferVerifyingKeyN` contracts with
//!   EXTCODECOPY and interprets it in loops, so its size (4,873 bytes) does not grow with the
//!   circuit; a key over EIP-170's 24,576 bytes is split across contracts. It compiles with the
//!   optimizer on (via-IR).
//! * The verifier is bound to one key: its constructor takes the key hash
//!   ([`solidity::key_hash`], Keccak-256 of the key contracts' data, written into the generated
//!   source as `ZKINFER_KEY_HASH`) and reverts (`KeyNotDeployed`, `KeyHashMismatch`) unless every
//!   key address holds a key part and their data hashes to it; it records each part's
//!   EXTCODEHASH and checks it on every call (`KeyCodeChanged`). The key includes the exact
//!   number of public instances.
//!
//! * `examples/ModelRegistry.sol` keeps models with hashed parameters by model id, each with its
//!   verifier, and accepts a proof only when instance 0 is the id ([`registry`]: its calldata).
//!
//! # ABI
//! `constructor(bytes32 keyHash, address k0, address k1, address k2, address k3)`;
//! `verifyProof(bytes proof, uint256[] instances) returns (bool)`; [`encode_calldata`] builds the
//! exact calldata. `instances` is the circuit's instance column in row order, exactly as many as
//! the key's count. An invalid proof or instance list (another count, a value >= r, a point off
//! the curve, a failed check) returns `false`. The call reverts only when it cannot reach a
//! verdict: `PrecompileFailed(address)` when a precompile call fails or returns nothing (too
//! little gas, or a chain without it — proof points are checked on the curve first, so a valid
//! input never fails there), `KeyCodeChanged(address)`. Every precompile call is given all the
//! gas left, so no hard-coded price can go stale: a caller leaving too little gas gets a revert,
//! never `false` for a valid proof.
//!
//! # Gas
//! [`Evm`] runs the hard fork mainnet runs ([`SPEC`]: Osaka, whose EIP-7883 prices the one
//! modexp at 4,048 instead of EIP-2565's 1,349; [`gas::prices`]). [`Evm::call_profiled`] splits a
//! call's gas into the precompiles, Keccak, base, calldata and the interpreter's own work
//! ([`GasProfile`]). mlp_digits (k = 7, 21 advice / 54 fixed columns, 7 lookups): 1,329k = 726k
//! ecMul (121, one per commitment in the final MSM plus three) + 18k ecAdd + 113k pairing + 4k
//! modexp (one batched inversion) + 129k calldata + 21k base + 2k Keccak + 316k interpretation
//! (206k before the MSM: input checks, 9k of them putting the proof's points on the curve,
//! transcript, Lagrange values and the constraint program; 109k after: SHPLONK scalars and MSM
//! bookkeeping). Every committed column costs one ecMul, so narrower circuits are the main
//! lever: the planner's `Objective::Verifier` (`--optimize verifier`) picks mlp_digits at
//! k = 12, 7 advice / 13 fixed columns, 1 lookup: 527k (37 ecMul).

pub mod blob;
pub mod calldata;
pub mod exec;
pub mod expr;
pub mod gas;
pub mod groth16;
pub mod plan;
pub mod reference;
pub mod registry;
pub mod solc;
pub mod solidity;

pub use calldata::{encode_calldata, encode_calldata_words, fr_to_word, verify_selector, VERIFY_SIGNATURE};
pub use exec::{CallOutcome, Evm, EvmError, GAS_LIMIT, SPEC};
pub use gas::{GasItem, GasProfile};
/// A contract address in the EVM.
pub use revm::primitives::Address;
pub use solc::{compile, find_solc, CompiledContract, SolcError};
