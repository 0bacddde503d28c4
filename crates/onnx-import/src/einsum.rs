//! `Einsum` (opset 12) of one or two operands, built at import from ops the registry proves:
//! a `ReduceSum` over the letters only one operand has and the output lacks, `Transpose` and
//! `Reshape` (free re-wirings) into `[batch, M, K] x [batch, K, N]`, one `MatMul`, and back.
//! So `bij,bjk->bik` is a batched MatMul, `ij,jk` a MatMul, `i,i` a dot product, `ij->ji` a
//! transpose and `ij->i` a sum. An ellipsis (`...`) names the leading axes no letter does; a
//! letter repeated within one operand takes its diagonal (a constant-index Gather), so
//! `...ii->...i` is a batched diagonal. Refused by name: three or more operands.

use zkinfer_graph::ops::{strides, unravel, Gather, MatMul, Reduce, ReduceKind, Reshape, Transpose};
use zkinfer_graph::{Op, Tensor};

use crate::registry::{Built, NodeCx, Src};
use crate::ImportError;

type Step = (Box<dyn Op>, Vec<Src>);

/// One operand on its way: its value, and the letter of each of its axes (with their sizes).
struct Operand {
    src: Src,
    letters: Vec<char>,
    dims: Vec<usize>,
}

pub(crate) fn einsum(cx: &NodeCx) -> Result<Built, ImportError> {
    let a = &cx.attrs;
    let equation = a.string("equation")?.ok_or_else(|| a.error("equation", "is required"))?;
    let eq: String = equation.chars().filter(|c| !c.is_whitespace()).collect();
    let err = |m: String| a.error("equation", format!("'{equation}': {m}"));
    let (lhs, out) = match eq.split_once("->") {
        Some((l, r)) => (l.to_string(), Some(r.to_string())),
        None => (eq.clone(), None),
    };
    let terms: Vec<&str> = lhs.split(',').collect();
    if terms.len() != cx.shapes.len() || terms.is_empty() || terms.len() > 2 {
        return Err(err(format!("{} operands for {} inputs (one or two are supported)", terms.len(), cx.shapes.len())));
    }
    // An ellipsis stands for the leading axes no letter names: each gets a letter of its own
    // (right-aligned across operands, as broadcasting aligns them), unused by the equation.
    let spare: Vec<char> = ('A'..='Z').chain('a'..='z').filter(|c| !eq.contains(*c)).collect();
    let mut ellipsis = 0usize;
    let mut expanded: Vec<String> = Vec::new();
    for (i, t) in terms.iter().enumerate() {
        match t.split_once("...") {
            Some((head, tail)) => {
                let named = head.len() + tail.len();
                let n = cx.shapes[i].len().checked_sub(named).filter(|&n| n <= spare.len()).ok_or_else(|| {
                    err(format!("operand '{t}' names more axes than input {i}'s {}", cx.shapes[i].len()))
                })?;
                ellipsis = ellipsis.max(n);
                let dots: String = spare[spare.len() - n..].iter().collect();
                expanded.push(format!("{head}{dots}{tail}"));
            }
            None => expanded.push((*t).to_string()),
        }
    }
    let dots: String = spare[spare.len() - ellipsis..].iter().collect();
    let out = out.map(|o| o.replacen("...", &dots, 1));
    if expanded.iter().chain(&out).any(|t| t.contains('.')) {
        return Err(err("an ellipsis must be written '...', once per operand".into()));
    }
    let mut steps: Vec<Step> = Vec::new();
    let mut ops: Vec<Operand> = Vec::new();
    for (i, t) in expanded.iter().enumerate() {
        let letters: Vec<char> = t.chars().collect();
        if letters.iter().any(|c| !c.is_ascii_alphabetic()) || letters.len() != cx.shapes[i].len() {
            return Err(err(format!(
                "operand '{}' does not name the {} axes of input {i}",
                terms[i],
                cx.shapes[i].len()
            )));
        }
        let operand = Operand { src: Src::Input(i), letters, dims: cx.shapes[i].clone() };
        ops.push(diagonal(&mut steps, operand).map_err(err)?);
    }
    // Implicit output: the ellipsis's axes, then the letters that occur once, in alphabetical order.
    let all: Vec<char> = ops.iter().flat_map(|o| o.letters.clone()).collect();
    let out: Vec<char> = match out {
        Some(o) => o.chars().collect(),
        None => {
            let mut once: Vec<char> = all
                .iter()
                .copied()
                .filter(|c| !dots.contains(*c) && all.iter().filter(|d| *d == c).count() == 1)
                .collect();
            once.sort_unstable();
            dots.chars().chain(once).collect()
        }
    };
    if out.iter().any(|c| !all.contains(c)) || out.iter().enumerate().any(|(k, c)| out[..k].contains(c)) {
        return Err(err("the output names a letter no operand has, or one twice".into()));
    }
    // Each letter's size, the same in every operand.
    let mut sizes: Vec<(char, usize)> = Vec::new();
    for o in &ops {
        for (&c, &d) in o.letters.iter().zip(&o.dims) {
            match sizes.iter().find(|(l, _)| *l == c) {
                Some(&(_, e)) if e != d => {
                    return Err(err(format!("letter '{c}' has sizes {e} and {d} (broadcasting is not supported)")))
                }
                Some(_) => {}
                None => sizes.push((c, d)),
            }
        }
    }
    let size = |c: char| sizes.iter().find(|(l, _)| *l == c).map_or(1, |&(_, d)| d);

    // Sum out, per operand, the letters that neither the other operand nor the output has.
    for i in 0..ops.len() {
        let keep = |c: &char| out.contains(c) || ops.iter().enumerate().any(|(j, o)| j != i && o.letters.contains(c));
        let gone: Vec<i64> =
            (0..ops[i].letters.len()).filter(|&k| !keep(&ops[i].letters[k])).map(|k| k as i64).collect();
        if !gone.is_empty() {
            let r = Reduce { kind: ReduceKind::Sum, axes: Some(gone), keepdims: false, noop_with_empty_axes: false };
            let src = push(&mut steps, Box::new(r), vec![ops[i].src.clone()]);
            let (letters, dims) =
                ops[i].letters.iter().zip(&ops[i].dims).filter(|(c, _)| keep(c)).map(|(c, d)| (*c, *d)).unzip();
            ops[i] = Operand { src, letters, dims };
        }
    }
    let result = if ops.len() == 1 {
        ops.remove(0)
    } else {
        let (x, y) = (&ops[0], &ops[1]);
        let batch: Vec<char> = x.letters.iter().copied().filter(|c| y.letters.contains(c) && out.contains(c)).collect();
        let sum: Vec<char> = x.letters.iter().copied().filter(|c| y.letters.contains(c) && !out.contains(c)).collect();
        let left: Vec<char> = x.letters.iter().copied().filter(|c| !y.letters.contains(c)).collect();
        let right: Vec<char> = y.letters.iter().copied().filter(|c| !x.letters.contains(c)).collect();
        let prod = |cs: &[char]| cs.iter().map(|&c| size(c)).product::<usize>();
        let (nb, m, k, n) = (prod(&batch), prod(&left), prod(&sum), prod(&right));
        let lead: Vec<i64> = if batch.is_empty() { vec![] } else { vec![nb as i64] };
        let xa = arrange(&mut steps, x, &[&batch[..], &left, &sum].concat());
        let xa = push(&mut steps, reshape([lead.clone(), vec![m as i64, k as i64]].concat()), vec![xa]);
        let ya = arrange(&mut steps, y, &[&batch[..], &sum, &right].concat());
        let ya = push(&mut steps, reshape([lead, vec![k as i64, n as i64]].concat()), vec![ya]);
        let p = push(&mut steps, Box::new(MatMul), vec![xa, ya]);
        let letters: Vec<char> = [&batch[..], &left, &right].concat();
        let dims: Vec<usize> = letters.iter().map(|&c| size(c)).collect();
        let src = push(&mut steps, reshape(dims.iter().map(|&d| d as i64).collect()), vec![p]);
        Operand { src, letters, dims }
    };
    let last = arrange(&mut steps, &result, &out);
    if steps.is_empty() {
        // `ij->ij`: the identity, as a copy.
        push(&mut steps, Box::new(zkinfer_graph::ops::Identity), vec![last]);
    }
    let last = steps.len().saturating_sub(1);
    Ok(Built::Nodes(steps, vec![last]))
}

