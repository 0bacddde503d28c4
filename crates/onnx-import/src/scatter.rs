//! `ScatterElements`, `Scatter` (its opset-9 name) and `ScatterND` at constant indices and
//! updates, built at import.
//!
//! With the indices and updates constant, which elements of `data` are written, and with what,
//! is known here: `reduction = none` is `data · keep + written` (keep is 0 where an update lands,
//! the last update landing there is the constant added), `add` adds the sum of the updates that
//! land on an element, `mul` multiplies by their product, and `max`/`min` are
//! `data · keep + max(data, u) · (1 − keep)` with `u` the updates' extremum (an exact Max with a
//! constant, kept only where something lands). Products by constant 0/1 masks and Adds: no new
//! constraint. Indices or updates computed from the input are refused by name.

use zkinfer_graph::ops::{Add, Extremum, Max, Mul};
use zkinfer_graph::{Op, Tensor};

use crate::registry::{Built, NodeCx, Src};
use crate::ImportError;

/// Which scatter.
#[derive(Clone, Copy)]
pub(crate) enum Scatter {
    /// `ScatterElements` (and `Scatter`): one index per update, along `axis`.
    Elements,
    /// `ScatterND`: an index tuple per slice of updates.
    Nd,
}

/// The builder (module docs).
pub(crate) fn scatter(cx: &NodeCx, kind: Scatter) -> Result<Built, ImportError> {
    let a = &cx.attrs;
    let reduction = a.string("reduction")?.unwrap_or_else(|| "none".into());
    let data = cx.shapes.first().cloned().unwrap_or_default();
    let konst = |i: usize, name: &str| {
        cx.consts.get(i).copied().flatten().ok_or_else(|| {
            a.error(name, "must be a constant (indices or updates computed from the model input are not supported)")
        })
    };
    let (indices, updates) = (konst(1, "indices")?, konst(2, "updates")?);
    let targets = match kind {
        Scatter::Elements => elements_targets(cx, &data, indices, updates)?,
        Scatter::Nd => nd_targets(cx, &data, indices, updates)?,
    };
    let n: usize = data.iter().product();
    // Per data element, the updates that land on it, in order.
    let mut landing: Vec<Vec<f32>> = vec![Vec::new(); n];
    for (t, u) in targets.into_iter().zip(updates.iter()) {
        landing[t].push(*u);
    }
    let tensor = |v: Vec<f32>| Tensor::from_shape_vec(data.clone(), v).map_err(|e| a.node_error(e.to_string()));
    let keep = tensor(landing.iter().map(|l| if l.is_empty() { 1.0 } else { 0.0 }).collect())?;
    let written = keep.mapv(|k| 1.0 - k);
    let fold = |f: fn(f32, f32) -> f32, empty: f32| -> Vec<f32> {
        landing.iter().map(|l| l.iter().copied().reduce(f).unwrap_or(empty)).collect()
    };
    let steps: Vec<(Box<dyn Op>, Vec<Src>)> = match reduction.as_str() {
        "none" => {
            let last: Vec<f32> = landing.iter().map(|l| l.last().copied().unwrap_or(0.0)).collect();
            vec![
                (Box::new(Mul), vec![Src::Input(0), Src::Const(keep)]),
                (Box::new(Add), vec![Src::Step(0), Src::Const(tensor(last)?)]),
            ]
        }
        "add" => vec![(Box::new(Add), vec![Src::Input(0), Src::Const(tensor(fold(|x, y| x + y, 0.0))?)])],
        "mul" => vec![(Box::new(Mul), vec![Src::Input(0), Src::Const(tensor(fold(|x, y| x * y, 1.0))?)])],
        "max" | "min" => {
            let (kind, f): (Extremum, fn(f32, f32) -> f32) =
                if reduction == "max" { (Extremum::Max, f32::max) } else { (Extremum::Min, f32::min) };
            vec![
                (Box::new(Max { kind }), vec![Src::Input(0), Src::Const(tensor(fold(f, 0.0))?)]),
                (Box::new(Mul), vec![Src::Step(0), Src::Const(written)]),
                (Box::new(Mul), vec![Src::Input(0), Src::Const(keep)]),
                (Box::new(Add), vec![Src::Step(1), Src::Step(2)]),
            ]
        }
        other => return Err(a.error("reduction", format!("unknown reduction '{other}'"))),
    };
    let last = steps.len() - 1;
    Ok(Built::Nodes(steps, vec![last]))
}

/// The flat data index each update of `ScatterElements` lands on.
fn elements_targets(
    cx: &NodeCx,
    data: &[usize],
    indices: &Tensor,
    updates: &Tensor,
) -> Result<Vec<usize>, ImportError> {
    let a = &cx.attrs;
    let rank = data.len() as i64;
    let axis = a.int("axis")?.unwrap_or(0);
    let ax = usize::try_from(if axis < 0 { axis + rank } else { axis })
        .ok()
        .filter(|&v| v < data.len())
        .ok_or_else(|| a.error("axis", format!("{axis} is out of range for rank {rank}")))?;
    if indices.shape() != updates.shape() || indices.ndim() != data.len() {
        return Err(a.error(
            "indices",
            format!("shape {:?} must equal the updates' {:?}, of the data's rank", indices.shape(), updates.shape()),
        ));
    }
    let shape = indices.shape().to_vec();
    let data_strides: Vec<usize> = (0..data.len()).map(|i| data[i + 1..].iter().product()).collect();
    indices
        .iter()
        .enumerate()
        .map(|(e, &i)| {
            let mut rest = e;
            let mut flat = 0;
            for d in (0..shape.len()).rev() {
                let c = rest % shape[d];
                rest /= shape[d];
                let c = if d == ax { wrap(cx, i, data[ax])? } else { c };
                if c >= data[d] {
                    return Err(a.error("indices", format!("{c} is outside axis {d} of the data {data:?}")));
                }
                flat += c * data_strides[d];
            }
            Ok(flat)
        })
        .collect()
}

/// The flat data index each update element of `ScatterND` lands on.
fn nd_targets(cx: &NodeCx, data: &[usize], indices: &Tensor, updates: &Tensor) -> Result<Vec<usize>, ImportError> {
    let a = &cx.attrs;
    let k = indices.shape().last().copied().unwrap_or(0);
    if k == 0 || k > data.len() {
        return Err(a.error("indices", format!("index tuples of {k} do not fit the data {data:?}")));
    }
    let tuples = indices.len() / k;
    let slice: usize = data[k..].iter().product();
    if updates.len() != tuples * slice {
        return Err(a.error("updates", format!("{} values for {tuples} slices of {slice}", updates.len())));
    }
    let data_strides: Vec<usize> = (0..data.len()).map(|i| data[i + 1..].iter().product()).collect();
    let flat: Vec<f32> = indices.iter().copied().collect();
    let mut out = Vec::with_capacity(updates.len());
    for t in 0..tuples {
        let mut base = 0;
        for d in 0..k {
            base += wrap(cx, flat[t * k + d], data[d])? * data_strides[d];
        }
        out.extend((0..slice).map(|j| base + j));
    }
    Ok(out)
}

/// An index along an axis of `size`, negative ones counting from the end.
fn wrap(cx: &NodeCx, i: f32, size: usize) -> Result<usize, ImportError> {
    let i = i as i64;
    let j = if i < 0 { i + size as i64 } else { i };
    usize::try_from(j)
        .ok()
        .filter(|&j| j < size)
        .ok_or_else(|| cx.attrs.error("indices", format!("{i} is outside an axis of {size}")))
}
