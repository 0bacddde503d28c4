//! `Resize` (opset 11-19), built at import from ops the registry proves. Resizing is separable,
//! as in onnx's reference: each resized axis is one linear map with constant weights,
//! `out[y] = Σₖ w[y,k]·in[i(y,k)]`, computed here the way the reference computes it (the
//! coordinate transformation, the nearest rounding, the linear and cubic coefficients with
//! antialias and `exclude_outside`, edge clamping, and `tf_crop_and_resize`'s extrapolation).
//!
//! An axis whose map takes one input per output with weight 1 (nearest, or a ratio that lands on
//! whole pixels) is a `Gather`: a free re-wiring, exact. Any other axis is a `MatMul` by its
//! `[in, out]` weight matrix, with the axis moved last and back by `Transpose`s, and an `Add` of
//! the extrapolation value where `tf_crop_and_resize` lands outside the input.

use zkinfer_graph::ops::{Add, Gather, Identity, MatMul, Transpose};
use zkinfer_graph::{Op, Tensor};

use crate::attrs::Attrs;
use crate::registry::{Built, NodeCx, Src};
use crate::ImportError;

type Step = (Box<dyn Op>, Vec<Src>);

#[derive(Clone, Copy, PartialEq)]
enum Mode {
    Nearest,
    Linear,
    Cubic,
}

/// The attributes that shape each axis's map.
struct Params {
    mode: Mode,
    coordinates: String,
    nearest: String,
    cubic_a: f64,
    exclude_outside: bool,
    extrapolation: f64,
    antialias: bool,
}

/// One axis's map: each output position's `(input index, weight)` terms, or the constant it
/// takes instead (an extrapolated position).
enum Term {
    Mix(Vec<(usize, f64)>),
    Fill(f64),
}

impl Params {
    /// The interpolation coefficients at `ratio ∈ (0, 1]` past the left neighbour.
    fn coeffs(&self, ratio: f64, scale: f64) -> Vec<f64> {
        let a = self.cubic_a;
        let cubic = |x: f64| {
            let x = x.abs();
            if x <= 1.0 {
                ((a + 2.0) * x - (a + 3.0)) * x * x + 1.0
            } else if x < 2.0 {
                ((a * x - 5.0 * a) * x + 8.0 * a) * x - 4.0 * a
            } else {
                0.0
            }
        };
        let normalized = |c: Vec<f64>| {
            let s: f64 = c.iter().sum();
            c.into_iter().map(|v| v / s).collect()
        };
        match (self.mode, self.antialias) {
            (Mode::Nearest, _) if ratio == 1.0 => vec![0.0, 1.0],
            (Mode::Nearest, _) => {
                let left = match self.nearest.as_str() {
                    "round_prefer_ceil" => ratio < 0.5,
                    "floor" => true,
                    "ceil" => false,
                    _ => ratio <= 0.5,
                };
                if left {
                    vec![1.0, 0.0]
                } else {
                    vec![0.0, 1.0]
                }
            }
            (Mode::Linear, false) => vec![1.0 - ratio, ratio],
            (Mode::Linear, true) => {
                let scale = scale.min(1.0);
                let start = (-1.0 / scale).floor() as i64 + 1;
                let taps = 2 - 2 * start;
                normalized(
                    (start..start + taps).map(|i| (1.0 - ((i as f64 - ratio) * scale).abs()).clamp(0.0, 1.0)).collect(),
                )
            }
            (Mode::Cubic, false) => vec![cubic(ratio + 1.0), cubic(ratio), cubic(1.0 - ratio), cubic(2.0 - ratio)],
            (Mode::Cubic, true) => {
                let scale = scale.min(1.0);
                let start = (-2.0 / scale).floor() as i64 + 1;
                normalized((start..2 - start).map(|i| cubic(scale * (i as f64 - ratio))).collect())
            }
        }
    }

