//! The Grain LFSR of the Poseidon reference parameter script, and the round constants and MDS
//! matrix it yields for one width.
//!
//! This follows `generate_parameters_grain.sage` (hadeshash, the Poseidon authors' repository)
//! for a prime field (`field = 1`), the x^α S-box (`sbox = 0`) and `n = 254` bit elements:
//!
//! 1. The 80-bit register is seeded with, most significant bit first: the field type (2 bits),
//!    the S-box type (4), n (12), t (12), R_F (10), R_P (10) and thirty 1 bits. The bits of
//!    the first 160 steps are discarded.
//! 2. Each step computes `b[62] ^ b[51] ^ b[38] ^ b[23] ^ b[13] ^ b[0]`, drops `b[0]` and appends
//!    the new bit. Output bits are self-shrunk: steps are taken in pairs, and the second bit of
//!    a pair is output only when the first is 1.
//! 3. A field element is n output bits read most significant first. Round constants reject
//!    values ≥ p and draw again; the MDS draws are reduced mod p instead.
//! 4. Round constants come first, `(R_F + R_P) · t` of them, round by round. Then the MDS
//!    matrix is the Cauchy matrix `M[i][j] = 1 / (x_i + y_j)` of the next `2t` draws
//!    (`x` the first t, `y` the rest), drawn again while two of them are equal or some
//!    `x_i + y_j` is zero.
//!
//! Current versions of the script also re-draw the matrix while their invariant-subspace
//! checks (`algorithm_1..3`) fail. No re-draw is needed to reproduce circomlib: for every
//! width 2..=17 with circom's round numbers, circomlib's matrix is the *first* Cauchy draw
//! (the hash tests against light-poseidon and circomlibjs, which cover every width, would fail
//! otherwise), so that loop is not reimplemented. The unit tests below pin the first and last
//! round constants and matrix entries of widths 2, 3 and 17 to circomlib's
//! `poseidon_constants`.

use super::{Fr, Params, FULL_ROUNDS};
use halo2_axiom::halo2curves::ff::{Field, PrimeField};

/// Bits of a generated field element (BN254's scalar field is 254 bits wide).
const ELEMENT_BITS: usize = 254;

/// The self-shrinking Grain LFSR of the reference script.
struct Grain {
    /// Register bit `i` (0 = the next to drop) is bit `i` of this word; bits 80.. stay zero.
    register: u128,
    /// LFSR output computed ahead but not yet consumed, next bit lowest.
    ahead: u32,
    /// How many bits `ahead` holds.
    ahead_len: u32,
}

/// Steps computed at once. Step `j` (from now) reads bits `j, j + 13, …, j + 62` of the current
/// register; for `j < 18` they are all old bits, so the next 18 steps' bits can be computed
/// together from the register as it is.
const STRIDE: u32 = 18;

impl Grain {
    /// Seeds the register for a width and round numbers and discards the first 160 bits.
    fn new(width: usize, partial_rounds: usize) -> Self {
        // (value, bit width), each written most significant bit first.
        let fields: [(usize, usize); 6] = [
            (1, 2),               // field: GF(p)
            (0, 4),               // S-box: x^alpha
            (ELEMENT_BITS, 12),   // n
            (width, 12),          // t
            (FULL_ROUNDS, 10),    // R_F
            (partial_rounds, 10), // R_P
        ];
        let mut register = 0u128;
        let mut pos = 0;
        for (value, bits) in fields {
            for k in (0..bits).rev() {
                register |= (((value >> k) & 1) as u128) << pos;
                pos += 1;
            }
        }
        for _ in 0..30 {
            register |= 1 << pos;
            pos += 1;
        }
        let mut grain = Self { register, ahead: 0, ahead_len: 0 };
        for _ in 0..160 {
            grain.step();
        }
        grain
    }

