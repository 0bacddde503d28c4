//! Limb decomposition: how a range check of `bits` bits splits into `b`-bit limbs.
//!
//! A value in `[0, 2^bits)` is `Σ_i L_i · 2^(b·i)` with `L_i` in `[0, 2^b)`, and the top limb
//! in `[0, 2^(bits mod b))` when `b` does not divide `bits`. The circuit looks each limb up in a
//! table under its own width, so the sum is exactly the integers `[0, 2^bits)`.

/// Number of `b`-bit limbs that cover `bits` bits.
pub fn limbs_for(bits: u32, b: u32) -> usize {
    bits.div_ceil(b.max(1)) as usize
}

/// Widths of the `b`-bit limbs that cover `bits` bits: `b` each, the top one `bits mod b` when
/// that is not zero.
pub fn limb_widths(bits: u32, b: u32) -> Vec<u32> {
    let b = b.max(1);
    (0..limbs_for(bits, b) as u32).map(|i| (bits - b * i).min(b)).collect()
}

/// The limbs of `value` (in `[0, 2^bits)`) with `b`-bit limbs, least significant first, each
/// as `(limb, width, weight 2^(b·i))`.
pub fn split_limbs(value: i128, bits: u32, b: u32) -> Vec<(i128, u32, i128)> {
    let b = b.clamp(1, 62);
    let mask = (1i128 << b) - 1;
    limb_widths(bits, b)
        .into_iter()
        .enumerate()
        .map(|(i, width)| {
            let shift = b as usize * i;
            ((value >> shift) & mask, width, 1i128 << shift)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limbs_recompose_the_value_and_respect_their_widths() {
        for (bits, b) in [(0, 4), (1, 4), (7, 4), (8, 4), (13, 5), (20, 17)] {
            assert_eq!(limb_widths(bits, b).iter().sum::<u32>(), bits);
            for value in [0i128, 1, (1 << bits) - 1, (1 << bits) / 3].into_iter().filter(|v| *v < 1 << bits) {
                let limbs = split_limbs(value, bits, b);
                assert_eq!(limbs.len(), limbs_for(bits, b));
                assert_eq!(limbs.iter().map(|(l, _, w)| l * w).sum::<i128>(), value, "bits {bits} b {b}");
                assert!(limbs.iter().all(|&(l, width, _)| (0..1 << width).contains(&l)));
            }
        }
    }
}
