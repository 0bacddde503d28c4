//! Numpy-style broadcasting shared by the elementwise ops: output shapes and index maps.

use ndarray::{ArrayD, IxDyn, Zip};

use crate::error::{OpError, OpResult};
use crate::Tensor;

/// Broadcast shape of two shapes (numpy rules: align trailing dims; a dim of 1 stretches).
pub fn broadcast_shape(a: &[usize], b: &[usize]) -> OpResult<Vec<usize>> {
    let rank = a.len().max(b.len());
    let dim = |s: &[usize], i: usize| if i + s.len() < rank { 1 } else { s[i + s.len() - rank] };
    (0..rank)
        .map(|i| match (dim(a, i), dim(b, i)) {
            (x, y) if x == y => Ok(x),
            (1, y) => Ok(y),
            (x, 1) => Ok(x),
            _ => Err(OpError::Shape(format!("shapes {a:?} and {b:?} do not broadcast"))),
        })
        .collect()
}

/// Broadcast shape of one or more shapes (the variadic ops: Max, Min, Sum, Mean, comparisons).
pub fn broadcast_all(shapes: &[&[usize]]) -> OpResult<Vec<usize>> {
    let (first, rest) = shapes.split_first().ok_or_else(|| OpError::Invalid("expected at least one input".into()))?;
    rest.iter().try_fold(first.to_vec(), |s, i| broadcast_shape(&s, i))
}

/// For every element of `out` (row-major), the flat index of the element of a tensor of shape
/// `input` that broadcasting reads. `input` must broadcast to `out`.
pub fn broadcast_index(input: &[usize], out: &[usize]) -> OpResult<Vec<u32>> {
    if input.len() > out.len() {
        return Err(OpError::Shape(format!("{input:?} has more dims than {out:?}")));
    }
    let pad = out.len() - input.len();
    // Stride of each output axis in the input (0 where the input is broadcast).
    let mut strides = vec![0usize; out.len()];
    let mut stride = 1usize;
    for i in (0..input.len()).rev() {
        let (d, o) = (input[i], out[pad + i]);
        if d != o && d != 1 {
            return Err(OpError::Shape(format!("{input:?} does not broadcast to {out:?}")));
        }
        strides[pad + i] = if d == 1 { 0 } else { stride };
        stride *= d;
    }
    let n: usize = out.iter().product();
    if stride > u32::MAX as usize || n > u32::MAX as usize {
        return Err(OpError::Unsupported(format!("tensor of shape {out:?} is too large to index")));
    }
    let mut index = Vec::with_capacity(n);
    let mut coord = vec![0usize; out.len()];
    for _ in 0..n {
        index.push(coord.iter().zip(&strides).map(|(c, s)| c * s).sum::<usize>() as u32);
        // Odometer increment over the output shape.
        for axis in (0..out.len()).rev() {
            coord[axis] += 1;
            if coord[axis] < out[axis] {
                break;
            }
            coord[axis] = 0;
        }
    }
    Ok(index)
}

/// The identity index map of a tensor with `len` elements (reshape, flatten).
pub fn identity_index(len: usize) -> OpResult<Vec<u32>> {
    let n = u32::try_from(len).map_err(|_| OpError::Unsupported(format!("tensor of {len} elements is too large")))?;
    Ok((0..n).collect())
}

/// `t` broadcast to `shape`, as an owned tensor.
pub fn broadcast_to(t: &Tensor, shape: &[usize]) -> OpResult<Tensor> {
    t.broadcast(IxDyn(shape))
        .map(|v| v.to_owned())
        .ok_or_else(|| OpError::Shape(format!("{:?} does not broadcast to {shape:?}", t.shape())))
}

/// Elementwise `f(a, b)` with numpy broadcasting.
pub fn zip_broadcast(a: &Tensor, b: &Tensor, f: impl Fn(f32, f32) -> f32) -> OpResult<Tensor> {
    let shape = broadcast_shape(a.shape(), b.shape())?;
    let err = || OpError::Shape(format!("shapes {:?} and {:?} do not broadcast", a.shape(), b.shape()));
    let av = a.broadcast(IxDyn(&shape)).ok_or_else(err)?;
    let bv = b.broadcast(IxDyn(&shape)).ok_or_else(err)?;
    let out: ArrayD<f32> = Zip::from(&av).and(&bv).map_collect(|&x, &y| f(x, y));
    Ok(out)
}

/// Checks an op's input count.
pub(crate) fn expect_inputs<T>(inputs: &[T], min: usize, max: usize) -> OpResult<()> {
    if inputs.len() < min || inputs.len() > max {
        let want = if min == max { format!("{min}") } else { format!("{min} to {max}") };
        return Err(OpError::Invalid(format!("expected {want} inputs, got {}", inputs.len())));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_broadcast_like_numpy() {
        assert_eq!(broadcast_shape(&[2, 1, 3], &[4, 1]).ok(), Some(vec![2, 4, 3]));
        assert_eq!(broadcast_shape(&[], &[5]).ok(), Some(vec![5]));
        assert!(broadcast_shape(&[2, 3], &[4]).is_err());
    }

    #[test]
    fn index_map_reads_the_broadcast_element() {
        // [2,1] broadcast to [2,3]: rows repeat.
        assert_eq!(broadcast_index(&[2, 1], &[2, 3]).ok(), Some(vec![0, 0, 0, 1, 1, 1]));
        // [3] broadcast to [2,3]: columns repeat.
        assert_eq!(broadcast_index(&[3], &[2, 3]).ok(), Some(vec![0, 1, 2, 0, 1, 2]));
        assert!(broadcast_index(&[2], &[2, 3]).is_err());
    }
}
