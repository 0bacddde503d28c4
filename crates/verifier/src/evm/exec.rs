//! Deploying and calling contracts in an in-process EVM under the rules Ethereum mainnet runs
//! today ([`SPEC`], Osaka: EIP-170's 24,576-byte code limit, EIP-7883's modexp price, EIP-7825's
//! transaction gas cap, calldata gas).

use revm::context::result::{ExecutionResult, Output};
use revm::context::{ContextTr, TxEnv};
use revm::database::InMemoryDB;
use revm::primitives::hardfork::SpecId;
use revm::primitives::{Address, TxKind};
use revm::state::Bytecode;
use revm::{Context, ExecuteCommitEvm, InspectCommitEvm, MainBuilder, MainContext};

use super::gas::{GasProfile, GasProfiler};

/// The hard fork every transaction runs under: Osaka (Fusaka's execution layer, on mainnet
/// since December 2025). revm 27.1's Osaka prices modexp by EIP-7883 and bounds its inputs by
/// EIP-7823; the BN254 precompiles keep their EIP-1108 prices.
pub const SPEC: SpecId = SpecId::OSAKA;

/// Gas given to each transaction: EIP-7825's cap on one transaction's gas under Osaka (2^24).
pub const GAS_LIMIT: u64 = 16_777_216;

/// Why the EVM could not run a transaction, or a deployment failed.
#[derive(Debug, thiserror::Error)]
pub enum EvmError {
    /// revm refused the transaction itself (not a revert).
    #[error("EVM error: {0}")]
    Evm(String),
    /// The constructor halted (e.g. runtime code over EIP-170's limit) or created nothing.
    #[error("deployment failed: {0}")]
    Deploy(String),
    /// The constructor reverted, with this revert data (a custom error's selector and arguments).
    #[error("constructor reverted: 0x{}", hex(output))]
    ConstructorReverted {
        /// The revert data.
        output: Vec<u8>,
    },
    /// The account to change does not exist or could not be read.
    #[error("no account at {0}")]
    NoAccount(Address),
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Result of a call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallOutcome {
    /// `true` when the call returned; `false` when it reverted or halted.
    pub success: bool,
    /// Return data (or revert data).
    pub output: Vec<u8>,
    /// Gas used by the whole transaction, including the 21,000 base and calldata gas.
    pub gas_used: u64,
}

impl CallOutcome {
    /// `true` when the call returned the ABI encoding of `true`.
    pub fn returned_true(&self) -> bool {
        self.success && self.output.len() == 32 && self.output[..31].iter().all(|&b| b == 0) && self.output[31] == 1
    }
}

/// A fresh in-memory chain with one externally owned account sending every transaction.
pub struct Evm {
    evm: revm::MainnetEvm<revm::handler::MainnetContext<InMemoryDB>, GasProfiler>,
    nonce: u64,
}

impl Default for Evm {
    fn default() -> Self {
        Self::new()
    }
}

impl std::fmt::Debug for Evm {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Evm").field("nonce", &self.nonce).finish()
    }
}

impl Evm {
    /// An empty chain under [`SPEC`].
    pub fn new() -> Self {
        let ctx = Context::mainnet().with_db(InMemoryDB::default()).modify_cfg_chained(|cfg| cfg.spec = SPEC);
        Self { evm: ctx.build_mainnet_with_inspector(GasProfiler::default()), nonce: 0 }
    }

    /// An empty chain under [`SPEC`] whose precompiles at `missing` are absent (as on chains
    /// that lack some): a call there reaches an empty account and succeeds with no output.
    #[cfg(feature = "testing")]
    pub fn without_precompiles(missing: &[Address]) -> Self {
        use revm::handler::EthPrecompiles;
        use revm::precompile::{PrecompileSpecId, Precompiles};
        let all = Precompiles::new(PrecompileSpecId::from_spec_id(SPEC));
        let mut gone = Precompiles::default();
        gone.extend(all.inner().iter().filter(|(a, _)| missing.contains(a)).map(|(a, f)| (*a, *f).into()));
        // revm keeps precompile sets for the whole run; a test chain leaks one small set.
        let kept: &'static Precompiles = Box::leak(Box::new(all.difference(&gone)));
        let mut evm = Self::new();
        evm.evm.precompiles = EthPrecompiles { precompiles: kept, spec: SPEC };
        evm
    }