fn push(steps: &mut Vec<Step>, op: Box<dyn Op>, inputs: Vec<Src>) -> Src {
    steps.push((op, inputs));
    Src::Step(steps.len() - 1)
}

fn reshape(shape: Vec<i64>) -> Box<dyn Op> {
    Box::new(Reshape { shape, allow_zero: false })
}

/// `o` transposed so that its letters come in `order` (a copy only if they do not already).
fn arrange(steps: &mut Vec<Step>, o: &Operand, order: &[char]) -> Src {
    let perm: Vec<usize> = order.iter().filter_map(|c| o.letters.iter().position(|l| l == c)).collect();
    if perm.iter().enumerate().all(|(i, &p)| i == p) {
        return o.src.clone();
    }
    push(steps, Box::new(Transpose { perm: Some(perm) }), vec![o.src.clone()])
}

/// `o` with each letter it repeats reduced to one axis, the diagonal: one constant-index Gather
/// of the flattened operand (a free re-wiring).
fn diagonal(steps: &mut Vec<Step>, o: Operand) -> Result<Operand, String> {
    let repeats = o.letters.iter().enumerate().any(|(k, c)| o.letters[..k].contains(c));
    if !repeats {
        return Ok(o);
    }
    let mut letters: Vec<char> = Vec::new();
    let mut dims: Vec<usize> = Vec::new();
    for (&c, &d) in o.letters.iter().zip(&o.dims) {
        match letters.iter().position(|&l| l == c) {
            Some(k) if dims[k] != d => return Err(format!("letter '{c}' has sizes {} and {d}", dims[k])),
            Some(_) => {}
            None => {
                letters.push(c);
                dims.push(d);
            }
        }
    }
    let n: usize = dims.iter().product();
    let from = strides(&o.dims);
    let picks: Vec<f32> = (0..n)
        .map(|e| {
            let at = unravel(e, &dims);
            let pos = |c: &char| letters.iter().position(|l| l == c).map_or(0, |k| at[k]);
            o.letters.iter().zip(&from).map(|(c, s)| pos(c) * s).sum::<usize>() as f32
        })
        .collect();
    let picks = Tensor::from_shape_vec(dims.clone(), picks).map_err(|e| e.to_string())?;
    let flat = push(steps, reshape(vec![-1]), vec![o.src]);
    let src = push(steps, Box::new(Gather { axis: 0 }), vec![flat, Src::Const(picks)]);
    Ok(Operand { src, letters, dims })
}
