//! Where a call's gas goes: the precompiles (by kind), Keccak hashing, the transaction's
//! intrinsic cost (base and calldata) and everything else the interpreter executed.
//!
//! Measured by a revm [`Inspector`] over one call ([`Evm::call_profiled`](super::Evm::call_profiled)):
//! precompile gas is what each precompile frame spent, Keccak is the gas of the `KECCAK256`
//! instructions (including their memory expansion), and the rest is the remainder.

use std::fmt;

use revm::interpreter::interpreter_types::Jumps;
use revm::interpreter::{CallInputs, CallOutcome, Interpreter, InterpreterTypes};
use revm::primitives::Address;
use revm::Inspector;

/// Calls and gas of one kind of work.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct GasItem {
    /// How many times it ran.
    pub calls: u64,
    /// Gas it used, in all.
    pub gas: u64,
    /// For a precompile: the least gas any of its calls was given (0 when never called). A call
    /// given less than the precompile's price fails.
    pub least_given: u64,
}

impl GasItem {
    fn add(&mut self, gas: u64) {
        self.calls += 1;
        self.gas += gas;
    }

    fn add_call(&mut self, gas: u64, given: u64) {
        self.least_given = if self.calls == 0 { given } else { self.least_given.min(given) };
        self.add(gas);
    }
}

/// What each precompile `ZkinferVerifier` calls costs under Osaka (the hard fork mainnet runs
/// since December 2025), for the input sizes it uses.
pub mod prices {
    /// `ecAdd` (0x06), EIP-1108.
    pub const EC_ADD: u64 = 150;
    /// `ecMul` (0x07), EIP-1108.
    pub const EC_MUL: u64 = 6_000;
    /// `ecPairing` (0x08) with `pairs` pairs, EIP-1108: 45,000 + 34,000 per pair.
    pub const fn pairing(pairs: u64) -> u64 {
        45_000 + 34_000 * pairs
    }
    /// `modexp` (0x05) with 32-byte base and modulus and the 32-byte exponent r - 2 (a field
    /// inversion), EIP-7883: max(500, 16 · (bit length of the exponent - 1)) = 16 · 253.
    pub const MODEXP_INVERSE: u64 = 4_048;
}

/// The gas of one transaction, split by what it paid for. The parts add up to `total`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct GasProfile {
    /// Gas used by the transaction.
    pub total: u64,
    /// 21,000 per transaction.
    pub base: u64,
    /// 4 per zero and 16 per non-zero byte of calldata (the proof and the instances).
    pub calldata: u64,
    /// `ecMul` (0x07): one per commitment in the final multi-scalar multiplication.
    pub ec_mul: GasItem,
    /// `ecAdd` (0x06).
    pub ec_add: GasItem,
    /// `ecPairing` (0x08): the final KZG check.
    pub pairing: GasItem,
    /// `modexp` (0x05): field inversions.
    pub modexp: GasItem,
    /// Keccak-256 of the Fiat-Shamir transcript.
    pub keccak: GasItem,
    /// The rest: field arithmetic, the interpreted constraint program, memory and reading the
    /// verifying key.
    pub other: u64,
    /// The part of `other` spent before the first `ecMul`: reading the key and the proof, the
    /// input checks (the proof's points on the curve), the transcript, Lagrange values and the
    /// interpreted constraint program. The remainder is
    /// SHPLONK's scalar arithmetic and the MSM's bookkeeping.
    pub other_before_msm: u64,
}

impl GasProfile {
    /// Intrinsic gas of a call with `calldata` (before EIP-7623's floor, which a verifier's
    /// execution always exceeds).
    pub fn intrinsic(calldata: &[u8]) -> (u64, u64) {
        let data = calldata.iter().map(|&b| if b == 0 { 4 } else { 16 }).sum();
        (21_000, data)
    }
}

