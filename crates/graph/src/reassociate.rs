//! Products of small scalar constants re-associated, at import, so that no tiny intermediate is
//! quantized on its own.
//!
//! A value `v` at scale `s` keeps `log2(|v|) + s` significant bits, and activation scales are
//! capped ([`crate::QuantConfig::max_activation_scale`]). Dynamically quantized models (as
//! onnxruntime's `quantize_dynamic` writes them) dequantize with `acc · (x_scale · w_scale)`:
//! the activation scale `x_scale` (about `range / 255`) times the weight scale (about
//! `max |w| / 127`) is around 1e-4, one or two units at the capped scale, so the product loses
//! nearly every bit. [`reassociate_scales`] rewrites `a · (c · k)`, where `k` is a constant
//! scalar with `|k| < 1/16` and `c · k` feeds nothing else, as `(a · k) · c`: the constant
//! multiplies the wide operand (an exact change of scale), and no tiny value is materialized.
//! In real numbers the two are equal; only where the rounding happens changes.

use std::collections::HashSet;

use crate::graph::{Graph, Node, ValueId};
use crate::ops::broadcast::broadcast_shape;

/// A scalar constant below this in magnitude is moved onto the other operand of the product.
pub const SMALL_SCALAR: f32 = 1.0 / 16.0;

/// Rewrites every `a · (c · k)` with a small constant scalar `k` as `(a · k) · c` (module docs).
///
/// The rewritten product is examined again, so a chain `a · ((d · k1) · k2)` (the activation
/// scale itself `range · (1/255)`) becomes `((a · k2) · k1) · d`; a product the pass made is
/// never taken apart again (that would undo it).
pub fn reassociate_scales(g: &mut Graph) {
    let mut made = HashSet::new();
    let mut index = Index::of(g);
    let mut i = 0;
    while i < g.nodes.len() {
        if let Some((p, a, c, k, b, shape)) = scaled_product(g, i, &made, &index) {
            // The inner product moves to just before the outer one (where `a` is defined) and
            // now computes `a · k`, under the same value id (read only by the outer product).
            let inner = g.nodes.remove(p);
            g.values[b].shape = shape;
            g.values[b].name = format!("{} (re-associated)", g.values[b].name);
            g.nodes.insert(i - 1, Node { inputs: vec![a, k], ..inner });
            g.nodes[i].inputs = vec![b, c];
            made.insert(b);
            // Rare: the index is rebuilt rather than patched.
            index = Index::of(g);
            continue;
        }
        i += 1;
    }
}

/// Each value's readers (a model output counts as one) and the node that defines it.
struct Index {
    uses: Vec<usize>,
    producer: Vec<Option<usize>>,
}

impl Index {
    fn of(g: &Graph) -> Self {
        let mut producer = vec![None; g.values.len()];
        for (n, node) in g.nodes.iter().enumerate() {
            producer[node.output] = Some(n);
        }
        Self { uses: g.use_counts(), producer }
    }
}

