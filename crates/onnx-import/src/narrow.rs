//! The element types narrower than a byte or than f16: 8- and 4-bit floats and 4- and 2-bit
//! integers, decoded to f32 exactly (every value of these types is an f32).
//!
//! Bit layouts as the ONNX specification gives them (`docs/docs/Float8.md`, `Float4.md`,
//! `IntegerTypes` in `onnx.proto`): sub-byte values are packed little end first (element `i`
//! of a 4-bit tensor in the low nibble of byte `i / 2` when `i` is even).

use crate::proto::tensor_proto::DataType;

/// Bits per element of a narrow type: 8, 4 or 2 (`None` for the others).
pub(crate) fn bits(t: DataType) -> Option<u32> {
    use DataType::*;
    match t {
        Float8e4m3fn | Float8e4m3fnuz | Float8e5m2 | Float8e5m2fnuz | Float8e8m0 => Some(8),
        Int4 | Uint4 | Float4e2m1 => Some(4),
        Int2 | Uint2 => Some(2),
        _ => None,
    }
}

/// Whether `t` is one of the narrow floating-point types.
pub(crate) fn is_narrow_float(t: DataType) -> bool {
    use DataType::*;
    matches!(t, Float8e4m3fn | Float8e4m3fnuz | Float8e5m2 | Float8e5m2fnuz | Float8e8m0 | Float4e2m1)
}

/// Whether `t` is one of the narrow integer types.
pub(crate) fn is_narrow_int(t: DataType) -> bool {
    matches!(t, DataType::Int4 | DataType::Uint4 | DataType::Int2 | DataType::Uint2)
}

/// The `len` values of a narrow type `t` packed in `bytes` (each byte holds `8 / bits(t)` of
/// them); `None` when `bytes` has the wrong length.
pub(crate) fn unpack(t: DataType, bytes: &[u8], len: usize) -> Option<Vec<f32>> {
    let width = bits(t)? as usize;
    let per_byte = 8 / width;
    if bytes.len() != len.div_ceil(per_byte) {
        return None;
    }
    let mask = (1u16 << width) - 1;
    Some(
        (0..len)
            .map(|i| {
                let code = (u16::from(bytes[i / per_byte]) >> (width * (i % per_byte))) & mask;
                value(t, code)
            })
            .collect(),
    )
}

/// The value of one element of narrow type `t` with bit pattern `code`.
fn value(t: DataType, code: u16) -> f32 {
    use DataType::*;
    let nan_fnuz = |code: u16, bias| if code == 0x80 { f32::NAN } else { minifloat(code, 4, 3, bias) };
    match t {
        Float8e4m3fn if code & 0x7f == 0x7f => f32::NAN,
        Float8e4m3fn => minifloat(code, 4, 3, 7),
        Float8e4m3fnuz => nan_fnuz(code, 8),
        Float8e5m2 if code & 0x7c == 0x7c => {
            if code & 0x03 == 0 {
                sign(code, 8) * f32::INFINITY
            } else {
                f32::NAN
            }
        }
        Float8e5m2 => minifloat(code, 5, 2, 15),
        Float8e5m2fnuz if code == 0x80 => f32::NAN,
        Float8e5m2fnuz => minifloat(code, 5, 2, 16),
        Float8e8m0 if code == 0xff => f32::NAN,
        Float8e8m0 => 2f32.powi(i32::from(code) - 127),
        Float4e2m1 => minifloat(code, 2, 1, 1),
        Uint4 | Uint2 => f32::from(code),
        // Two's complement in 4 or 2 bits.
        Int4 => f32::from(((code << 12) as i16) >> 12),
        Int2 => f32::from(((code << 14) as i16) >> 14),
        _ => f32::NAN,
    }
}

/// `-1` when the sign bit of a `width`-bit code is set, else `1`.
fn sign(code: u16, width: u32) -> f32 {
    if code >> (width - 1) & 1 == 1 {
        -1.0
    } else {
        1.0
    }
}

/// A float of `1 + e + m` bits without special values: exponent bias `bias`, subnormal when the
/// exponent field is 0.
fn minifloat(code: u16, e: u32, m: u32, bias: i32) -> f32 {
    let exponent = i32::from((code >> m) & ((1 << e) - 1));
    let mantissa = f32::from(code & ((1 << m) - 1));
    let scale = 2f32.powi(m as i32);
    let magnitude = if exponent == 0 {
        mantissa / scale * 2f32.powi(1 - bias)
    } else {
        (1.0 + mantissa / scale) * 2f32.powi(exponent - bias)
    };
    sign(code, 1 + e + m) * magnitude
}

#[cfg(test)]
mod tests {
    use super::{unpack, value};
    use crate::proto::tensor_proto::DataType::*;

    #[test]
    fn eight_bit_floats_decode_as_the_spec_tabulates() {
        // E4M3FN: largest 448, smallest subnormal 2^-9, NaN at S.1111.111.
        assert_eq!(value(Float8e4m3fn, 0x7e), 448.0);
        assert_eq!(value(Float8e4m3fn, 0x01), 2f32.powi(-9));
        assert_eq!(value(Float8e4m3fn, 0x38), 1.0);
        assert_eq!(value(Float8e4m3fn, 0xb8), -1.0);
        assert!(value(Float8e4m3fn, 0xff).is_nan());
        // E4M3FNUZ: bias 8, largest 240, NaN only at 0x80.
        assert_eq!(value(Float8e4m3fnuz, 0x7f), 240.0);
        assert_eq!(value(Float8e4m3fnuz, 0x40), 1.0);
        assert!(value(Float8e4m3fnuz, 0x80).is_nan());
        // E5M2: IEEE-like, largest 57344, infinities.
        assert_eq!(value(Float8e5m2, 0x7b), 57344.0);
        assert_eq!(value(Float8e5m2, 0x3c), 1.0);
        assert_eq!(value(Float8e5m2, 0xfc), f32::NEG_INFINITY);
        assert!(value(Float8e5m2, 0x7d).is_nan());
        // E5M2FNUZ: bias 16, largest 57344.
        assert_eq!(value(Float8e5m2fnuz, 0x7f), 57344.0);
        assert_eq!(value(Float8e5m2fnuz, 0x40), 1.0);
        // E8M0: powers of two.
        assert_eq!(value(Float8e8m0, 127), 1.0);
        assert_eq!(value(Float8e8m0, 130), 8.0);
        assert!(value(Float8e8m0, 255).is_nan());
    }

    #[test]
    fn four_and_two_bit_values_unpack_low_end_first() {
        // E2M1: 0, 0.5, 1, 1.5, 2, 3, 4, 6 and their negatives.
        let e2m1: Vec<f32> = (0..16).map(|c| value(Float4e2m1, c)).collect();
        assert_eq!(&e2m1[..8], &[0.0, 0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0]);
        assert_eq!(e2m1[15], -6.0);
        // 0x8f: element 0 is the low nibble (0xf), element 1 the high one (0x8).
        assert_eq!(unpack(Int4, &[0x8f, 0x07], 3), Some(vec![-1.0, -8.0, 7.0]));
        assert_eq!(unpack(Uint4, &[0x8f], 2), Some(vec![15.0, 8.0]));
        assert_eq!(unpack(Int2, &[0b1110_0100], 4), Some(vec![0.0, 1.0, -2.0, -1.0]));
        assert_eq!(unpack(Uint2, &[0b1110_0100, 0b11], 5), Some(vec![0.0, 1.0, 2.0, 3.0, 3.0]));
        assert_eq!(unpack(Int4, &[0x00], 3), None);
    }
}