    /// The map of one axis from `input` to `output` positions at `scale`, with this axis's
    /// region of interest `roi` (for `tf_crop_and_resize`).
    fn axis(&self, input: usize, output: usize, scale: f64, roi: (f64, f64)) -> Vec<Term> {
        let (inw, width) = (input as f64, scale * input as f64);
        (0..output)
            .map(|y| {
                let y = y as f64;
                let x = match self.coordinates.as_str() {
                    "align_corners" if width == 1.0 => 0.0,
                    "align_corners" => y * (inw - 1.0) / (width - 1.0),
                    "asymmetric" => y / scale,
                    "tf_crop_and_resize" => {
                        let x = if width == 1.0 {
                            (roi.1 - roi.0) * (inw - 1.0) / 2.0
                        } else {
                            y * (roi.1 - roi.0) * (inw - 1.0) / (width - 1.0)
                        };
                        x + roi.0 * (inw - 1.0)
                    }
                    "pytorch_half_pixel" if width == 1.0 => -0.5,
                    "half_pixel_symmetric" => {
                        let offset = inw / 2.0 * (1.0 - output as f64 / width);
                        offset + (y + 0.5) / scale - 0.5
                    }
                    _ => (y + 0.5) / scale - 0.5,
                };
                if self.coordinates == "tf_crop_and_resize" && (x < 0.0 || x > inw - 1.0) {
                    return Term::Fill(self.extrapolation);
                }
                let ratio = if x == x.floor() { 1.0 } else { x - x.floor() };
                let mut c = self.coeffs(ratio, scale);
                let n = c.len() as i64;
                // The n neighbours nearest x (ties to the smaller index), as the reference
                // finds them in its edge-padded copy.
                let pad = (n + 1) / 2;
                let xp = x + pad as f64;
                let (p, frac) = (xp.floor() as i64, xp - xp.floor());
                let offset = if n % 2 == 0 {
                    if frac == 0.0 {
                        -(n / 2)
                    } else {
                        -(n / 2) + 1
                    }
                } else if frac <= 0.5 {
                    -((n - 1) / 2)
                } else {
                    -((n - 1) / 2) + 1
                };
                let idx: Vec<i64> = (0..n).map(|k| p + offset + k - pad).collect();
                if self.exclude_outside {
                    for (w, &i) in c.iter_mut().zip(&idx) {
                        if i < 0 || i >= input as i64 {
                            *w = 0.0;
                        }
                    }
                    let s: f64 = c.iter().sum();
                    let s = if s == 0.0 { 1.0 } else { s };
                    c.iter_mut().for_each(|w| *w /= s);
                }
                let mut terms: Vec<(usize, f64)> = Vec::new();
                for (&w, &i) in c.iter().zip(&idx) {
                    let i = i.clamp(0, input as i64 - 1) as usize;
                    match terms.iter_mut().find(|(j, _)| *j == i) {
                        Some(t) => t.1 += w,
                        None => terms.push((i, w)),
                    }
                }
                terms.retain(|&(_, w)| w != 0.0);
                Term::Mix(terms)
            })
            .collect()
    }
}

/// Constant input `i` as floats: `None` when absent or empty (an omitted input).
fn floats(cx: &NodeCx, i: usize, name: &str) -> Result<Option<Vec<f64>>, ImportError> {
    match cx.consts.get(i) {
        None => Ok(None),
        Some(Some(t)) if t.is_empty() => Ok(None),
        Some(Some(t)) => Ok(Some(t.iter().map(|&v| f64::from(v)).collect())),
        Some(None) => {
            Err(cx.attrs.error(name, "must be a constant input (computed from the model input it is not supported)"))
        }
    }
}

