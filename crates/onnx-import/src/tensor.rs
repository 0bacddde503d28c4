//! `TensorProto` -> f32 [`Tensor`].

use zkinfer_graph::Tensor;

use crate::proto::tensor_proto::{DataLocation, DataType};
use crate::proto::TensorProto;
use crate::ImportError;

/// Converts an initializer or constant to f32. Integer tensors (shapes, axes) convert exactly
/// below 2^24; booleans are 0 and 1; 16-bit floats exactly.
pub(crate) fn to_tensor(t: &TensorProto) -> Result<Tensor, ImportError> {
    let name = t.name().to_string();
    let err = |message: String| ImportError::Tensor { name: name.clone(), message };
    if t.data_location() == DataLocation::External || !t.external_data.is_empty() {
        return Err(err("external data is not supported; save the model with its weights inside".into()));
    }
    let shape = t
        .dims
        .iter()
        .map(|&d| usize::try_from(d).map_err(|_| err(format!("negative dimension {d}"))))
        .collect::<Result<Vec<_>, _>>()?;
    let len = shape
        .iter()
        .try_fold(1usize, |a, &d| a.checked_mul(d))
        .ok_or_else(|| err(format!("shape {shape:?} has more elements than fit in memory")))?;
    let raw = t.raw_data.as_deref();
    let dtype = DataType::try_from(t.data_type()).map_err(|_| err(format!("unknown data type {}", t.data_type())))?;
    // Each type: its little-endian bytes in raw_data, else its typed field.
    let read = |n: usize, decode: &dyn Fn(&[u8]) -> f32, typed: &dyn Fn() -> Vec<f32>| match raw {
        Some(b) => le_values(b, n, len, decode, &err),
        None => Ok(typed()),
    };
    let ints = |v: &[i32]| v.iter().map(|&x| x as f32).collect::<Vec<f32>>();
    let data: Vec<f32> = match dtype {
        DataType::Float => read(4, &|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]]), &|| t.float_data.clone())?,
        DataType::Double => {
            read(8, &|c| f64::from_le_bytes(bytes8(c)) as f32, &|| t.double_data.iter().map(|&v| v as f32).collect())?
        }
        DataType::Int64 => {
            read(8, &|c| i64::from_le_bytes(bytes8(c)) as f32, &|| t.int64_data.iter().map(|&v| v as f32).collect())?
        }
        DataType::Int32 => read(4, &|c| i32::from_le_bytes([c[0], c[1], c[2], c[3]]) as f32, &|| ints(&t.int32_data))?,
        // 16-bit types keep their bits in int32_data.
        DataType::Float16 => read(2, &|c| f16_to_f32(u16::from_le_bytes([c[0], c[1]])), &|| {
            t.int32_data.iter().map(|&v| f16_to_f32(v as u16)).collect()
        })?,
        DataType::Bfloat16 => read(2, &|c| bf16_to_f32(u16::from_le_bytes([c[0], c[1]])), &|| {
            t.int32_data.iter().map(|&v| bf16_to_f32(v as u16)).collect()
        })?,
        DataType::Int16 => read(2, &|c| f32::from(i16::from_le_bytes([c[0], c[1]])), &|| ints(&t.int32_data))?,
        DataType::Uint16 => read(2, &|c| f32::from(u16::from_le_bytes([c[0], c[1]])), &|| ints(&t.int32_data))?,
        DataType::Uint32 => read(4, &|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]) as f32, &|| {
            t.uint64_data.iter().map(|&v| v as f32).collect()
        })?,
        DataType::Uint64 => {
            read(8, &|c| u64::from_le_bytes(bytes8(c)) as f32, &|| t.uint64_data.iter().map(|&v| v as f32).collect())?
        }
        // Booleans and 8-bit integers: one byte each in raw_data, else one int32_data entry each.
        DataType::Bool | DataType::Uint8 | DataType::Int8 => match raw {
            Some(b) if b.len() == len => {
                b.iter().map(|&v| if dtype == DataType::Int8 { f32::from(v as i8) } else { f32::from(v) }).collect()
            }
            Some(b) => return Err(err(format!("raw_data has {} bytes, expected {len}", b.len()))),
            None => t.int32_data.iter().map(|&v| v as f32).collect(),
        },
        // 8-bit floats and 4- and 2-bit types: packed bytes in raw_data, else one byte per
        // int32_data entry.
        narrow if crate::narrow::bits(narrow).is_some() => {
            let typed: Vec<u8>;
            let bytes = match raw {
                Some(b) => b,
                None => {
                    typed = t.int32_data.iter().map(|&v| v as u8).collect();
                    &typed
                }
            };
            crate::narrow::unpack(narrow, bytes, len).ok_or_else(|| {
                err(format!(
                    "has {} bytes of {} data, not enough or too many for {len} values",
                    bytes.len(),
                    narrow.as_str_name()
                ))
            })?
        }
        other => {
            return Err(err(format!(
                "data type {} is not supported (float, double, float16, bfloat16, 8- and 4-bit floats, 2- to 64-bit \
                 integers and bool are)",
                other.as_str_name()
            )))
        }
    };
    if data.len() != len {
        return Err(err(format!("has {} values but its shape {shape:?} needs {len}", data.len())));
    }
    Tensor::from_shape_vec(shape, data).map_err(|e| err(e.to_string()))
}

