//! `TensorProto` -> f32 [`Tensor`].

use zkinfer_graph::Tensor;

use crate::proto::tensor_proto::{DataLocation, DataType};
use crate::proto::TensorProto;
use crate::ImportError;

/// Converts an initializer or constant to f32. Integer tensors (shapes, axes) convert exactly
/// below 2^24; booleans are 0 and 1.
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
    let data: Vec<f32> = match dtype {
        DataType::Float => match raw {
            Some(b) => le_chunks::<4>(b, len, &err)?.map(f32::from_le_bytes).collect(),
            None => t.float_data.clone(),
        },
        DataType::Double => match raw {
            Some(b) => le_chunks::<8>(b, len, &err)?.map(|c| f64::from_le_bytes(c) as f32).collect(),
            None => t.double_data.iter().map(|&v| v as f32).collect(),
        },
        DataType::Int64 => match raw {
            Some(b) => le_chunks::<8>(b, len, &err)?.map(|c| i64::from_le_bytes(c) as f32).collect(),
            None => t.int64_data.iter().map(|&v| v as f32).collect(),
        },
        DataType::Int32 => match raw {
            Some(b) => le_chunks::<4>(b, len, &err)?.map(|c| i32::from_le_bytes(c) as f32).collect(),
            None => t.int32_data.iter().map(|&v| v as f32).collect(),
        },
        // Booleans and 8-bit integers: one byte each in raw_data, else one int32_data entry each.
        DataType::Bool | DataType::Uint8 | DataType::Int8 => match raw {
            Some(b) if b.len() == len => {
                b.iter().map(|&v| if dtype == DataType::Int8 { f32::from(v as i8) } else { f32::from(v) }).collect()
            }
            Some(b) => return Err(err(format!("raw_data has {} bytes, expected {len}", b.len()))),
            None => t.int32_data.iter().map(|&v| v as f32).collect(),
        },
        other => {
            return Err(err(format!(
                "data type {} is not supported (float, double, int64, int32, int8, uint8 and bool are)",
                other.as_str_name()
            )))
        }
    };
    if data.len() != len {
        return Err(err(format!("has {} values but its shape {shape:?} needs {len}", data.len())));
    }
    Tensor::from_shape_vec(shape, data).map_err(|e| err(e.to_string()))
}

fn le_chunks<'a, const N: usize>(
    bytes: &'a [u8],
    len: usize,
    err: &dyn Fn(String) -> ImportError,
) -> Result<impl Iterator<Item = [u8; N]> + 'a, ImportError> {
    if len.checked_mul(N) != Some(bytes.len()) {
        return Err(err(format!("raw_data has {} bytes, expected {len} x {N}", bytes.len())));
    }
    Ok(bytes.chunks_exact(N).map(|c| {
        let mut a = [0u8; N];
        a.copy_from_slice(c);
        a
    }))
}
