//! `DFT` and `Col2Im`, linear maps with constant coefficients, built at import.
//!
//! Both are a fixed matrix applied to a slice of the input: the input is re-wired so that slice
//! is its last axis, multiplied by the constant matrix (a `MatMul` by a constant: one Linear
//! row per output element, no new constraint), and re-wired back. The matrix is computed here
//! from the attributes and constant inputs; computed lengths or shapes are refused by name.

use std::f64::consts::PI;

use zkinfer_graph::ops::{strides, unravel, MatMul, Reshape, Transpose};
use zkinfer_graph::{Op, Tensor};

use crate::builders::const_ints;
use crate::registry::{Built, NodeCx, Src};
use crate::ImportError;

type Steps = Vec<(Box<dyn Op>, Vec<Src>)>;

/// Steps applying `matrix` (`[k, m]`) along the input axes `axes` (moved, in order, to the end
/// and flattened to length `k`), the result unflattened to `out_dims` in their place.
fn along(input: &[usize], axes: &[usize], matrix: Tensor, out_dims: &[usize]) -> (Steps, usize) {
    let rest: Vec<usize> = (0..input.len()).filter(|d| !axes.contains(d)).collect();
    let perm: Vec<usize> = rest.iter().chain(axes).copied().collect();
    let moved = perm.iter().enumerate().any(|(i, &p)| i != p);
    let lead: Vec<i64> = rest.iter().map(|&d| input[d] as i64).collect();
    let mut steps: Steps = Vec::new();
    let mut src = Src::Input(0);
    if moved {
        steps.push((Box::new(Transpose { perm: Some(perm.clone()) }), vec![src]));
        src = Src::Step(steps.len() - 1);
    }
    let k = axes.iter().map(|&d| input[d] as i64).product::<i64>();
    steps.push((Box::new(Reshape { shape: [lead.clone(), vec![k]].concat(), allow_zero: false }), vec![src]));
    steps.push((Box::new(MatMul), vec![Src::Step(steps.len() - 1), Src::Const(matrix)]));
    let out: Vec<i64> = out_dims.iter().map(|&d| d as i64).collect();
    steps
        .push((Box::new(Reshape { shape: [lead, out].concat(), allow_zero: false }), vec![Src::Step(steps.len() - 1)]));
    if moved {
        // Out dims replace the moved axes, in place when they were contiguous and last but for
        // trailing kept ones: invert the permutation over the output's rank.
        let rank = rest.len() + out_dims.len();
        let mut back_perm = vec![0; rank];
        let placed: Vec<usize> = rest.iter().copied().chain(axes.iter().copied()).collect();
        for (i, &p) in placed.iter().enumerate() {
            back_perm[p] = i;
        }
        steps.push((Box::new(Transpose { perm: Some(back_perm) }), vec![Src::Step(steps.len() - 1)]));
    }
    let last = steps.len() - 1;
    (steps, last)
}

/// `DFT` (versions 17 and 20): along the signal axis, the input (real, last dim 1, or complex,
/// last dim 2) times the matrix of `e^(∓2πi·jk/L)` (divided by `L` when `inverse`) for the
/// transform length `L` (`dft_length`, else the axis length, else twice one less for a
/// one-sided inverse), truncated or zero-padded; `onesided` keeps the first `L/2 + 1`
/// frequencies, or, inverse, reads them as a Hermitian half and gives the real signal.
pub(crate) fn dft(cx: &NodeCx, axis_input: bool) -> Result<Built, ImportError> {
    let a = &cx.attrs;
    let input = cx.shapes.first().cloned().unwrap_or_default();
    let (inverse, onesided) = (a.flag("inverse")?, a.flag("onesided")?);
    let axis = if axis_input && cx.shapes.len() > 2 {
        const_ints(cx, 2, "axis")?.and_then(|v| v.first().copied()).unwrap_or(-2)
    } else if axis_input {
        -2
    } else {
        a.int("axis")?.unwrap_or(1)
    };
    let r = input.len() as i64;
    let c = input.last().copied().unwrap_or(0);
    if r < 2 || !(1..=2).contains(&c) || !(-r..r - 1).contains(&axis) || axis.rem_euclid(r) == r - 1 {
        return Err(
            a.node_error(format!("input {input:?} with axis {axis}: the last dim must be 1 or 2, the axis another"))
        );
    }
    let ax = axis.rem_euclid(r) as usize;
    let n = input[ax];
    let length = match cx.consts.get(1).copied().flatten() {
        Some(t) if t.len() == 1 => t.iter().next().map(|&v| v as i64).unwrap_or(0),
        Some(t) if t.is_empty() => default_length(n, inverse, onesided),
        None if cx.shapes.len() > 1 && cx.shapes[1] != [0] => {
            return Err(
                a.error("dft_length", "must be a constant input (computed from the model input it is not supported)")
            )
        }
        _ => default_length(n, inverse, onesided),
    };
    let l = usize::try_from(length).ok().filter(|&l| (1..=1 << 16).contains(&l));
    let l = l.ok_or_else(|| a.error("dft_length", format!("{length} must be between 1 and 65536")))?;
    let real_out = inverse && onesided;
    let (m, c_out) = match (inverse, onesided) {
        (true, true) => (l, 1),
        (false, true) => (l / 2 + 1, 2),
        _ => (l, 2),
    };
    // Input element (k, part) to output element (j, out part).
    let mut w = vec![0f32; crate::rewire::built_len(cx, &[n, c, m, c_out], "the DFT matrix")?];
    let used = if real_out { n.min(l / 2 + 1) } else { n.min(l) };
    for k in 0..used {
        for j in 0..m {
            let theta = 2.0 * PI * ((j * k) % l) as f64 / l as f64;
            let (cos, sin) = (theta.cos(), theta.sin());
            // Forward: (xr + i·xi)(cos − i·sin); inverse: (xr + i·xi)(cos + i·sin) / L.
            let s = if inverse { 1.0 } else { -1.0 };
            let scale = if real_out {
                let doubled = k != 0 && !(l % 2 == 0 && k == l / 2);
                if doubled {
                    2.0 / l as f64
                } else {
                    1.0 / l as f64
                }
            } else if inverse {
                1.0 / l as f64
            } else {
                1.0
            };
            let mut set = |part: usize, out: usize, v: f64| {
                if part < c && out < c_out {
                    w[(k * c + part) * m * c_out + j * c_out + out] = (v * scale) as f32;
                }
            };
            set(0, 0, cos);
            set(0, 1, s * sin);
            set(1, 0, -s * sin);
            set(1, 1, cos);
        }
    }
    let matrix = Tensor::from_shape_vec(vec![n * c, m * c_out], w).map_err(|e| a.node_error(e.to_string()))?;
    let (steps, last) = along(&input, &[ax, input.len() - 1], matrix, &[m, c_out]);
    Ok(Built::Nodes(steps, vec![last]))
}

