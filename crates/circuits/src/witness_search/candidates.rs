//! Candidate values of a cell: the field elements an attacker would try first.

use halo2_axiom::halo2curves::ff::Field;

use super::halo2::repr;
use crate::Fr;

/// Which values around an honest value `h` a cell may take when no constraint determines it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CandidateSet {
    /// Every integer `h + d` with `|d| <= window`.
    pub window: i64,
    /// Their negatives `p - (h + d)`.
    pub negatives: bool,
    /// `(h + d) * 2^-j mod p` for `1 <= j <= fraction_bits` (the value a lookup of `l * 2^j`
    /// admits).
    pub fraction_bits: u32,
    /// `(h + d) * 3^-1 mod p`.
    pub thirds: bool,
    /// `h ± 2^j` for `j <= power_bits` (a carry into or out of a limb).
    pub power_bits: u32,
}

impl Default for CandidateSet {
    fn default() -> Self {
        Self { window: 4, negatives: true, fraction_bits: 8, thirds: true, power_bits: 16 }
    }
}

/// `v` as a signed integer, when it is one of magnitude below `2^63`.
pub(crate) fn small_int(v: Fr) -> Option<i64> {
    let low = |a: Fr| -> Option<i64> {
        let bytes = repr(a);
        if bytes[8..].iter().any(|&b| b != 0) {
            return None;
        }
        i64::try_from(u64::from_le_bytes(bytes[..8].try_into().ok()?)).ok()
    };
    low(v).or_else(|| low(-v).map(|x| -x))
}

fn fe(v: i64) -> Fr {
    if v < 0 {
        -Fr::from(v.unsigned_abs())
    } else {
        Fr::from(v as u64)
    }
}

impl CandidateSet {
    /// The candidates for a cell whose honest value is `h` (distinct; `h` first).
    pub fn around(&self, h: Fr) -> Vec<Fr> {
        let mut out = vec![h];
        let base: Vec<Fr> = match small_int(h) {
            Some(s) => (-self.window..=self.window).map(|d| fe(s.saturating_add(d))).collect(),
            None => (-self.window..=self.window).map(|d| h + fe(d)).collect(),
        };
        out.extend(base.iter().copied());
        if self.negatives {
            out.extend(base.iter().map(|v| -*v));
        }
        let half = Fr::from(2).invert().unwrap_or(Fr::ZERO);
        let mut inv = Fr::ONE;
        for _ in 0..self.fraction_bits {
            inv *= half;
            out.extend(base.iter().map(|v| *v * inv));
        }
        if self.thirds {
            let third = Fr::from(3).invert().unwrap_or(Fr::ZERO);
            out.extend(base.iter().map(|v| *v * third));
        }
        let mut pow = Fr::ONE;
        for _ in 0..self.power_bits {
            pow = pow.double();
            out.push(h + pow);
            out.push(h - pow);
        }
        let mut seen = std::collections::HashSet::new();
        out.retain(|v| seen.insert(repr(*v)));
        out
    }
}