    fn tx(&self, kind: TxKind, data: Vec<u8>, gas_limit: u64) -> TxEnv {
        TxEnv { gas_limit, kind, data: data.into(), nonce: self.nonce, ..Default::default() }
    }

    fn transact(&mut self, kind: TxKind, data: Vec<u8>) -> Result<ExecutionResult, EvmError> {
        self.transact_with(kind, data, GAS_LIMIT)
    }

    fn transact_with(&mut self, kind: TxKind, data: Vec<u8>, gas_limit: u64) -> Result<ExecutionResult, EvmError> {
        let tx = self.tx(kind, data, gas_limit);
        let result = self.evm.transact_commit(tx).map_err(|e| EvmError::Evm(format!("{e:?}")))?;
        self.nonce += 1;
        Ok(result)
    }

    /// Deploys `creation` code; returns the new contract's address and its runtime code size.
    pub fn deploy(&mut self, creation: Vec<u8>) -> Result<(Address, usize), EvmError> {
        match self.transact(TxKind::Create, creation)? {
            ExecutionResult::Success { output: Output::Create(code, Some(address)), .. } => Ok((address, code.len())),
            ExecutionResult::Success { .. } => Err(EvmError::Deploy("no contract created".into())),
            ExecutionResult::Revert { output, .. } => Err(EvmError::ConstructorReverted { output: output.to_vec() }),
            ExecutionResult::Halt { reason, .. } => Err(EvmError::Deploy(format!("halted: {reason:?}"))),
        }
    }

    /// Calls `to` with `calldata`.
    pub fn call(&mut self, to: Address, calldata: Vec<u8>) -> Result<CallOutcome, EvmError> {
        let result = self.transact(TxKind::Call(to), calldata)?;
        Ok(outcome(result))
    }

    /// Calls `to` with `calldata` in a transaction of `gas_limit` gas (at least its intrinsic
    /// gas, else revm refuses it: [`EvmError::Evm`]).
    pub fn call_with_gas(&mut self, to: Address, calldata: Vec<u8>, gas_limit: u64) -> Result<CallOutcome, EvmError> {
        let result = self.transact_with(TxKind::Call(to), calldata, gas_limit)?;
        Ok(outcome(result))
    }

    /// Replaces the code at `address` (an `eth_call` state override, in effect): for checking
    /// what a contract does when another one's code is not what it was.
    pub fn set_code(&mut self, address: Address, code: Vec<u8>) -> Result<(), EvmError> {
        let db = self.evm.ctx.db_mut();
        let mut info = db.load_account(address).map_err(|_| EvmError::NoAccount(address))?.info.clone();
        let code = Bytecode::new_raw(code.into());
        info.code_hash = code.hash_slow();
        info.code = Some(code);
        db.insert_account_info(address, info);
        Ok(())
    }

    /// Calls `to` with `calldata` and says where its gas went (see [`GasProfile`]).
    pub fn call_profiled(&mut self, to: Address, calldata: Vec<u8>) -> Result<(CallOutcome, GasProfile), EvmError> {
        self.evm.inspector = GasProfiler::default();
        let tx = self.tx(TxKind::Call(to), calldata.clone(), GAS_LIMIT);
        let result = self.evm.inspect_tx_commit(tx).map_err(|e| EvmError::Evm(format!("{e:?}")))?;
        self.nonce += 1;
        let out = outcome(result);
        let profile = std::mem::take(&mut self.evm.inspector).finish(out.gas_used, &calldata);
        Ok((out, profile))
    }
}

/// The outcome of a call transaction.
fn outcome(result: ExecutionResult) -> CallOutcome {
    match result {
        ExecutionResult::Success { output, gas_used, .. } => {
            CallOutcome { success: true, output: output.into_data().to_vec(), gas_used }
        }
        ExecutionResult::Revert { output, gas_used } => {
            CallOutcome { success: false, output: output.to_vec(), gas_used }
        }
        ExecutionResult::Halt { gas_used, .. } => CallOutcome { success: false, output: Vec::new(), gas_used },
    }
}