pub(crate) fn resize(cx: &NodeCx) -> Result<Built, ImportError> {
    let a = &cx.attrs;
    let shape = cx.shapes.first().ok_or_else(|| a.error("X", "Resize needs an input"))?.clone();
    let r = shape.len();
    let mode = match a.string("mode")?.as_deref().unwrap_or("nearest") {
        "nearest" => Mode::Nearest,
        "linear" => Mode::Linear,
        "cubic" => Mode::Cubic,
        other => return Err(a.error("mode", format!("'{other}' is not a mode (nearest, linear or cubic)"))),
    };
    let coordinates = a.string("coordinate_transformation_mode")?.unwrap_or_else(|| "half_pixel".into());
    const COORDINATES: [&str; 6] = [
        "half_pixel",
        "half_pixel_symmetric",
        "pytorch_half_pixel",
        "align_corners",
        "asymmetric",
        "tf_crop_and_resize",
    ];
    if !COORDINATES.contains(&coordinates.as_str()) {
        return Err(a.error("coordinate_transformation_mode", format!("'{coordinates}' is not one of {COORDINATES:?}")));
    }
    let nearest = a.string("nearest_mode")?.unwrap_or_else(|| "round_prefer_floor".into());
    if !["round_prefer_floor", "round_prefer_ceil", "floor", "ceil"].contains(&nearest.as_str()) {
        return Err(a.error("nearest_mode", format!("'{nearest}' is not a nearest mode")));
    }
    let antialias = a.int("antialias")?.unwrap_or(0) != 0;
    if antialias && mode == Mode::Nearest {
        return Err(a.error("antialias", "applies to linear and cubic modes only"));
    }
    let p = Params {
        mode,
        coordinates,
        nearest,
        cubic_a: f64::from(a.float("cubic_coeff_a")?.unwrap_or(-0.75)),
        exclude_outside: a.int("exclude_outside")?.unwrap_or(0) != 0,
        extrapolation: f64::from(a.float("extrapolation_value")?.unwrap_or(0.0)),
        antialias,
    };
    let policy = a.string("keep_aspect_ratio_policy")?.unwrap_or_else(|| "stretch".into());
    let axes: Vec<usize> = match a.ints("axes")? {
        None => (0..r).collect(),
        Some(axes) => axes
            .iter()
            .map(|&x| {
                let x = if x < 0 { x + r as i64 } else { x };
                usize::try_from(x)
                    .ok()
                    .filter(|&x| x < r)
                    .ok_or_else(|| a.error("axes", format!("{axes:?} for rank {r}")))
            })
            .collect::<Result<_, _>>()?,
    };
    let n = axes.len();
    let roi = floats(cx, 1, "roi")?;
    let scales = floats(cx, 2, "scales")?;
    let sizes = floats(cx, 3, "sizes")?;
    let (scales, sizes): (Vec<f64>, Vec<usize>) = match (scales, sizes) {
        (Some(s), None) if s.len() == n => {
            let sizes = s.iter().zip(&axes).map(|(s, &ax)| (s * shape[ax] as f64) as usize).collect();
            (s, sizes)
        }
        (None, Some(z)) if z.len() == n => {
            let mut scales: Vec<f64> = z.iter().zip(&axes).map(|(z, &ax)| z / shape[ax] as f64).collect();
            let mut sizes: Vec<usize> = z.iter().map(|&z| z as usize).collect();
            if policy != "stretch" {
                let pick = match policy.as_str() {
                    "not_larger" => scales.iter().copied().fold(f64::INFINITY, f64::min),
                    "not_smaller" => scales.iter().copied().fold(f64::NEG_INFINITY, f64::max),
                    _ => return Err(a.error("keep_aspect_ratio_policy", format!("'{policy}' is not a policy"))),
                };
                scales = vec![pick; n];
                sizes = axes.iter().map(|&ax| (pick * shape[ax] as f64 + 0.5) as usize).collect();
            }
            (scales, sizes)
        }
        _ => return Err(a.error("scales", format!("exactly one of scales and sizes must be given, with {n} values"))),
    };
    if sizes.contains(&0) {
        return Err(a.error("sizes", format!("an empty output ({sizes:?}) is not supported")));
    }
    let roi_of = |k: usize| match &roi {
        Some(v) if v.len() == 2 * n => (v[k], v[n + k]),
        _ => (0.0, 1.0),
    };
    if p.coordinates == "tf_crop_and_resize" && roi.as_ref().is_none_or(|v| v.len() != 2 * n) {
        return Err(a.error("roi", format!("tf_crop_and_resize needs a constant roi of {} values", 2 * n)));
    }

    let mut steps: Vec<Step> = Vec::new();
    let mut src = Src::Input(0);
    let mut dims = shape.clone();
    for (k, &ax) in axes.iter().enumerate() {
        let (scale, out, roi) = (scales[k], sizes[k], roi_of(k));
        if (scale - 1.0).abs() < 1e-9 && out == dims[ax] && roi == (0.0, 1.0) {
            continue;
        }
        let map = p.axis(dims[ax], out, scale, roi);
        src = axis_steps(a, &mut steps, src, &dims, ax, &map)?;
        dims[ax] = out;
    }
    if steps.is_empty() {
        steps.push((Box::new(Identity), vec![src]));
    }
    let last = steps.len() - 1;
    Ok(Built::Nodes(steps, vec![last]))
}

