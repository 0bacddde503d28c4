//! The on-chain side: calldata for the Solidity verifier, the verifier itself, compiling
//! Solidity, and running it in an in-process EVM.
//!
//! # Design
//! * [`plan::plan`] flattens a verifying key into data: the proof layout (all points, then all
//!   evaluations, then SHPLONK's two points), the byte offsets at which the Keccak transcript
//!   squeezes each challenge, every constraint (gates, permutation, lookups) as one postfix
//!   program ([`expr`]), the fixed and permutation commitments, and SHPLONK's rotation sets.
//! * [`reference::verify`] runs a plan natively — the executable specification, tested against
//!   halo2's verifier.
//! * `Verifier.sol` ([`solidity::VERIFIER_SOL`]) is the same contract for every circuit: it reads
//!   the encoded plan ([`blob`]) from up to four `ZkinferVerifyingKeyN` contracts with
//!   EXTCODECOPY and interprets it in loops, so its size (about 6.4 KB) does not grow with the
//!   circuit; a key over EIP-170's 24,576 bytes is split across contracts. It compiles with the
//!   optimizer on (via-IR).
//!
//! # ABI
//! `verifyProof(bytes proof, uint256[] instances) returns (bool)`; [`encode_calldata`] builds the
//! exact calldata. `instances` is the circuit's instance column in row order. Any invalid proof
//! returns `false` (no revert).
//!
//! # Gas
//! [`Evm::call_profiled`] splits a call's gas into the precompiles, Keccak, base, calldata and
//! the interpreter's own work ([`GasProfile`]). mlp_digits (k = 7, 21 advice / 54 fixed columns,
//! 7 lookups): 1,319k = 726k ecMul (121, one per commitment in the final MSM plus three) + 18k
//! ecAdd + 113k pairing + 1.3k modexp (one batched inversion) + 129k calldata + 21k base + 2k
//! Keccak + 308k interpretation (197k before the MSM: transcript, Lagrange values and the
//! constraint program, 746 interpreted instructions; 112k after: SHPLONK scalars and MSM
//! bookkeeping). Every committed column costs one ecMul, so narrower circuits are the main
//! lever: the planner's `Objective::Verifier` (`--optimize verifier`) picks mlp_digits at
//! k = 12, 10 advice / 22 fixed columns, 4 lookups: 708k (58 ecMul).

pub mod blob;
pub mod calldata;
pub mod exec;
pub mod expr;
pub mod gas;
pub mod plan;
pub mod reference;
pub mod solc;
pub mod solidity;

pub use calldata::{encode_calldata, fr_to_word, verify_selector, VERIFY_SIGNATURE};
pub use exec::{CallOutcome, Evm, EvmError, GAS_LIMIT, SPEC};
pub use gas::{GasItem, GasProfile};
pub use solc::{compile, find_solc, CompiledContract, SolcError};