/// `len` values of `n` little-endian bytes each, decoded.
fn le_values(
    bytes: &[u8],
    n: usize,
    len: usize,
    decode: &dyn Fn(&[u8]) -> f32,
    err: &dyn Fn(String) -> ImportError,
) -> Result<Vec<f32>, ImportError> {
    if len.checked_mul(n) != Some(bytes.len()) {
        return Err(err(format!("raw_data has {} bytes, expected {len} x {n}", bytes.len())));
    }
    Ok(bytes.chunks_exact(n).map(decode).collect())
}

/// The first eight bytes of `c` (a chunk of exactly eight).
fn bytes8(c: &[u8]) -> [u8; 8] {
    let mut a = [0u8; 8];
    a.copy_from_slice(&c[..8]);
    a
}

/// An IEEE half-precision float's value (exact in f32).
fn f16_to_f32(bits: u16) -> f32 {
    let sign = if bits & 0x8000 != 0 { -1.0 } else { 1.0 };
    let exponent = i32::from((bits >> 10) & 0x1f);
    let fraction = f32::from(bits & 0x3ff);
    match exponent {
        0 => sign * fraction * 2f32.powi(-24),
        31 if fraction == 0.0 => sign * f32::INFINITY,
        31 => f32::NAN,
        e => sign * (1.0 + fraction / 1024.0) * 2f32.powi(e - 15),
    }
}

/// A bfloat16's value: the upper half of an f32.
fn bf16_to_f32(bits: u16) -> f32 {
    f32::from_bits(u32::from(bits) << 16)
}

#[cfg(test)]
mod tests {
    use super::{bf16_to_f32, f16_to_f32};

    #[test]
    fn sixteen_bit_floats_decode_exactly() {
        assert_eq!(f16_to_f32(0x3c00), 1.0);
        assert_eq!(f16_to_f32(0xc000), -2.0);
        assert_eq!(f16_to_f32(0x7bff), 65504.0);
        assert_eq!(f16_to_f32(0x0001), 2f32.powi(-24));
        assert_eq!(f16_to_f32(0x3555), 1365.0 / 4096.0);
        assert_eq!(f16_to_f32(0xfc00), f32::NEG_INFINITY);
        assert!(f16_to_f32(0x7e00).is_nan());
        assert_eq!(bf16_to_f32(0x3f80), 1.0);
        assert_eq!(bf16_to_f32(0xc0a0), -5.0);
    }
}
