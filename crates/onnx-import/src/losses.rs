//! `NegativeLogLikelihoodLoss` and `SoftmaxCrossEntropyLoss` at constant target labels (as a
//! model evaluated against known labels has them), built at import from ops the registry
//! proves: a `GatherElements` of each target's score (a free re-wiring), a product by the
//! constant `-weight[target]` (0 where the target is `ignore_index`), and for `sum` or `mean` a
//! `ReduceSum` and, for `mean`, a product by the constant `1 / Σ weight[target]`.
//! `SoftmaxCrossEntropyLoss` is the same after a `LogSoftmax` over the classes (axis 1), which is
//! its optional second output (`log_prob`). Labels computed from the model input are refused by
//! name.

use zkinfer_graph::ops::{GatherElements, LogSoftmax, Mul, Reduce, ReduceKind, Reshape};
use zkinfer_graph::{Op, Tensor};

use crate::registry::{Built, NodeCx, Src};
use crate::ImportError;

pub(crate) fn nll_loss(cx: &NodeCx) -> Result<Built, ImportError> {
    loss(cx, false)
}

pub(crate) fn softmax_cross_entropy(cx: &NodeCx) -> Result<Built, ImportError> {
    loss(cx, true)
}

fn loss(cx: &NodeCx, softmax: bool) -> Result<Built, ImportError> {
    let a = &cx.attrs;
    let reduction = a.string("reduction")?.unwrap_or_else(|| "mean".into());
    let ignore = a.int("ignore_index")?;
    if cx.outputs > 1 && !softmax {
        return Err(a.node_error("NegativeLogLikelihoodLoss has one output"));
    }
    let Some(target) = cx.consts.get(1).copied().flatten() else {
        return Err(a.node_error(
            "the target labels must be constant (labels computed from the model input are not supported)",
        ));
    };
    let weight = cx.consts.get(2).copied().flatten();
    if cx.shapes.len() > 2 && weight.is_none() {
        return Err(a.node_error("the class weights must be constant"));
    }
    let input = &cx.shapes[0];
    let classes = *input.get(1).ok_or_else(|| a.node_error("the scores need a class axis (axis 1)"))?;
    let mut picked: Vec<usize> = target.shape().to_vec();
    picked.insert(1.min(picked.len()), 1);
    if picked.len() != input.len() || picked.iter().zip(input).enumerate().any(|(i, (p, d))| i != 1 && p != d) {
        return Err(a.node_error(format!("labels {:?} do not match scores {input:?}", target.shape())));
    }
    // Per label: the class read (0 where ignored) and its coefficient -weight[class] (or 0).
    let mut index = Vec::with_capacity(target.len());
    let mut coef = Vec::with_capacity(target.len());
    for &t in target.iter() {
        let t = t as i64;
        if Some(t) == ignore {
            index.push(0.0);
            coef.push(0.0);
            continue;
        }
        let c = usize::try_from(t)
            .ok()
            .filter(|&c| c < classes)
            .ok_or_else(|| a.node_error(format!("label {t} is outside [0, {classes}) and is not the ignore_index")))?;
        index.push(c as f32);
        coef.push(-weight.map_or(1.0, |w| w.iter().nth(c).copied().unwrap_or(1.0)));
    }
    let tensor = |v: Vec<f32>| Tensor::from_shape_vec(picked.clone(), v).map_err(|e| a.node_error(e.to_string()));
    let total: f32 = -coef.iter().sum::<f32>();
    let (index, coef) = (tensor(index)?, tensor(coef)?);

    let mut steps: Vec<(Box<dyn Op>, Vec<Src>)> = Vec::new();
    let mut x = Src::Input(0);
    if softmax {
        steps.push((Box::new(LogSoftmax { axis: 1, coerce_2d: false }), vec![x]));
        x = Src::Step(0);
    }
    let n = steps.len();
    steps.push((Box::new(GatherElements { axis: 1 }), vec![x, Src::Const(index)]));
    steps.push((Box::new(Mul), vec![Src::Step(n), Src::Const(coef)]));
    let sum = || -> Box<dyn Op> {
        Box::new(Reduce { kind: ReduceKind::Sum, axes: None, keepdims: false, noop_with_empty_axes: false })
    };
    match reduction.as_str() {
        "none" => {
            let shape = target.shape().iter().map(|&d| d as i64).collect();
            steps.push((Box::new(Reshape { shape, allow_zero: false }), vec![Src::Step(n + 1)]));
        }
        "sum" => steps.push((sum(), vec![Src::Step(n + 1)])),
        "mean" => {
            if total == 0.0 {
                return Err(
                    a.error("reduction", "'mean' over labels that are all ignored (or of weight 0) is undefined")
                );
            }
            steps.push((sum(), vec![Src::Step(n + 1)]));
            steps.push((Box::new(Mul), vec![Src::Step(n + 2), Src::Const(Tensor::from_elem(vec![], 1.0 / total))]));
        }
        other => return Err(a.error("reduction", format!("must be none, sum or mean, found '{other}'"))),
    }
    // The loss, and for SoftmaxCrossEntropyLoss the log-probabilities (its optional output).
    let loss = steps.len().saturating_sub(1);
    Ok(Built::Nodes(steps, if softmax { vec![loss, 0] } else { vec![loss] }))
}
