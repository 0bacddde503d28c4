//! Constant masks folded into the op they mask, at import.
//!
//! Exporters write a causal or padding mask as a constant ahead of Softmax: `scores + m` with
//! `m` 0 or a huge negative (`-1e4`, `-1e9`, `-inf`, float32's lowest), or
//! `Where(keep, scores, fill)`. Such a fill cannot be quantized with the scores (it is infinite,
//! or it leaves the scores a handful of bits), yet its only effect is `e^(fill + x - max) = 0`.
//! [`fold_masks`] hands the masked positions to the consuming op ([`crate::Op::with_mask`]) and
//! drops the fill from the graph: the Softmax leaves them out of its sums and outputs 0 there.
//! At lowering the Softmax checks that the fill does vanish against every input its range checks
//! admit, so the folded circuit computes the same integers as an exact evaluation would.

use crate::graph::{Graph, Node, ValueId, ValueInfo};
use crate::ops::broadcast::broadcast_to;
use crate::{GraphError, Result, Tensor};

/// A constant at or below this is a mask fill: `e^-1000` is 0 in f32 and f64 alike.
pub const MASK_BELOW: f32 = -1000.0;

/// Folds every constant mask that feeds only an op taking masks (see the module docs). A mask
/// may reach the op through ops that pass their input through (`Cast` to float, `Identity`, as
/// ONNX's function bodies write `Softmax(Cast(scores + mask))`): those are dropped first.
pub fn fold_masks(g: &mut Graph) -> Result<()> {
    skip_pass_throughs(g);
    let mut i = 0;
    while i < g.nodes.len() {
        if let Some((producer, source, masked, fill, rest)) = mask_into(g, i) {
            let node = &g.nodes[i];
            let shape = g.values[node.inputs[0]].shape.clone();
            if let Some(op) = node.op.with_mask(&shape, masked, fill) {
                let wrap =
                    |source| GraphError::Node { node: node.name.clone(), op: node.op.name().to_string(), source };
                let op = op.map_err(wrap)?;
                g.nodes[i].op = op;
                match rest {
                    // An additive bias besides the fills: the Add stays, with the fills zeroed.
                    Some(rest) => {
                        let name = format!("{} (fills folded)", g.values[g.nodes[producer].inputs[1]].name);
                        g.values.push(ValueInfo { name, shape: rest.shape().to_vec() });
                        g.consts.push(Some(rest));
                        g.nodes[producer].inputs = vec![source, g.values.len() - 1];
                        i += 1;
                    }
                    None => {
                        g.nodes[i].inputs[0] = source;
                        g.nodes.remove(producer);
                    }
                }
                continue;
            }
        }
        if let Some((mut chain, scores, keep, invert)) = computed_mask_into(g, i) {
            if let Some(op) = g.nodes[i].op.with_keep(invert) {
                g.nodes[i].op = op;
                g.nodes[i].inputs = vec![scores, keep];
                chain.sort_unstable();
                for &p in chain.iter().rev() {
                    g.nodes.remove(p);
                }
                i -= chain.len();
                continue;
            }
        }
        i += 1;
    }
    Ok(())
}

/// Rewires every op taking masks past the pass-through ops ahead of its first input (each read
/// by nothing else and not a model output), and drops those.
fn skip_pass_throughs(g: &mut Graph) {
    let mut i = 0;
    while i < g.nodes.len() {
        let Some(&input) = g.nodes[i].inputs.first().filter(|_| g.nodes[i].op.with_keep(false).is_some()) else {
            i += 1;
            continue;
        };
        let through = g.nodes[..i].iter().rposition(|n| n.output == input && n.op.passes_through());
        match through {
            Some(p) if g.use_counts()[input] == 1 && g.consts[g.nodes[p].inputs[0]].is_none() => {
                g.nodes[i].inputs[0] = g.nodes[p].inputs[0];
                g.nodes.remove(p);
                i -= 1;
            }
            _ => i += 1,
        }
    }
}