impl fmt::Display for GasProfile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let pct = |g: u64| if self.total == 0 { 0.0 } else { 100.0 * g as f64 / self.total as f64 };
        let item = |f: &mut fmt::Formatter<'_>, name: &str, it: GasItem| {
            writeln!(f, "  {name:<10} {:>9} ({:>4.1}%, {} calls)", it.gas, pct(it.gas), it.calls)
        };
        writeln!(f, "  {:<10} {:>9} ({:>4.1}%)", "base", self.base, pct(self.base))?;
        writeln!(f, "  {:<10} {:>9} ({:>4.1}%)", "calldata", self.calldata, pct(self.calldata))?;
        item(f, "ecMul", self.ec_mul)?;
        item(f, "ecAdd", self.ec_add)?;
        item(f, "pairing", self.pairing)?;
        item(f, "modexp", self.modexp)?;
        item(f, "keccak", self.keccak)?;
        writeln!(f, "  {:<10} {:>9} ({:>4.1}%)", "other", self.other, pct(self.other))?;
        let before = self.other_before_msm;
        writeln!(
            f,
            "    {:<20} {:>9} (input checks, transcript, Lagrange values, constraint program)",
            "before the MSM", before
        )?;
        write!(
            f,
            "    {:<20} {:>9} (SHPLONK scalars, MSM bookkeeping, pairing input)",
            "from the MSM on",
            self.other - before
        )
    }
}

/// The inspector that fills a [`GasProfile`]'s precompile and Keccak items; [`Self::finish`]
/// completes it.
#[derive(Debug, Default)]
pub struct GasProfiler {
    profile: GasProfile,
    keccak_before: Option<u64>,
    /// Gas given to the called contract's frame.
    frame_limit: Option<u64>,
    /// Gas left before the last instruction of that frame.
    remaining: u64,
    /// Gas left, and precompile + Keccak gas spent, when the first `ecMul` was called.
    first_msm: Option<(u64, u64)>,
}

impl GasProfiler {
    /// The profile of a call that used `total` gas with `calldata`.
    pub fn finish(self, total: u64, calldata: &[u8]) -> GasProfile {
        let mut p = self.profile;
        (p.base, p.calldata) = GasProfile::intrinsic(calldata);
        p.total = total;
        let measured = p.base + p.calldata + self.precompiles_and_keccak();
        p.other = total.saturating_sub(measured);
        if let (Some(limit), Some((left, spent))) = (self.frame_limit, self.first_msm) {
            p.other_before_msm = limit.saturating_sub(left).saturating_sub(spent).min(p.other);
        }
        p
    }

    fn precompiles_and_keccak(&self) -> u64 {
        let p = &self.profile;
        p.ec_mul.gas + p.ec_add.gas + p.pairing.gas + p.modexp.gas + p.keccak.gas
    }
}

const MODEXP: Address = precompile(5);
const EC_ADD: Address = precompile(6);
const EC_MUL: Address = precompile(7);
const PAIRING: Address = precompile(8);
const KECCAK256: u8 = 0x20;

const fn precompile(n: u8) -> Address {
    let mut a = [0u8; 20];
    a[19] = n;
    Address::new(a)
}

impl<CTX, INTR: InterpreterTypes> Inspector<CTX, INTR> for GasProfiler {
    fn initialize_interp(&mut self, interp: &mut Interpreter<INTR>, _: &mut CTX) {
        // The first frame is the called contract (precompiles have no interpreter).
        self.frame_limit.get_or_insert(interp.gas.limit());
    }

    fn step(&mut self, interp: &mut Interpreter<INTR>, _: &mut CTX) {
        self.remaining = interp.gas.remaining();
        self.keccak_before = (interp.bytecode.opcode() == KECCAK256).then(|| interp.gas.remaining());
    }

    fn call(&mut self, _: &mut CTX, inputs: &mut CallInputs) -> Option<CallOutcome> {
        if inputs.bytecode_address == EC_MUL && self.first_msm.is_none() {
            self.first_msm = Some((self.remaining, self.precompiles_and_keccak()));
        }
        None
    }

    fn step_end(&mut self, interp: &mut Interpreter<INTR>, _: &mut CTX) {
        if let Some(before) = self.keccak_before.take() {
            self.profile.keccak.add(before.saturating_sub(interp.gas.remaining()));
        }
    }

    fn call_end(&mut self, _: &mut CTX, inputs: &CallInputs, outcome: &mut CallOutcome) {
        let spent = outcome.result.gas.spent();
        let given = inputs.gas_limit;
        match inputs.bytecode_address {
            EC_MUL => self.profile.ec_mul.add_call(spent, given),
            EC_ADD => self.profile.ec_add.add_call(spent, given),
            PAIRING => self.profile.pairing.add_call(spent, given),
            MODEXP => self.profile.modexp.add_call(spent, given),
            _ => {}
        }
    }
}