    /// One LFSR step: returns the new bit (which enters the register at position 79).
    fn step(&mut self) -> bool {
        if self.ahead_len == 0 {
            let r = self.register;
            let bits = ((r >> 62) ^ (r >> 51) ^ (r >> 38) ^ (r >> 23) ^ (r >> 13) ^ r) & ((1 << STRIDE) - 1);
            self.register = (r >> STRIDE) | (bits << (80 - STRIDE));
            // Lossless: `bits` has STRIDE < 32 bits.
            self.ahead = bits as u32;
            self.ahead_len = STRIDE;
        }
        let bit = self.ahead & 1;
        self.ahead >>= 1;
        self.ahead_len -= 1;
        bit == 1
    }

    /// The next output bit (self-shrinking: pairs whose first bit is 0 are dropped).
    fn next_bit(&mut self) -> bool {
        loop {
            let keep = self.step();
            let bit = self.step();
            if keep {
                return bit;
            }
        }
    }

    /// The next `ELEMENT_BITS`-bit integer (read most significant bit first), as the
    /// little-endian bytes `PrimeField::from_repr` takes.
    fn next_integer(&mut self) -> [u8; 32] {
        let mut hi = 0u128;
        for _ in 0..ELEMENT_BITS - 128 {
            hi = (hi << 1) | u128::from(self.next_bit());
        }
        let mut lo = 0u128;
        for _ in 0..128 {
            lo = (lo << 1) | u128::from(self.next_bit());
        }
        let mut le = [0u8; 32];
        le[..16].copy_from_slice(&lo.to_le_bytes());
        le[16..].copy_from_slice(&hi.to_le_bytes());
        le
    }

    /// The next integer below p (rejection sampling, as for the round constants).
    fn next_canonical(&mut self) -> Fr {
        loop {
            if let Some(fr) = Option::<Fr>::from(Fr::from_repr(self.next_integer())) {
                return fr;
            }
        }
    }

    /// The next integer reduced mod p (as for the MDS draws).
    fn next_reduced(&mut self) -> Fr {
        reduce_le(self.next_integer())
    }
}

/// A 256-bit little-endian integer reduced mod p, as `hi · 2^128 + lo`.
fn reduce_le(le: [u8; 32]) -> Fr {
    let mut lo = [0u8; 16];
    let mut hi = [0u8; 16];
    lo.copy_from_slice(&le[..16]);
    hi.copy_from_slice(&le[16..]);
    let two_128 = Fr::from_u128(u128::MAX) + Fr::ONE;
    Fr::from_u128(u128::from_le_bytes(hi)) * two_128 + Fr::from_u128(u128::from_le_bytes(lo))
}

/// Generates the parameters of one width (2..=17; the caller checks the range).
pub(super) fn generate(width: usize, partial_rounds: usize) -> Params {
    let mut grain = Grain::new(width, partial_rounds);
    let rounds = FULL_ROUNDS + partial_rounds;
    let round_constants = (0..rounds).map(|_| (0..width).map(|_| grain.next_canonical()).collect()).collect();
    let mds = cauchy_mds(&mut grain, width);
    Params { width, partial_rounds, round_constants, mds }
}

