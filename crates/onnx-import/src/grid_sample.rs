//! `GridSample` at a constant grid (versions 16 and 20: 2-D, then N-D), and `AffineGrid` at a
//! constant size, built at import.
//!
//! With the grid constant, every output element is a fixed weighted sum of input pixels: the
//! sampling position, denormalized and brought inside the borders as `padding_mode` says, gives
//! per spatial dim the taps of the interpolation (one for `nearest`, two for `linear`, four for
//! `cubic`, each with its weight and its pixel under the padding), and the weights multiply
//! across dims. The sums are one batched `MatMul` of the input's pixels by the constant
//! matrix of each batch entry's weights: Linear rows, no new constraint. The weights follow
//! ONNX's reference implementation step by step, in f32 as it computes them. A grid computed
//! from the input is refused by name.

use zkinfer_graph::ops::{strides, unravel, MatMul, Reshape, Transpose};
use zkinfer_graph::{Op, Tensor};

use crate::registry::{Built, NodeCx, Src};
use crate::ImportError;

#[derive(Clone, Copy, PartialEq)]
enum Mode {
    Nearest,
    Linear,
    Cubic,
}

#[derive(Clone, Copy, PartialEq)]
enum Padding {
    Zeros,
    Border,
    Reflection,
}

/// One spatial dim's geometry: its length and the borders positions are reflected at.
#[derive(Clone, Copy)]
struct Dim {
    len: usize,
    lo: f32,
    hi: f32,
}

/// `x` reflected by the nearer border until it lies within `[lo, hi]`.
fn reflect(x: f32, lo: f32, hi: f32) -> f32 {
    let range = hi - lo;
    if x < lo {
        let dx = lo - x;
        let n = (dx / range) as i64;
        let r = dx - n as f32 * range;
        if n % 2 == 0 {
            lo + r
        } else {
            hi - r
        }
    } else if x > hi {
        let dx = x - hi;
        let n = (dx / range) as i64;
        let r = dx - n as f32 * range;
        if n % 2 == 0 {
            hi - r
        } else {
            lo + r
        }
    } else {
        x
    }
}

/// The pixel that tap `i` reads under `padding` (`None`: a zero).
fn pixel(i: i64, dim: Dim, padding: Padding) -> Option<usize> {
    let last = dim.len as i64 - 1;
    match padding {
        Padding::Zeros => usize::try_from(i).ok().filter(|&i| i < dim.len),
        Padding::Border => Some(i.clamp(0, last) as usize),
        Padding::Reflection => Some((reflect(i as f32, dim.lo, dim.hi) as i64).clamp(0, last) as usize),
    }
}

/// Keys' cubic convolution coefficients (`a = −0.75`) at fractional offset `t`.
fn cubic(t: f32) -> [f32; 4] {
    let a = -0.75f32;
    let x = t.abs();
    [
        ((a * (x + 1.0) - 5.0 * a) * (x + 1.0) + 8.0 * a) * (x + 1.0) - 4.0 * a,
        ((a + 2.0) * x - (a + 3.0)) * x * x + 1.0,
        ((a + 2.0) * (1.0 - x) - (a + 3.0)) * (1.0 - x) * (1.0 - x) + 1.0,
        ((a * (2.0 - x) - 5.0 * a) * (2.0 - x) + 8.0 * a) * (2.0 - x) - 4.0 * a,
    ]
}

/// The taps of one spatial dim at normalized coordinate `g`: `(pixel, weight)`.
fn taps(g: f32, dim: Dim, align: bool, mode: Mode, padding: Padding) -> Vec<(Option<usize>, f32)> {
    let len = dim.len as f32;
    let mut x = if align { (g + 1.0) / 2.0 * (len - 1.0) } else { ((g + 1.0) * len - 1.0) / 2.0 };
    if mode == Mode::Nearest {
        x = x.round_ties_even();
    }
    if x < dim.lo || x > dim.hi {
        match padding {
            Padding::Border => x = x.clamp(0.0, len - 1.0),
            Padding::Reflection => x = reflect(x, dim.lo, dim.hi),
            Padding::Zeros => {}
        }
    }
    let x0 = x.floor();
    let t = x - x0;
    let x0 = x0 as i64;
    match mode {
        Mode::Nearest => vec![(pixel(x as i64, dim, padding), 1.0)],
        Mode::Linear => vec![(pixel(x0, dim, padding), 1.0 - t), (pixel(x0 + 1, dim, padding), t)],
        Mode::Cubic => cubic(t).iter().enumerate().map(|(k, &w)| (pixel(x0 - 1 + k as i64, dim, padding), w)).collect(),
    }
}

