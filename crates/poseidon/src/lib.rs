//! Native Poseidon hash over the BN254 scalar field, compatible with circom's `Poseidon(n)`.
//!
//! # Parameters
//!
//! These are the parameters that circomlib (`circuits/poseidon.circom`), circomlibjs
//! (`src/poseidon_reference.js`), poseidon-solidity and the `light-poseidon` crate share:
//!
//! * field: the BN254 scalar field, p = `0x30644e72…f0000001` ([`Fr`]);
//! * S-box x^5, [`FULL_ROUNDS`] = 8 full rounds (half before, half after the partial ones);
//! * partial rounds [`PARTIAL_ROUNDS`]`[t - 2]` for width t = 2..=17, that is 1..=16 inputs
//!   (the round numbers of the Poseidon paper, rounded up as circomlib does);
//! * round constants and MDS matrix from the reference Grain-LFSR generator
//!   `generate_parameters_grain.sage 1 0 254 t 8 R_P 0x30644e72…f0000001` (hadeshash), the
//!   source of circomlib's `poseidon_constants`. They are generated here, not embedded: see the
//!   `grain` module for the algorithm and why the script's MDS re-sampling loop never fires for
//!   these widths. Each width is generated once per process, on first use, and cached.
//!
//! One round is: add the round constants (ARK), apply the S-box (to every element in full
//! rounds, to element 0 only in partial rounds), multiply by the MDS matrix. The hash of
//! inputs `x_1..x_n` permutes the state `[0, x_1, …, x_n]` (width n + 1) and returns
//! element 0.
//!
//! # How it is checked
//!
//! * `grain`'s unit tests pin the first and last round constants and MDS entries of widths 2,
//!   3 and 17 to circomlibjs `src/poseidon_constants.json`;
//! * `crates/circuits/tests/poseidon.rs` checks the known answers of circomlibjs'
//!   `test/poseidon.js`, compares [`hash`] with `light-poseidon`'s `new_circom` on fixed
//!   vectors for every width that crate has (1..=12 inputs), checks 13..=16 inputs against
//!   values computed with circomlibjs, and checks the input-count errors.
//!
//! The in-circuit permutations replay [`Params::round`]: the Halo2 chip
//! (`zkinfer_circuits`' `chips::poseidon`) and the R1CS gadget (`zkinfer_r1cs::poseidon`).

#![warn(missing_docs)]

mod grain;

use std::sync::OnceLock;

use halo2_axiom::halo2curves::ff::Field;

/// BN254's scalar field, the field the hash is over.
pub use halo2_axiom::halo2curves::bn256::Fr;

/// Full rounds R_F (all widths): half of them before the partial rounds, half after.
pub const FULL_ROUNDS: usize = 8;

/// Partial rounds R_P for width t = 2..=17, at index `t - 2` (circomlib's `N_ROUNDS_P`).
pub const PARTIAL_ROUNDS: [usize; 16] = [56, 57, 56, 60, 60, 63, 64, 63, 60, 66, 60, 65, 70, 60, 64, 68];

/// Most inputs one [`hash`] call takes (width [`MAX_WIDTH`]).
pub const MAX_INPUTS: usize = PARTIAL_ROUNDS.len();

/// Smallest permutation width (one input plus the capacity element).
pub const MIN_WIDTH: usize = 2;

/// Largest permutation width.
pub const MAX_WIDTH: usize = MAX_INPUTS + 1;

/// Invalid use of the Poseidon hash or permutation.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PoseidonError {
    /// `hash` takes 1 to 16 inputs.
    #[error("Poseidon hashes 1 to {MAX_INPUTS} inputs, got {0}")]
    InputCount(usize),
    /// The permutation exists for widths 2 to 17 only.
    #[error("Poseidon has no parameters for width {0} (widths are {MIN_WIDTH} to {MAX_WIDTH})")]
    Width(usize),
    /// A state passed to [`Params::permute`] does not have the parameters' width.
    #[error("Poseidon state has {got} elements, the parameters are for width {width}")]
    StateLength {
        /// The parameters' width.
        width: usize,
        /// The state's length.
        got: usize,
    },
}

/// The constants of the permutation of one width.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Params {
    /// The state width t (number of inputs + 1).
    pub width: usize,
    /// Partial rounds R_P for this width.
    pub partial_rounds: usize,
    /// Round constants, `FULL_ROUNDS + partial_rounds` rows of `width` elements, in round
    /// order (circomlib's flat `C[t-2]` is this, row by row).
    pub round_constants: Vec<Vec<Fr>>,
    /// The `width × width` MDS matrix, row-major: the new `state[i]` is
    /// `Σ_j mds[i][j] · state[j]` (circomlib's `M[t-2]`).
    pub mds: Vec<Vec<Fr>>,
}

/// The partial rounds of a width, or an error naming the width.
pub fn partial_rounds(width: usize) -> Result<usize, PoseidonError> {
    width.checked_sub(MIN_WIDTH).and_then(|i| PARTIAL_ROUNDS.get(i)).copied().ok_or(PoseidonError::Width(width))
}

/// Per-width cache, index `t - 2`.
static PARAMS: [OnceLock<Params>; MAX_INPUTS] = [const { OnceLock::new() }; MAX_INPUTS];