fn default_length(n: usize, inverse: bool, onesided: bool) -> i64 {
    if inverse && onesided {
        2 * (n as i64 - 1)
    } else {
        n as i64
    }
}

/// `Col2Im`: input `[N, C·∏block, L]` summed into `[N, C, image…]`: column `(c, b, l)` adds to
/// the image pixel at `pos(l)·stride − pad_begin + b·dilation` when that lies inside the image.
pub(crate) fn col2im(cx: &NodeCx) -> Result<Built, ImportError> {
    let a = &cx.attrs;
    let input = cx.shapes.first().cloned().unwrap_or_default();
    let image = const_ints(cx, 1, "image_shape")?.unwrap_or_default();
    let block = const_ints(cx, 2, "block_shape")?.unwrap_or_default();
    let d = image.len();
    let dil = a.ints("dilations")?.unwrap_or_else(|| vec![1; d]);
    let stride = a.ints("strides")?.unwrap_or_else(|| vec![1; d]);
    let pads = a.ints("pads")?.unwrap_or_else(|| vec![0; 2 * d]);
    let positive = |v: &[i64]| v.iter().all(|&x| (1..=1 << 16).contains(&x));
    let fits = d > 0 && block.len() == d && dil.len() == d && stride.len() == d && pads.len() == 2 * d;
    let fits = fits && positive(&image) && positive(&block) && positive(&dil) && positive(&stride);
    if !fits || pads.iter().any(|&p| !(0..=1 << 16).contains(&p)) {
        return Err(a.node_error(format!(
            "image_shape {image:?}, block_shape {block:?}, dilations, strides and pads must be one per image dim, \
             positive (pads non-negative) and at most 65536"
        )));
    }
    // Sliding positions per image dim.
    let cols: Vec<i64> =
        (0..d).map(|i| (image[i] + pads[i] + pads[i + d] - (dil[i] * (block[i] - 1) + 1)) / stride[i] + 1).collect();
    let block_u: Vec<usize> = block.iter().map(|&v| v as usize).collect();
    let cols_u: Vec<usize> = cols.iter().map(|&v| v.max(0) as usize).collect();
    let kernel = crate::rewire::built_len(cx, &block_u, "the block")?;
    let l = crate::rewire::built_len(cx, &cols_u, "the sliding blocks")?;
    let [n, ck, li] = input[..] else {
        return Err(a.node_error(format!("the input must be 3-D, found {input:?}")));
    };
    if li != l || kernel == 0 || ck % kernel != 0 {
        return Err(a.node_error(format!("input {input:?} does not match {l} sliding blocks of {kernel} elements")));
    }
    let c = ck / kernel;
    let image_u: Vec<usize> = image.iter().map(|&v| v as usize).collect();
    let pixels = crate::rewire::built_len(cx, &image_u, "the image")?;
    let mut w = vec![0f32; crate::rewire::built_len(cx, &[kernel, l, pixels], "the Col2Im matrix")?];
    let image_strides = strides(&image_u);
    for b in 0..kernel {
        let bc = unravel(b, &block_u);
        for p in 0..l {
            let pc = unravel(p, &cols_u);
            let at: Option<usize> = (0..d)
                .map(|i| {
                    let v = pc[i] as i64 * stride[i] - pads[i] + bc[i] as i64 * dil[i];
                    usize::try_from(v).ok().filter(|&v| v < image_u[i]).map(|v| v * image_strides[i])
                })
                .sum();
            if let Some(at) = at {
                w[(b * l + p) * pixels + at] += 1.0;
            }
        }
    }
    let matrix = Tensor::from_shape_vec(vec![kernel * l, pixels], w).map_err(|e| a.node_error(e.to_string()))?;
    let steps: Steps = vec![
        (
            Box::new(Reshape { shape: vec![n as i64, c as i64, (kernel * l) as i64], allow_zero: false }),
            vec![Src::Input(0)],
        ),
        (Box::new(MatMul), vec![Src::Step(0), Src::Const(matrix)]),
        (
            Box::new(Reshape { shape: [vec![n as i64, c as i64], image].concat(), allow_zero: false }),
            vec![Src::Step(1)],
        ),
    ];
    Ok(Built::Nodes(steps, vec![2]))
}
