//! The on-chain side: calldata for the Solidity verifier, compiling Solidity, and running it in
//! an in-process EVM.

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
