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
//! # Gas (mlp_digits, k = 7, 21 advice / 54 fixed columns, 7 lookups; measured in revm)
//! 1,550k in all: 21k base + 129k calldata (8.5 KB) + ~860k EC precompiles (121 ecMul + ecAdd —
//! one per commitment — and one 2-pair pairing) + ~180k SHPLONK arithmetic + ~375k transcript,
//! Lagrange values and the interpreted constraint program (1,224 ops). Every committed column
//! costs one ecMul (6,000 gas), so narrower circuits are the main lever; then cheaper
//! interpretation (fused ops) and one batched inversion. The planner's `Objective::Verifier`
//! (`--optimize verifier`) picks the narrow layout: mlp_digits at k = 12, 10 advice / 22 fixed
//! columns, 4 lookups costs 834k.

pub mod blob;
pub mod calldata;
pub mod exec;
pub mod expr;
pub mod plan;
pub mod reference;
pub mod solc;
pub mod solidity;

pub use calldata::{encode_calldata, fr_to_word, verify_selector, VERIFY_SIGNATURE};
pub use exec::{CallOutcome, Evm, EvmError, GAS_LIMIT};
pub use solc::{compile, find_solc, CompiledContract, SolcError};
