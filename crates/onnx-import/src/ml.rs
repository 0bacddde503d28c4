//! Ops of the `ai.onnx.ml` domain, built at import: `Binarizer` (a comparison bit),
//! `ArrayFeatureExtractor` at constant indices (a Gather along the last axis) and
//! `TreeEnsemble` (version 5; sums of leaf weights times path indicators).

use zkinfer_graph::ops::{Add, Compare, Comparison, Concat, Gather, Mul, Reshape, Sub, Unsqueeze};
use zkinfer_graph::Tensor;

use crate::activations::finite;
use crate::builders::const_input;
use crate::registry::{scalar, Built, NodeCx, Src, Steps};
use crate::ImportError;

/// `Binarizer`: `[x > threshold]` (default 0), as a number of the input's type.
pub(crate) fn binarizer(cx: &NodeCx) -> Result<Built, ImportError> {
    let threshold = finite(&cx.attrs, "threshold", 0.0)?;
    let mut steps = Steps::default();
    let bit = steps.push(Compare { kind: Comparison::Greater }, vec![Src::Input(0), scalar(threshold)]);
    steps.built(&[&bit], || cx.attrs.node_error("the comparison is not a step"))
}

/// `ArrayFeatureExtractor`: the input's last axis at the constant indices (flattened), as
/// onnxruntime does: a 1-D input gives one row `[1, n]`.
pub(crate) fn array_feature_extractor(cx: &NodeCx) -> Result<Built, ImportError> {
    let a = &cx.attrs;
    let x = cx.shapes.first().cloned().unwrap_or_default();
    let last = *x.last().ok_or_else(|| a.node_error("the input must have at least one axis"))?;
    let indices = const_input(cx, 1, "Y")?;
    let picks: Vec<f32> = indices.iter().copied().collect();
    if picks.is_empty() || picks.iter().any(|&i| i.fract() != 0.0 || !(0.0..last as f32).contains(&i)) {
        return Err(a.error("Y", format!("indices {picks:?} must lie in [0, {last})")));
    }
    let n = picks.len();
    let at = Tensor::from_shape_vec(vec![n], picks).map_err(|e| a.node_error(e.to_string()))?;
    let mut steps = Steps::default();
    let mut y = steps.push(Gather { axis: x.len() as i64 - 1 }, vec![Src::Input(0), Src::Const(at)]);
    if x.len() == 1 {
        y = steps.push(Reshape { shape: vec![1, n as i64], allow_zero: false }, vec![y]);
    }
    steps.built(&[&y], || a.node_error("the gather is not a step"))
}

/// A float list attribute stored as a tensor (`nodes_splits`, `leaf_weights`, ...).
fn tensor_attr(cx: &NodeCx, name: &str) -> Result<Option<Vec<f32>>, ImportError> {
    cx.attrs.tensor(name)?.map(|t| crate::tensor::to_tensor(t).map(|t| t.iter().copied().collect())).transpose()
}