/// Node `i` as `a · b` with `b = c · k` from node `p` (`k` a small constant scalar, `b` read
/// by node `i` alone, `a` and `c` computed), where `(a · k) · c` has node `i`'s shape:
/// `(p, a, c, k, b, shape of a · k)`.
fn scaled_product(
    g: &Graph,
    i: usize,
    made: &HashSet<ValueId>,
    index: &Index,
) -> Option<(usize, ValueId, ValueId, ValueId, ValueId, Vec<usize>)> {
    let node = &g.nodes[i];
    let computed = |v: ValueId| g.consts[v].is_none();
    let small =
        |v: ValueId| g.consts[v].as_ref().is_some_and(|t| t.len() == 1 && t.iter().all(|x| x.abs() < SMALL_SCALAR));
    if node.op.name() != "Mul" || node.inputs.len() != 2 || !node.inputs.iter().all(|&v| computed(v)) {
        return None;
    }
    (0..2).find_map(|side| {
        let (a, b) = (node.inputs[1 - side], node.inputs[side]);
        if made.contains(&b) {
            return None;
        }
        let p = index.producer.get(b).copied().flatten().filter(|&p| p < i)?;
        let inner = &g.nodes[p];
        if inner.op.name() != "Mul" || inner.inputs.len() != 2 || index.uses[b] != 1 || a == b {
            return None;
        }
        let (c, k) = match inner.inputs[..] {
            [c, k] if computed(c) && small(k) => (c, k),
            [k, c] if computed(c) && small(k) => (c, k),
            _ => return None,
        };
        let shape = |v: ValueId| g.values[v].shape.as_slice();
        let ak = broadcast_shape(shape(a), shape(k)).ok()?;
        let out = broadcast_shape(&ak, shape(c)).ok()?;
        (out == shape(node.output)).then_some((p, a, c, k, b, ak))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ops::Mul;
    use crate::{GraphBuilder, Tensor};

    /// `a · (c · k)` for a constant scalar `k`.
    fn product(k: f32) -> Graph {
        let mut b = GraphBuilder::new();
        let a = b.input("a", vec![3]);
        let c = b.input("c", vec![1]);
        let k = b.constant("k", Tensor::from_elem(vec![], k));
        let ck = b.node("ck", Box::new(Mul), vec![c, k], "ck").expect("c·k");
        let y = b.node("y", Box::new(Mul), vec![a, ck], "y").expect("a·ck");
        b.finish_outputs(vec![y]).expect("graph")
    }

    #[test]
    fn a_small_constant_moves_onto_the_wide_operand() {
        let mut g = product(0.01);
        let inputs: [&[f32]; 2] = [&[100.0, -250.0, 3.0], &[0.02]];
        let before = g.eval_outputs(&inputs).expect("eval");
        reassociate_scales(&mut g);
        // The first node now multiplies `a` (input 0) by `k`, the second that by `c`.
        assert_eq!(g.nodes[0].inputs[0], g.inputs[0]);
        assert_eq!(g.nodes[1].inputs, vec![g.nodes[0].output, g.inputs[1]]);
        assert_eq!(g.values[g.nodes[0].output].shape, [3]);
        let after = g.eval_outputs(&inputs).expect("eval");
        for (x, y) in before[0].iter().zip(after[0].iter()) {
            assert!((x - y).abs() <= 1e-6 * x.abs().max(1.0), "{x} vs {y}");
        }
    }

    #[test]
    fn a_chain_of_small_constants_moves_whole_and_stops() {
        // y = a · ((d · 1/255) · 0.01), as a dynamically quantized layer's dequantization.
        let mut b = GraphBuilder::new();
        let a = b.input("a", vec![2]);
        let d = b.input("d", vec![]);
        let k1 = b.constant("k1", Tensor::from_elem(vec![], 1.0 / 255.0));
        let k2 = b.constant("k2", Tensor::from_elem(vec![], 0.01));
        let s = b.node("s", Box::new(Mul), vec![d, k1], "s").expect("d·k1");
        let sw = b.node("sw", Box::new(Mul), vec![s, k2], "sw").expect("s·k2");
        let y = b.node("y", Box::new(Mul), vec![a, sw], "y").expect("a·sw");
        let mut g = b.finish_outputs(vec![y]).expect("graph");
        let inputs: [&[f32]; 2] = [&[5000.0, -700.0], &[2.5]];
        let before = g.eval_outputs(&inputs).expect("eval");
        reassociate_scales(&mut g);
        let reads: Vec<Vec<ValueId>> = g.nodes.iter().map(|n| n.inputs.clone()).collect();
        assert_eq!(reads, [vec![a, k2], vec![g.nodes[0].output, k1], vec![g.nodes[1].output, d]]);
        let after = g.eval_outputs(&inputs).expect("eval");
        for (x, y) in before[0].iter().zip(after[0].iter()) {
            assert!((x - y).abs() <= 1e-5 * x.abs().max(1.0), "{x} vs {y}");
        }
    }

    #[test]
    fn a_constant_of_ordinary_size_stays_where_it_is() {
        let mut g = product(0.5);
        let order: Vec<Vec<ValueId>> = g.nodes.iter().map(|n| n.inputs.clone()).collect();
        reassociate_scales(&mut g);
        assert_eq!(g.nodes.iter().map(|n| n.inputs.clone()).collect::<Vec<_>>(), order);
    }
}