/// The builder (module docs). Version 16 names the modes `bilinear` and `bicubic`.
pub(crate) fn grid_sample(cx: &NodeCx) -> Result<Built, ImportError> {
    let a = &cx.attrs;
    let align = a.int("align_corners")?.unwrap_or(0) != 0;
    let mode = match a.string("mode")?.as_deref() {
        None | Some("linear" | "bilinear") => Mode::Linear,
        Some("nearest") => Mode::Nearest,
        Some("cubic" | "bicubic") => Mode::Cubic,
        Some(other) => return Err(a.error("mode", format!("unknown mode '{other}'"))),
    };
    let padding = match a.string("padding_mode")?.as_deref() {
        None | Some("zeros") => Padding::Zeros,
        Some("border") => Padding::Border,
        Some("reflection") => Padding::Reflection,
        Some(other) => return Err(a.error("padding_mode", format!("unknown padding mode '{other}'"))),
    };
    let x = cx.shapes.first().cloned().unwrap_or_default();
    let grid = cx.consts.get(1).copied().flatten().ok_or_else(|| {
        a.error("grid", "must be a constant input (a grid computed from the model input is not supported)")
    })?;
    let gshape = grid.shape().to_vec();
    let d = x.len().saturating_sub(2);
    if d == 0 || gshape.len() != d + 2 || gshape[0] != x[0] || gshape[d + 1] != d || x[2..].contains(&0) {
        return Err(a.node_error(format!("the grid {gshape:?} does not fit the input {x:?}")));
    }
    if mode == Mode::Cubic && d != 2 {
        return Err(a.error("mode", "cubic sampling is defined for 2-D inputs only"));
    }
    let (n, c) = (x[0], x[1]);
    let dims: Vec<Dim> = x[2..]
        .iter()
        .map(|&len| {
            let (lo, hi) = if align { (0.0, len as f32 - 1.0) } else { (-0.5, len as f32 - 0.5) };
            Dim { len, lo, hi }
        })
        .collect();
    let out: Vec<usize> = gshape[1..=d].to_vec();
    let (p_in, p_out): (usize, usize) = (x[2..].iter().product(), out.iter().product());
    let in_strides = strides(&x[2..]);
    let g: Vec<f32> = grid.iter().copied().collect();
    if g.iter().any(|v| !v.is_finite()) {
        return Err(a.error("grid", "holds a value that is not finite"));
    }
    let mut w = vec![0f32; crate::rewire::built_len(cx, &[n, p_in, p_out], "the sampling matrix")?];
    for b in 0..n {
        for o in 0..p_out {
            let at = (b * p_out + o) * d;
            // The grid's last axis runs (x, y[, z]): the reverse of the input's dims.
            let per_dim: Vec<Vec<(Option<usize>, f32)>> =
                (0..d).map(|i| taps(g[at + d - 1 - i], dims[i], align, mode, padding)).collect();
            let counts: Vec<usize> = per_dim.iter().map(Vec::len).collect();
            for combo in 0..counts.iter().product() {
                let pick = unravel(combo, &counts);
                let mut flat = Some(0usize);
                let mut weight = 1f32;
                for (i, &k) in pick.iter().enumerate() {
                    let (p, wt) = per_dim[i][k];
                    flat = flat.zip(p).map(|(f, p)| f + p * in_strides[i]);
                    weight *= wt;
                }
                if let Some(f) = flat {
                    w[(b * p_in + f) * p_out + o] += weight;
                }
            }
        }
    }
    let matrix = Tensor::from_shape_vec(vec![n, p_in, p_out], w).map_err(|e| a.node_error(e.to_string()))?;
    let shape: Vec<i64> = [n, c].iter().chain(&out).map(|&v| v as i64).collect();
    let steps: Vec<(Box<dyn Op>, Vec<Src>)> = vec![
        (Box::new(Reshape { shape: vec![n as i64, c as i64, p_in as i64], allow_zero: false }), vec![Src::Input(0)]),
        (Box::new(MatMul), vec![Src::Step(0), Src::Const(matrix)]),
        (Box::new(Reshape { shape, allow_zero: false }), vec![Src::Step(1)]),
    ];
    Ok(Built::Nodes(steps, vec![2]))
}

/// `AffineGrid`: per batch entry, `theta` (`[N, d, d + 1]`, the model input) times the constant
/// homogeneous coordinates `(x, y[, z], 1)` of every output location, normalized to `[−1, 1]`
/// (pixel centres, or corners with `align_corners`): one `MatMul` by a constant (a Linear map)
/// and a re-wiring.
pub(crate) fn affine_grid(cx: &NodeCx) -> Result<Built, ImportError> {
    let a = &cx.attrs;
    let align = a.int("align_corners")?.unwrap_or(0) != 0;
    let size = crate::builders::const_ints(cx, 1, "size")?.unwrap_or_default();
    let theta = cx.shapes.first().cloned().unwrap_or_default();
    let d = size.len().saturating_sub(2);
    if !(2..=3).contains(&d) || size.iter().any(|&v| v <= 0) || theta != [size[0] as usize, d, d + 1] {
        return Err(
            a.node_error(format!("size {size:?} and theta {theta:?} must be a 2-D or 3-D size and [N, d, d + 1]"))
        );
    }
    let spatial: Vec<usize> = size[2..].iter().map(|&v| v as usize).collect();
    let coord = |i: usize, len: usize| -> f32 {
        match (align, len) {
            (true, 1) => -1.0,
            (true, _) => -1.0 + 2.0 * i as f32 / (len - 1) as f32,
            (false, _) => -1.0 + (2 * i + 1) as f32 / len as f32,
        }
    };
    let locations = crate::rewire::built_len(cx, &spatial, "the grid")?;
    // Column l holds location l's (x, y[, z], 1): the innermost dim first.
    let mut base = vec![0f32; (d + 1) * locations];
    for l in 0..locations {
        let c = unravel(l, &spatial);
        for (k, i) in (0..d).rev().enumerate() {
            base[k * locations + l] = coord(c[i], spatial[i]);
        }
        base[d * locations + l] = 1.0;
    }
    let base = Tensor::from_shape_vec(vec![d + 1, locations], base).map_err(|e| a.node_error(e.to_string()))?;
    let shape: Vec<i64> = [size[0]].iter().chain(&size[2..]).copied().chain([d as i64]).collect();
    let steps: Vec<(Box<dyn Op>, Vec<Src>)> = vec![
        (Box::new(MatMul), vec![Src::Input(0), Src::Const(base)]),
        (Box::new(Transpose { perm: Some(vec![0, 2, 1]) }), vec![Src::Step(0)]),
        (Box::new(Reshape { shape, allow_zero: false }), vec![Src::Step(1)]),
    ];
    Ok(Built::Nodes(steps, vec![2]))
}