/// `TreeEnsemble` (`ai.onnx.ml` 5) with `SUM` or `AVERAGE` aggregation and no post-transform:
/// per node a comparison bit of its feature (a constant-index Gather) against its split (set
/// membership: the sum of equality bits against the set's distinct members), per leaf the
/// product of its path's bits and complements (`1 − bit`), and per target the sum of its leaves'
/// weights times their indicators (over the trees, for `AVERAGE`). Exactly one leaf of a tree is
/// reached, so the sum is the tree's prediction. Inputs are finite, so the missing-value tracks
/// never apply.
pub(crate) fn tree_ensemble(cx: &NodeCx) -> Result<Built, ImportError> {
    let a = &cx.attrs;
    let ints = |name: &str| a.ints(name)?.ok_or_else(|| a.error(name, "is required"));
    let floats = |name: &str| tensor_attr(cx, name)?.ok_or_else(|| a.error(name, "is required"));
    let (splits, features, modes) = (floats("nodes_splits")?, ints("nodes_featureids")?, floats("nodes_modes")?);
    let (true_ids, false_ids) = (ints("nodes_truenodeids")?, ints("nodes_falsenodeids")?);
    let (true_leaf, false_leaf) = (ints("nodes_trueleafs")?, ints("nodes_falseleafs")?);
    let (targets, weights, roots) = (ints("leaf_targetids")?, floats("leaf_weights")?, ints("tree_roots")?);
    let members = tensor_attr(cx, "membership_values")?.unwrap_or_default();
    let _ = (a.ints("nodes_missing_value_tracks_true")?, tensor_attr(cx, "nodes_hitrates")?);
    let n_targets = a.int("n_targets")?.and_then(|t| usize::try_from(t).ok()).filter(|&t| t > 0);
    let n_targets = n_targets.ok_or_else(|| a.error("n_targets", "must be a positive integer"))?;
    if a.int("post_transform")?.unwrap_or(0) != 0 {
        return Err(a.error("post_transform", "only NONE (0) is supported"));
    }
    let average = match a.int("aggregate_function")?.unwrap_or(1) {
        0 => true,
        1 => false,
        f => return Err(a.error("aggregate_function", format!("{f}: only AVERAGE (0) and SUM (1) are supported"))),
    };
    let n = splits.len();
    let lists = [features.len(), modes.len(), true_ids.len(), false_ids.len(), true_leaf.len(), false_leaf.len()];
    if lists.iter().any(|&l| l != n) || targets.len() != weights.len() || roots.is_empty() {
        return Err(a.error("nodes_splits", "the node and leaf attributes must have one value per node and leaf"));
    }
    let x = cx.shapes.first().cloned().unwrap_or_default();
    let [rows, width] = x[..] else {
        return Err(a.node_error(format!("input {x:?}: expected [N, features]")));
    };
    let mut steps = Steps::default();
    let mut tree = Tree {
        cx,
        steps: &mut steps,
        members: members.iter(),
        per_target: vec![Vec::new(); n_targets],
        budget: n + targets.len(),
    };
    for &root in &roots {
        let r = usize::try_from(root)
            .ok()
            .filter(|&r| r < n)
            .ok_or_else(|| a.error("tree_roots", format!("{root} is not a node")))?;
        let leaf = true_leaf[r] != 0 && false_leaf[r] != 0 && true_ids[r] == false_ids[r];
        let scale = if average { 1.0 / roots.len() as f32 } else { 1.0 };
        tree.walk(
            &Nodes {
                splits: &splits,
                features: &features,
                modes: &modes,
                true_ids: &true_ids,
                false_ids: &false_ids,
                true_leaf: &true_leaf,
                false_leaf: &false_leaf,
                targets: &targets,
                weights: &weights,
                width,
            },
            root,
            leaf,
            None,
            scale,
        )?;
    }
    let per_target = std::mem::take(&mut tree.per_target);
    let mut columns: Vec<Src> = Vec::with_capacity(n_targets);
    for terms in per_target {
        let mut sum: Option<Src> = None;
        let mut constant = 0.0f32;
        for (path, w) in terms {
            match path {
                None => constant += w,
                Some(p) => {
                    let term = steps.push(Mul, vec![p, scalar(w)]);
                    sum = Some(match sum {
                        None => term,
                        Some(s) => steps.push(Add, vec![s, term]),
                    });
                }
            }
        }
        let column = match sum {
            Some(s) if constant != 0.0 => steps.push(Add, vec![s, scalar(constant)]),
            Some(s) => s,
            None => Src::Const(Tensor::from_elem(vec![rows], constant)),
        };
        columns.push(steps.push(Unsqueeze { axes: vec![1] }, vec![column]));
    }
    let y = if columns.len() == 1 { columns.remove(0) } else { steps.push(Concat { axis: 1 }, columns) };
    steps.built(&[&y], || a.node_error("the prediction folds to a constant (every tree is one leaf)"))
}

/// A tree ensemble's node and leaf attributes.
struct Nodes<'v> {
    splits: &'v [f32],
    features: &'v [i64],
    modes: &'v [f32],
    true_ids: &'v [i64],
    false_ids: &'v [i64],
    true_leaf: &'v [i64],
    false_leaf: &'v [i64],
    targets: &'v [i64],
    weights: &'v [f32],
    width: usize,
}