/// For node `i` whose first input is a computed mask applied to an activation, `scores + (1 -
/// keep)·fill` or `Where(keep, scores, fill)` / `Where(masked, fill, scores)` with `keep` (or
/// `masked`) computed and `fill` a constant at or below [`MASK_BELOW`], each intermediate read
/// by nothing else: the nodes that apply it, the scores, `keep`, and whether `keep` marks the
/// masked elements instead. (The fill itself is not needed: the circuit replaces it by a bounded
/// one that gives the same result.)
fn computed_mask_into(g: &Graph, i: usize) -> Option<(Vec<usize>, ValueId, ValueId, bool)> {
    let uses = g.use_counts();
    let input = *g.nodes[i].inputs.first()?;
    let producer = |v: ValueId| g.nodes[..i].iter().rposition(|n| n.output == v);
    let act = |v: ValueId| g.consts[v].is_none();
    let scores = |v: ValueId| act(v) && g.values[v].shape == g.values[input].shape;
    let fill = |v: ValueId| g.consts[v].as_ref().is_some_and(|t| !t.is_empty() && t.iter().all(|&x| x <= MASK_BELOW));
    let ones = |v: ValueId| g.consts[v].as_ref().is_some_and(|t| !t.is_empty() && t.iter().all(|&x| x == 1.0));
    if uses[input] != 1 {
        return None;
    }
    let p = producer(input)?;
    match (g.nodes[p].op.name(), g.nodes[p].inputs.as_slice()) {
        ("Add", &[a, b]) => [(a, b), (b, a)].into_iter().find_map(|(x, m)| {
            if !scores(x) || !act(m) || uses[m] != 1 {
                return None;
            }
            let q = producer(m)?;
            let (&[u, v], "Mul") = (g.nodes[q].inputs.as_slice(), g.nodes[q].op.name()) else { return None };
            [(u, v), (v, u)].into_iter().find_map(|(inv, c)| {
                let r = producer(inv).filter(|_| fill(c) && act(inv) && uses[inv] == 1)?;
                match (g.nodes[r].op.name(), g.nodes[r].inputs.as_slice()) {
                    ("Sub", &[one, keep]) if ones(one) && act(keep) => Some((vec![p, q, r], x, keep, false)),
                    _ => None,
                }
            })
        }),
        ("Where", &[c, a, b]) if act(c) => match (scores(a) && fill(b), scores(b) && fill(a)) {
            (true, _) => Some((vec![p], a, c, false)),
            (_, true) => Some((vec![p], b, c, true)),
            _ => None,
        },
        _ => None,
    }
}

/// What [`mask_into`] finds: the mask's producer, the activation, the masked elements, the
/// largest fill, and (for an additive mask that also holds other nonzero values, a bias) the
/// mask with its fills zeroed, still to be added.
type Found = (usize, ValueId, Vec<bool>, f32, Option<Tensor>);

/// For node `i` whose first input is a mask applied to an activation (and read by nothing
/// else): see [`Found`].
fn mask_into(g: &Graph, i: usize) -> Option<Found> {
    let input = *g.nodes[i].inputs.first()?;
    let producer = g.nodes[..i].iter().rposition(|n| n.output == input)?;
    if g.use_counts()[input] != 1 {
        return None;
    }
    let p: &Node = &g.nodes[producer];
    let shape = &g.values[input].shape;
    let konst = |v: ValueId| g.consts[v].as_ref().and_then(|t| broadcast_to(t, shape).ok());
    let act = |v: ValueId| (g.consts[v].is_none() && g.values[v].shape == *shape).then_some(v);
    // Per element: the fill applied there, if any.
    let (source, fills, rest): (ValueId, Vec<Option<f32>>, Option<Tensor>) = match (p.op.name(), p.inputs.as_slice()) {
        ("Add", &[a, b]) => {
            let (x, m) = match (act(a), konst(b)) {
                (Some(x), Some(m)) => (x, m),
                _ => (act(b)?, konst(a)?),
            };
            // A mask of fills and zeros folds away; other values keep their Add, without the fills.
            let fills: Vec<Option<f32>> = m.iter().map(|&v| (v <= MASK_BELOW).then_some(v)).collect();
            let rest = m.iter().zip(&fills).any(|(&v, f)| f.is_none() && v != 0.0).then(|| {
                let mut r = m.as_standard_layout().to_owned();
                r.iter_mut().zip(&fills).filter(|(_, f)| f.is_some()).for_each(|(v, _)| *v = 0.0);
                r
            });
            (x, fills, rest)
        }
        ("Where", &[c, a, b]) => {
            let keep = konst(c)?;
            let (x, fill, keep_x) = match (act(a), konst(b)) {
                (Some(x), Some(fill)) => (x, fill, true),
                _ => (act(b)?, konst(a)?, false),
            };
            let fills = keep.iter().zip(fill.iter()).map(|(&k, &f)| ((k != 0.0) != keep_x).then_some(f));
            let fills: Vec<Option<f32>> = fills.collect();
            // Every element taken from the constant must be a fill.
            if fills.iter().flatten().any(|&f| f > MASK_BELOW) {
                return None;
            }
            (x, fills, None)
        }
        _ => return None,
    };
    let fill = fills.iter().flatten().copied().fold(f32::NEG_INFINITY, f32::max);
    if !fills.iter().any(Option::is_some) {
        return None;
    }
    Some((producer, source, fills.iter().map(Option::is_some).collect(), fill, rest))
}