impl Params {
    /// The parameters of a width (2..=17), generated on first use and cached for the process.
    pub fn for_width(width: usize) -> Result<&'static Params, PoseidonError> {
        let rounds = partial_rounds(width)?;
        let cell = PARAMS.get(width - MIN_WIDTH).ok_or(PoseidonError::Width(width))?;
        Ok(cell.get_or_init(|| grain::generate(width, rounds)))
    }

    /// Total rounds, `FULL_ROUNDS + partial_rounds`.
    pub fn rounds(&self) -> usize {
        FULL_ROUNDS + self.partial_rounds
    }

    /// Whether round `r` (0-based) is a full round.
    pub fn is_full_round(&self, r: usize) -> bool {
        let half = FULL_ROUNDS / 2;
        r < half || r >= half + self.partial_rounds
    }

    /// Applies the permutation in place. The state must have exactly `width` elements.
    pub fn permute(&self, state: &mut [Fr]) -> Result<(), PoseidonError> {
        if state.len() != self.width {
            return Err(PoseidonError::StateLength { width: self.width, got: state.len() });
        }
        for r in 0..self.rounds() {
            self.round(r, state);
        }
        Ok(())
    }

    /// Applies round `r` in place: ARK, S-box, MDS. `state` must have `width` elements and `r`
    /// must be below [`Params::rounds`] (the in-circuit gadget replays the rounds one by one).
    pub fn round(&self, r: usize, state: &mut [Fr]) {
        for (s, c) in state.iter_mut().zip(&self.round_constants[r]) {
            *s += c;
        }
        if self.is_full_round(r) {
            state.iter_mut().for_each(|s| *s = pow5(*s));
        } else {
            state[0] = pow5(state[0]);
        }
        // On the stack: the native hash runs this once per round of every permutation.
        let mut next = [Fr::zero(); MAX_INPUTS + 1];
        for (n, row) in next.iter_mut().zip(&self.mds) {
            *n = row.iter().zip(state.iter()).map(|(m, s)| *m * s).sum();
        }
        state.copy_from_slice(&next[..state.len()]);
    }
}

/// The width of the permutation [`hash_values`] chains (circom's `Poseidon(5)`, poseidon-solidity's
/// `PoseidonT6`). Width 6 rather than 17: on mlp_digits, hashing the input and the output cost
/// 316k verifier gas at width 6 against 1.17M at width 17 (whose gates multiply by a 17×17 MDS
/// matrix in the verifier's constraint program, over 35 columns instead of 13), for about the
/// same proving time (a taller, narrower chip).
pub const CHAIN_WIDTH: usize = 6;

/// Values each permutation of [`hash_values`] absorbs: the inputs of `Poseidon(5)` but the
/// chaining value.
pub const CHAIN_RATE: usize = CHAIN_WIDTH - 2;

/// The hash of any number of field elements, as a chain of circom `Poseidon(5)` calls:
/// `h_0 = n` (the number of values), then `h_{i+1} = Poseidon(h_i, x_{4i+1}, …, x_{4i+4})`
/// over the values 4 at a time, the last group padded with zeros; the hash is the last `h`
/// (one call when `n = 0`). With circomlibjs: `h = F.e(n); for (c of chunks) h = poseidon([h, ...c])`.
///
/// The length in `h_0` keeps `[x]` and `[x, 0]` apart; the chaining keeps every call at
/// circom's parameters, so any circom Poseidon implementation recomputes it.
pub fn hash_values(values: &[Fr]) -> Fr {
    let mut h = Fr::from(values.len() as u64);
    let params = Params::for_width(CHAIN_WIDTH).unwrap_or_else(|_| unreachable!("width {CHAIN_WIDTH} has parameters"));
    for p in 0..chain_permutations(values.len()) {
        let chunk = &values[p * CHAIN_RATE..values.len().min((p + 1) * CHAIN_RATE)];
        let mut state = vec![Fr::ZERO; CHAIN_WIDTH];
        state[1] = h;
        state[2..2 + chunk.len()].copy_from_slice(chunk);
        (0..params.rounds()).for_each(|r| params.round(r, &mut state));
        h = state[0];
    }
    h
}

/// Permutations [`hash_values`] makes for `n` values.
pub fn chain_permutations(n: usize) -> usize {
    n.div_ceil(CHAIN_RATE).max(1)
}

/// The S-box, x^5.
pub fn pow5(x: Fr) -> Fr {
    let x2 = x.square();
    x2.square() * x
}

/// Applies the permutation of width `state.len()` (2..=17) in place.
pub fn permute(state: &mut [Fr]) -> Result<(), PoseidonError> {
    Params::for_width(state.len())?.permute(state)
}

/// circom's `Poseidon(n)` of `inputs` (1..=16 of them): element 0 of the permutation of
/// `[0, inputs…]`.
pub fn hash(inputs: &[Fr]) -> Result<Fr, PoseidonError> {
    if inputs.is_empty() || inputs.len() > MAX_INPUTS {
        return Err(PoseidonError::InputCount(inputs.len()));
    }
    let mut state = Vec::with_capacity(inputs.len() + 1);
    state.push(Fr::ZERO);
    state.extend_from_slice(inputs);
    permute(&mut state)?;
    Ok(state[0])
}