/// The steps that apply `map` along axis `ax` of a value of shape `dims`: a `Gather` when every
/// output takes one input with weight 1, else `Transpose`, `MatMul`, `Add`, `Transpose`.
fn axis_steps(
    a: &Attrs,
    steps: &mut Vec<Step>,
    src: Src,
    dims: &[usize],
    ax: usize,
    map: &[Term],
) -> Result<Src, ImportError> {
    let tensor = |shape: Vec<usize>, data: Vec<f32>| {
        Tensor::from_shape_vec(shape, data).map_err(|e| a.error("X", e.to_string()))
    };
    let push = |steps: &mut Vec<Step>, op: Box<dyn Op>, inputs: Vec<Src>| {
        steps.push((op, inputs));
        Src::Step(steps.len() - 1)
    };
    let picks: Option<Vec<f32>> = map
        .iter()
        .map(|t| match t {
            Term::Mix(terms) if terms.len() == 1 && terms[0].1 == 1.0 => Some(terms[0].0 as f32),
            _ => None,
        })
        .collect();
    if let Some(indices) = picks {
        let indices = tensor(vec![indices.len()], indices)?;
        return Ok(push(steps, Box::new(Gather { axis: ax as i64 }), vec![src, Src::Const(indices)]));
    }
    let (input, output, r) = (dims[ax], map.len(), dims.len());
    let mut w = vec![0f32; input * output];
    let mut bias = vec![0f32; output];
    for (y, t) in map.iter().enumerate() {
        match t {
            Term::Mix(terms) => terms.iter().for_each(|&(i, v)| w[i * output + y] = v as f32),
            Term::Fill(v) => bias[y] = *v as f32,
        }
    }
    let last = ax + 1 == r;
    let perm: Vec<usize> = (0..r).filter(|&d| d != ax).chain([ax]).collect();
    let mut x = src;
    if !last {
        x = push(steps, Box::new(Transpose { perm: Some(perm.clone()) }), vec![x]);
    }
    let w = tensor(vec![input, output], w)?;
    x = push(steps, Box::new(MatMul), vec![x, Src::Const(w)]);
    if bias.iter().any(|&b| b != 0.0) {
        let bias = tensor(vec![output], bias)?;
        x = push(steps, Box::new(Add), vec![x, Src::Const(bias)]);
    }
    if !last {
        let mut inverse = vec![0; r];
        for (i, &p) in perm.iter().enumerate() {
            inverse[p] = i;
        }
        x = push(steps, Box::new(Transpose { perm: Some(inverse) }), vec![x]);
    }
    Ok(x)
}