/// The reference script's `create_mds_p`: the first Cauchy matrix of `2 · width` distinct
/// draws whose sums `x_i + y_j` are all invertible.
fn cauchy_mds(grain: &mut Grain, width: usize) -> Vec<Vec<Fr>> {
    loop {
        let draws = loop {
            let draws: Vec<Fr> = (0..2 * width).map(|_| grain.next_reduced()).collect();
            let distinct = draws.iter().enumerate().all(|(i, a)| draws[i + 1..].iter().all(|b| a != b));
            if distinct {
                break draws;
            }
        };
        let (xs, ys) = draws.split_at(width);
        let matrix: Option<Vec<Vec<Fr>>> =
            xs.iter().map(|x| ys.iter().map(|y| Option::<Fr>::from((*x + y).invert())).collect()).collect();
        if let Some(matrix) = matrix {
            return matrix;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::partial_rounds;

    /// A field element from big-endian hex (`0x…`, at most 64 digits, below p).
    fn fr(hex: &str) -> Fr {
        let digits = hex.trim_start_matches("0x");
        let mut be = [0u8; 32];
        let offset = 64 - digits.len();
        for (i, c) in digits.chars().enumerate() {
            let nibble = c.to_digit(16).expect("hex digit") as u8;
            let pos = offset + i;
            be[pos / 2] |= nibble << (4 * (1 - pos % 2));
        }
        be.reverse();
        Option::from(Fr::from_repr(be)).expect("canonical")
    }

    /// First and last round constant, first and last MDS entry of widths 2, 3 and 17, from
    /// circomlibjs `src/poseidon_constants.json` (`C[t-2][0]`, `C[t-2][last]`,
    /// `M[t-2][0][0]`, `M[t-2][t-1][t-1]`), the constants circomlib's `Poseidon(n)` uses.
    #[test]
    fn matches_circomlib_constants() {
        let expected = [
            (
                2,
                "0x09c46e9ec68e9bd4fe1faaba294cba38a71aa177534cdd1b6c7dc0dbd0abd7a7",
                "0x269e4b5b7a2eb21afd567970a717ceec5bd4184571c254fdc06e03a7ff8378f0",
                "0x066f6f85d6f68a85ec10345351a23a3aaf07f38af8c952a7bceca70bd2af7ad5",
                "0x1274e649a32ed355a31a6ed69724e1adade857e86eb5c3a121bcd147943203c8",
            ),
            (
                3,
                "0x0ee9a592ba9a9518d05986d656f40c2114c4993c11bb29938d21d47304cd8e6e",
                "0x1da55cc900f0d21f4a3e694391918a1b3c23b2ac773c6b3ef88e2e4228325161",
                "0x109b7f411ba0e4c9b2b70caf5c36a7b194be7c11ad24378bfedb68592ba8118b",
                "0x19a3fc0a56702bf417ba7fee3802593fa644470307043f7773279cd71d25d5e0",
            ),
            (
                17,
                "0x2fb583762b37592c6c5a95eb1d06694b6c6f9dc4f1ad4862dd8f5e67cb7a3f5c",
                "0x2a437b970ff32645bd5303f9474b5743427333c6663d17f44d918e9f2ca005d4",
                "0x196b76cefdcc7f6a54c71d40114a0bb82694c936f1573ac7ac1ea3fcce1fe938",
                "0x1d3ee85f078fbeecda2473efc2bedd1ba7ec6f4795faaeae3b0de48d3080c625",
            ),
        ];
        for (t, c_first, c_last, m_first, m_last) in expected {
            let p = generate(t, partial_rounds(t).expect("width in range"));
            assert_eq!(p.round_constants.len(), FULL_ROUNDS + p.partial_rounds);
            assert!(p.round_constants.iter().all(|r| r.len() == t));
            assert_eq!(p.round_constants[0][0], fr(c_first), "t={t} first constant");
            assert_eq!(p.round_constants.last().and_then(|r| r.last()), Some(&fr(c_last)));
            assert_eq!(p.mds[0][0], fr(m_first), "t={t} first MDS entry");
            assert_eq!(p.mds[t - 1][t - 1], fr(m_last), "t={t} last MDS entry");
        }
    }

    /// Reduction of MDS draws: an integer ≥ p comes back as itself minus p.
    #[test]
    fn reduced_draw_wraps_once() {
        // p - 1 ends in a zero byte, so adding 6 to it gives p + 5.
        let mut le = (-Fr::ONE).to_repr();
        le[0] += 6;
        assert_eq!(reduce_le(le), Fr::from(5));
        assert_eq!(reduce_le((-Fr::ONE).to_repr()), -Fr::ONE);
    }
}