/// The walk over the trees: the steps it adds and, per target, the leaves' (indicator, weight).
struct Tree<'c, 's, 'm> {
    cx: &'c NodeCx<'c>,
    steps: &'s mut Steps,
    members: std::slice::Iter<'m, f32>,
    per_target: Vec<Vec<(Option<Src>, f32)>>,
    /// Nodes and leaves still to visit: a cycle in the ids ends the walk with an error.
    budget: usize,
}

impl Tree<'_, '_, '_> {
    fn walk(&mut self, t: &Nodes, i: i64, leaf: bool, path: Option<Src>, scale: f32) -> Result<(), ImportError> {
        let a = &self.cx.attrs;
        self.budget = self
            .budget
            .checked_sub(1)
            .ok_or_else(|| a.error("nodes_truenodeids", "the trees are not trees (a cycle)"))?;
        let i = usize::try_from(i).map_err(|_| a.error("nodes_truenodeids", format!("{i} is negative")))?;
        if leaf {
            let (Some(&target), Some(&w)) = (t.targets.get(i), t.weights.get(i)) else {
                return Err(a.error("leaf_targetids", format!("leaf {i} does not exist")));
            };
            let target = usize::try_from(target).ok().filter(|&x| x < self.per_target.len());
            let target =
                target.ok_or_else(|| a.error("leaf_targetids", format!("leaf {i}'s target is out of range")))?;
            self.per_target[target].push((path, w * scale));
            return Ok(());
        }
        if i >= t.splits.len() {
            return Err(a.error("nodes_truenodeids", format!("node {i} does not exist")));
        }
        let f = usize::try_from(t.features[i]).ok().filter(|&f| f < t.width);
        let f = f.ok_or_else(|| a.error("nodes_featureids", format!("node {i}'s feature is out of range")))?;
        let feature = self.steps.push(Gather { axis: 1 }, vec![Src::Input(0), scalar(f as f32)]);
        let compare = |kind| (Compare { kind }, t.splits[i]);
        let bit = match t.modes[i] as i64 {
            0 => self.cmp(compare(Comparison::LessOrEqual), feature),
            1 => self.cmp(compare(Comparison::Less), feature),
            2 => self.cmp(compare(Comparison::GreaterOrEqual), feature),
            3 => self.cmp(compare(Comparison::Greater), feature),
            4 => self.cmp(compare(Comparison::Equal), feature),
            5 => {
                let eq = self.cmp(compare(Comparison::Equal), feature);
                self.steps.push(Sub, vec![scalar(1.0), eq])
            }
            6 => {
                let mut set: Vec<f32> = Vec::new();
                for &m in self.members.by_ref() {
                    if m.is_nan() {
                        break;
                    }
                    if !set.contains(&m) {
                        set.push(m);
                    }
                }
                let mut any: Option<Src> = None;
                for m in set {
                    let eq = self.cmp((Compare { kind: Comparison::Equal }, m), feature.clone());
                    any = Some(match any {
                        None => eq,
                        Some(s) => self.steps.push(Add, vec![s, eq]),
                    });
                }
                any.unwrap_or_else(|| scalar(0.0))
            }
            m => return Err(a.error("nodes_modes", format!("mode {m} of node {i} is not a mode"))),
        };
        let not = self.steps.push(Sub, vec![scalar(1.0), bit.clone()]);
        let and = |steps: &mut Steps, b: Src| match &path {
            None => b,
            Some(p) => steps.push(Mul, vec![p.clone(), b]),
        };
        let yes = and(self.steps, bit);
        let no = and(self.steps, not);
        self.walk(t, t.true_ids[i], t.true_leaf[i] != 0, Some(yes), scale)?;
        self.walk(t, t.false_ids[i], t.false_leaf[i] != 0, Some(no), scale)
    }

    fn cmp(&mut self, (op, split): (Compare, f32), x: Src) -> Src {
        self.steps.push(op, vec![x, scalar(split)])
    }
}
