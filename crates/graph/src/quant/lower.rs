//! Lowering of the f32 graph to integer primitives, and integer calibration of range bounds.

use std::collections::BTreeMap;

use super::refine::TableSize;
use super::saturate::Sides;
use super::{
    eval::node_inputs, refine, BoundFit, DType, GatherOp, IoSpec, LinearOp, Magnitudes, QGraph, QNode, QOp, QTensor,
    QuantConfig, RequantOp, TableFn, TableOp, TensorId, VisibilityConfig,
};
use crate::error::{OpError, OpResult};
use crate::{Calibration, Graph, GraphError, Result, Tensor};

/// A value seen by [`crate::Op::lower`].
#[derive(Debug, Clone)]
pub enum LValue {
    /// A compile-time constant (initializer or folded expression), still in f32.
    Const(Tensor),
    /// A quantized activation. `exclusive` is true when the current node is its only consumer,
    /// so the op may fold into the node that produced it (e.g. a bias `Add` into a `MatMul`).
    Act {
        /// The activation's tensor in the graph under construction.
        id: TensorId,
        /// Whether the current node is the only consumer.
        exclusive: bool,
    },
}

/// State of the lowering: the [`QGraph`] under construction plus the current node's context.
#[derive(Debug)]
pub struct LowerCtx<'a> {
    config: &'a QuantConfig,
    tensors: Vec<QTensor>,
    /// Scale each tensor must be requantized to before it is used as an activation.
    targets: Vec<u32>,
    nodes: Vec<QNode>,
    node_name: String,
    value_name: String,
    out_scale: u32,
    /// Calibrated largest magnitude of each input of the current node (ONNX order).
    in_max_abs: Vec<f64>,
    /// The table of each [`LowerCtx::lookup_as`] call, in call order, where a sizing pass chose
    /// it (see the `refine` module); `None` (or past the end): as `max` asks.
    table_sizes: Vec<Option<TableSize>>,
    /// What each `lookup_as` call created, in call order.
    lookup_calls: Vec<LookupCall>,
}

/// One [`LowerCtx::lookup_as`] call: the outputs of the table nodes it created (two when it
/// interpolates), the scale of its result, and whether its input is clamped to the function's
/// saturation thresholds on both sides (so its table need cover only them).
#[derive(Debug, Clone)]
pub(super) struct LookupCall {
    pub tables: Vec<TensorId>,
    pub out_scale: u32,
    pub clamped: bool,
}

impl<'a> LowerCtx<'a> {
    fn new(config: &'a QuantConfig, table_sizes: Vec<Option<TableSize>>) -> Self {
        Self {
            config,
            tensors: Vec::new(),
            targets: Vec::new(),
            nodes: Vec::new(),
            node_name: String::new(),
            value_name: String::new(),
            out_scale: 0,
            in_max_abs: Vec::new(),
            table_sizes,
            lookup_calls: Vec::new(),
        }
    }

    /// Name of the ONNX node being lowered.
    pub fn node_name(&self) -> &str {
        &self.node_name
    }

    /// Calibrated scale of the current node's output value.
    pub fn out_scale(&self) -> u32 {
        self.out_scale
    }

    /// A tensor created so far.
    pub fn tensor(&self, id: TensorId) -> &QTensor {
        &self.tensors[id]
    }

    /// The node that produced `id`, if any.
    pub fn producer_mut(&mut self, id: TensorId) -> Option<&mut QNode> {
        self.nodes.iter_mut().rev().find(|n| n.output == id)
    }

    /// Per-tensor power-of-two scale for a constant: the largest scale at which its largest
    /// magnitude fits in `weight_bits` (sign included), capped at `max_weight_scale`.
    pub fn const_scale(&self, value: &Tensor) -> u32 {
        let max = value.iter().fold(0f64, |m, v| m.max((*v as f64).abs()));
        scale_for(max, self.config.weight_bits, self.config.max_weight_scale, 1.0)
    }

    /// `round(v * 2^scale)` for every element.
    pub fn quantize_const(&self, value: &Tensor, scale: u32) -> OpResult<Vec<i64>> {
        let factor = (1u64 << scale) as f64;
        value
            .iter()
            .map(|&v| {
                let q = (v as f64 * factor).round();
                if !q.is_finite() || q.abs() >= (1u64 << 62) as f64 {
                    Err(OpError::Invalid(format!("constant {v} cannot be represented at scale 2^{scale}")))
                } else {
                    Ok(q as i64)
                }
            })
            .collect()
    }

    /// Appends a primitive; its output gets `shape` and `scale`, and the current value's target scale.
    pub fn push(&mut self, op: QOp, inputs: Vec<TensorId>, shape: Vec<usize>, scale: u32) -> TensorId {
        let id = self.new_tensor(shape, scale, self.out_scale);
        self.nodes.push(QNode { name: self.node_name.clone(), op, inputs, output: id });
        id
    }

    fn new_tensor(&mut self, shape: Vec<usize>, scale: u32, target: u32) -> TensorId {
        self.tensors.push(QTensor { name: self.value_name.clone(), shape, scale });
        self.targets.push(target);
        self.tensors.len() - 1
    }

    /// Brings `id` to its target scale (inserting a rescale when it is a raw accumulator).
    pub fn materialize(&mut self, id: TensorId) -> OpResult<TensorId> {
        self.rescale(id, self.targets[id], false)
    }

    /// Requantizes `id` to the current output's scale with ReLU fused in.
    pub fn relu(&mut self, id: TensorId) -> OpResult<TensorId> {
        self.rescale(id, self.out_scale, true)
    }

    /// Re-expresses `id` at `scale`: a rounding rescale when going down, an exact multiply when
    /// going up; `relu` applies ReLU on the way. Returns `id` itself when nothing is to be done.
    pub fn rescale(&mut self, id: TensorId, scale: u32, relu: bool) -> OpResult<TensorId> {
        let t = self.tensors[id].clone();
        if t.scale > scale || relu {
            let shift = t.scale.saturating_sub(scale);
            let op = QOp::Requant(RequantOp { shift, relu, bits: 0 });
            let out = self.push(op, vec![id], t.shape.clone(), t.scale - shift);
            if t.scale - shift < scale {
                return self.rescale(out, scale, false);
            }
            return Ok(out);
        }
        if t.scale == scale {
            return Ok(id);
        }
        let n = t.len();
        let up = scale - t.scale;
        if up > 30 {
            return Err(OpError::Invalid(format!("scale gap 2^{up} too large")));
        }
        let op = LinearOp::single_channel(n, 1, (0..n as u32).map(Some).collect(), vec![1i64 << up]);
        Ok(self.push(QOp::Linear(op), vec![id], t.shape, scale))
    }

    /// Makes the current node's calibrated output scale the target of `id` (used when an op folds
    /// into the node that produced `id` and returns it as its own output, e.g. a bias `Add`).
    pub fn retarget(&mut self, id: TensorId) {
        self.targets[id] = self.out_scale;
    }

    /// Records that the current op rewrote the producer of `id` in place so that `id` now has
    /// `scale` (e.g. a BatchNormalization folded into a Conv's weights), and makes the current
    /// output scale its target. Only for an exclusive `id` that nothing has read yet.
    pub fn refold(&mut self, id: TensorId, scale: u32) {
        self.tensors[id].scale = scale;
        self.targets[id] = self.out_scale;
    }

    /// Applies `func` elementwise to activation `id` (input `input` of the current node) by a
    /// lookup table. The table input is `id` requantized to the largest scale at which the
    /// calibrated range (times the margin) fits in `2^table_bits` entries; the output has the
    /// current node's calibrated scale. The table's domain is set by integer calibration.
    ///
    /// When that drops bits of the activation and [`QuantConfig::table_interpolation`] is on,
    /// the output interpolates linearly between the two entries around the activation (two
    /// lookups into one table, two products, three Linear positions and two rescales per
    /// element: see the `interp` module) instead of taking the nearest entry.
    pub fn lookup(&mut self, id: TensorId, input: usize, func: TableFn) -> OpResult<TensorId> {
        let max = self.in_max_abs(input);
        self.lookup_as(id, max, func, self.out_scale)
    }

    /// [`LowerCtx::lookup`] of an intermediate value: `max` bounds its magnitude (real units)
    /// and the output gets `out_scale`.
    pub fn lookup_as(&mut self, id: TensorId, max: f64, func: TableFn, out_scale: u32) -> OpResult<TensorId> {
        let chosen = self.table_sizes.get(self.lookup_calls.len()).copied().flatten();
        let first = self.nodes.len();
        let (out, sides) = self.lookup_scaled(id, max, func, out_scale, chosen)?;
        let tables = self.nodes[first..].iter().filter(|n| matches!(n.op, QOp::Table(_))).map(|n| n.output);
        let clamped = sides.lo && sides.hi;
        self.lookup_calls.push(LookupCall { tables: tables.collect(), out_scale, clamped });
        Ok(out)
    }

    /// [`LowerCtx::lookup_as`] with the table `chosen` by a sizing pass (or as `max` asks);
    /// also returns the sides on which the input is clamped.
    fn lookup_scaled(
        &mut self,
        id: TensorId,
        max: f64,
        func: TableFn,
        out_scale: u32,
        chosen: Option<TableSize>,
    ) -> OpResult<(TensorId, Sides)> {
        let t = self.tensors[id].clone();
        let cap = t.scale.min(self.targets[id]);
        // Where the function saturates inside the calibrated range, the table covers only up to
        // its thresholds and the input is clamped to them (see the `saturate` module).
        let guarded = out_scale + super::interp::GUARD_BITS;
        // A table made coarser because the tables set the circuit's size: clamping saves rows.
        let clamp = chosen.is_some_and(|c| c.clamp);
        let (max, sides) = super::saturate::plan(func, cap, guarded, max, self.config.margin, clamp);
        let scale = match chosen {
            Some(c) => c.scale.min(cap),
            None => scale_for(max, self.config.table_bits.max(2), cap, self.config.margin),
        };
        if self.config.table_interpolation && scale < cap {
            let x = self.rescale(id, cap, false)?;
            let reach = max * self.config.margin;
            if let Some(out) = super::interp::interpolate(self, x, scale, reach, (func, out_scale), sides)? {
                return Ok((out, sides));
            }
        }
        let x = self.rescale(id, scale, false)?;
        let op = TableOp { func, in_scale: scale, out_scale, bits: 0 };
        let x = super::saturate::clamp(self, x, &op, 0, sides)?;
        Ok((self.push(QOp::Table(op), vec![x], t.shape, out_scale), sides))
    }

    /// Head-room factor of the range checks over the calibrated magnitudes.
    pub fn margin(&self) -> f64 {
        self.config.margin
    }

    /// Calibrated largest magnitude of input `input` (ONNX order) of the current node.
    pub fn in_max_abs(&self, input: usize) -> f64 {
        self.in_max_abs.get(input).copied().unwrap_or(0.0)
    }

    /// The activation scale for a value whose magnitude is at most `max` (as calibration would
    /// choose it).
    pub fn scale_for_max(&self, max: f64) -> u32 {
        scale_for(max, self.config.activation_bits, self.config.max_activation_scale, self.config.margin)
    }

    /// Pure re-wiring: `out[i] = in[index[i]]`, keeping the input's scale and target.
    pub fn gather(&mut self, id: TensorId, index: Vec<u32>, shape: Vec<usize>) -> TensorId {
        let scale = self.tensors[id].scale;
        let target = self.targets[id];
        let out = self.new_tensor(shape, scale, target);
        self.nodes.push(QNode {
            name: self.node_name.clone(),
            op: QOp::Gather(GatherOp { index }),
            inputs: vec![id],
            output: out,
        });
        out
    }

    /// Names `id` in messages: `label` after the current value's name (e.g. what a check means).
    pub fn label(&mut self, id: TensorId, label: &str) {
        self.tensors[id].name = format!("{} ({label})", self.value_name);
    }

    /// Makes `id`'s own scale its target: an exact integer result (an index at scale 0) that
    /// consumers, and the model output, use as it is instead of rescaling it to the calibrated scale.
    pub fn exact(&mut self, id: TensorId) {
        self.targets[id] = self.tensors[id].scale;
    }
}

/// Largest scale `s <= cap` with `max * margin * 2^s < 2^(bits-1)`.
fn scale_for(max: f64, bits: u32, cap: u32, margin: f64) -> u32 {
    if max <= 0.0 || !max.is_finite() {
        return cap;
    }
    let room = (bits as f64 - 1.0) - (max * margin).log2();
    if room < 0.0 {
        0
    } else {
        (room.floor() as u32).min(cap)
    }
}

/// Lowers a calibrated f32 graph to a [`QGraph`] and sets every range bound from the
/// calibration samples, then sizes the lookup tables by lowering again (see the `refine`
/// module): coarser where the tables would need more rows than the rest of the circuit and
/// their error allows it, finer where calibration left room within the rows the circuit has.
pub fn quantize(
    graph: &Graph,
    calibration: &Calibration,
    config: &QuantConfig,
    visibility: &VisibilityConfig,
) -> Result<QGraph> {
    let lower = |sizes: Vec<Option<TableSize>>| lower_calibrated(graph, calibration, config, visibility, sizes);
    let (mut q, mut calls) = lower(Vec::new())?;
    let mut sizes = refine::table_shrinks(&q, &calls);
    if sizes.iter().any(Option::is_some) {
        // The first pass stands if the coarser one fails.
        match lower(sizes.clone()) {
            Ok((coarse, coarse_calls)) => (q, calls) = (coarse, coarse_calls),
            Err(_) => sizes = Vec::new(),
        }
    }
    let boosts = refine::table_boosts(&q, &calls, config.table_bits);
    if boosts.iter().all(|&b| b == 0) {
        return Ok(q);
    }
    let budget = refine::row_budget(&q);
    match lower(refine::boosted(&q, &calls, &boosts, sizes)) {
        Ok((fine, _)) if super::distinct_table_rows(fine.tables()) <= budget => Ok(fine),
        _ => Ok(q),
    }
}

/// One lowering pass (with the tables `table_sizes` chose) and its calibration; also returns
/// what each lookup call created.
pub(super) fn lower_calibrated(
    graph: &Graph,
    calibration: &Calibration,
    config: &QuantConfig,
    visibility: &VisibilityConfig,
    table_sizes: Vec<Option<TableSize>>,
) -> Result<(QGraph, Vec<LookupCall>)> {
    let input_visibility = visibility.inputs.resolve(graph.inputs.len(), "input")?;
    let output_visibility = visibility.outputs.resolve(graph.outputs.len(), "output")?;
    let scales: Vec<u32> = calibration
        .max_abs
        .iter()
        .map(|&m| scale_for(m, config.activation_bits, config.max_activation_scale, config.margin))
        .collect();
    let mut ctx = LowerCtx::new(config, table_sizes);
    let mut values: BTreeMap<usize, LValue> = BTreeMap::new();
    let uses = graph.use_counts();

    // Each input is a raw tensor that node `i` (in input order) range-checks, so no consumer
    // sees an unbounded value.
    let mut raw: Vec<TensorId> = Vec::with_capacity(graph.inputs.len());
    let dtypes = |i: usize| graph.input_dtypes.get(i).copied().unwrap_or_default();
    for (i, &v) in graph.inputs.iter().enumerate() {
        ctx.value_name = graph.values[v].name.clone();
        ctx.node_name = "input".into();
        // An integer input (token ids, masks) is its integers themselves: scale 0.
        let scale = if dtypes(i).is_exact() { 0 } else { scales[v] };
        ctx.out_scale = scale;
        let shape = graph.values[v].shape.clone();
        let id = ctx.new_tensor(shape.clone(), scale, scale);
        let checked =
            ctx.push(QOp::Requant(RequantOp { shift: 0, relu: false, bits: 0 }), vec![id], shape, ctx.out_scale);
        let checked = match dtypes(i) {
            DType::Bool => crate::ops::boolean(&mut ctx, checked).map_err(|source| GraphError::Node {
                node: "input".into(),
                op: "Bool".into(),
                source,
            })?,
            _ => checked,
        };
        values.insert(v, LValue::Act { id: checked, exclusive: uses[v] <= 1 });
        raw.push(id);
    }

    for node in &graph.nodes {
        let args = node
            .inputs
            .iter()
            .map(|&i| match &graph.consts[i] {
                Some(c) => Ok(LValue::Const(c.clone())),
                None => match values.get(&i) {
                    Some(LValue::Act { id, .. }) => Ok(LValue::Act { id: *id, exclusive: uses[i] <= 1 }),
                    Some(v) => Ok(v.clone()),
                    None => Err(GraphError::UndefinedValue(graph.values[i].name.clone())),
                },
            })
            .collect::<Result<Vec<_>>>()?;
        ctx.node_name = node.name.clone();
        ctx.value_name = graph.values[node.output].name.clone();
        ctx.out_scale = scales[node.output];
        ctx.in_max_abs = node.inputs.iter().map(|&i| calibration.max_abs.get(i).copied().unwrap_or(0.0)).collect();
        let wrap = |source| GraphError::Node { node: node.name.clone(), op: node.op.name().to_string(), source };
        let out = node.op.lower(&mut ctx, &args).map_err(wrap)?;
        values.insert(node.output, out);
    }

    let mut outputs = Vec::with_capacity(graph.outputs.len());
    for &o in &graph.outputs {
        let folded = graph.consts[o].clone().map(LValue::Const);
        let tensor = match folded.as_ref().or_else(|| values.get(&o)) {
            Some(LValue::Act { id, .. }) => {
                ctx.value_name = graph.values[o].name.clone();
                ctx.node_name = "output".into();
                ctx.materialize(*id).map_err(|source| GraphError::Node {
                    node: "output".into(),
                    op: "Requant".into(),
                    source,
                })?
            }
            Some(LValue::Const(c)) => {
                // An output that folds to a constant (shape arithmetic, a cache of constants): a
                // Linear position per element whose fixed bias holds it at the output's scale.
                ctx.value_name = graph.values[o].name.clone();
                ctx.node_name = "output".into();
                let wrap = |source| GraphError::Node { node: "output".into(), op: "Constant".into(), source };
                let anchor = raw.first().copied().ok_or_else(|| {
                    GraphError::Calibration(format!("the model output '{}' is a constant", graph.values[o].name))
                })?;
                let scale = scales[o];
                let ints = ctx.quantize_const(c, scale).map_err(wrap)?;
                crate::ops::constant_output(&mut ctx, anchor, ints, c.shape().to_vec(), scale).map_err(wrap)?
            }
            None => return Err(GraphError::UndefinedValue(graph.values[o].name.clone())),
        };
        outputs.push(tensor);
    }
    let spec = |(tensor, visibility)| IoSpec { tensor, dtype: DType::F32, visibility, bits: 0 };
    let inputs = raw
        .into_iter()
        .zip(input_visibility)
        .enumerate()
        .map(|(i, io)| IoSpec { dtype: dtypes(i), ..spec(io) })
        .collect();
    let outputs = outputs.into_iter().zip(output_visibility).map(spec).collect();

    let mut q =
        QGraph { tensors: ctx.tensors, nodes: ctx.nodes, inputs, outputs, params: visibility.params, param_salt: None };
    let map = q.prune();
    let mut lookup_calls = ctx.lookup_calls;
    for call in &mut lookup_calls {
        call.tables = call.tables.iter().filter_map(|&t| map[t]).collect();
    }
    calibrate_bounds(&mut q, calibration, config)?;
    refine::tighten_clamped(&mut q, &lookup_calls);
    share_table_domains(&mut q);
    Ok((q, lookup_calls))
}

impl QGraph {
    /// Removes nodes whose outputs nothing uses (e.g. an accumulator whose bias was folded
    /// elsewhere, or a dead branch of the model) and their tensors; returns each old tensor's
    /// new id (`None`: removed).
    fn prune(&mut self) -> Vec<Option<TensorId>> {
        let mut live = vec![false; self.tensors.len()];
        for s in &self.outputs {
            live[s.tensor] = true;
        }
        let mut keep = vec![false; self.nodes.len()];
        for (i, node) in self.nodes.iter().enumerate().rev() {
            // The inputs' range checks stay, even of an input nothing reads: the circuit expects
            // one per input, first.
            if live[node.output] || i < self.inputs.len() {
                keep[i] = true;
                for &x in &node.inputs {
                    live[x] = true;
                }
            }
        }
        let mut it = keep.into_iter();
        self.nodes.retain(|_| it.next().unwrap_or(false));
        // The tensors of removed nodes go too (a tensor no node defines has no cells), and the
        // rest are renumbered in order.
        let mut defined = vec![false; self.tensors.len()];
        for id in self.inputs.iter().map(|s| s.tensor).chain(self.nodes.iter().map(|n| n.output)) {
            defined[id] = true;
        }
        let mut map = vec![None; self.tensors.len()];
        let mut next = 0;
        for (id, &d) in defined.iter().enumerate() {
            if d {
                map[id] = Some(next);
                next += 1;
            }
        }
        if next == self.tensors.len() {
            return map;
        }
        let mut it = defined.into_iter();
        self.tensors.retain(|_| it.next().unwrap_or(false));
        // Every id left is defined: an input, a kept node's output, or what a kept node reads.
        let at = |id: TensorId| map[id].unwrap_or(id);
        for node in &mut self.nodes {
            node.output = at(node.output);
            node.inputs.iter_mut().for_each(|x| *x = at(*x));
        }
        for s in self.inputs.iter_mut().chain(self.outputs.iter_mut()) {
            s.tensor = at(s.tensor);
        }
        map
    }
}

/// Runs the integer graph on every calibration sample and sets each range bound (and each
/// table domain, capped at `2^table_bits` entries) to the largest magnitude seen times `margin`.
fn calibrate_bounds(q: &mut QGraph, calibration: &Calibration, config: &QuantConfig) -> Result<()> {
    let fit = BoundFit::of(config);
    let mut max_input = vec![0i64; q.inputs.len()];
    let mut seen = vec![Magnitudes::default(); q.nodes.len()];
    for sample in &calibration.samples {
        if sample.len() != q.inputs.len() {
            return Err(GraphError::Calibration(format!(
                "a sample has {} inputs, the model has {}",
                sample.len(),
                q.inputs.len()
            )));
        }
        let mut x = Vec::with_capacity(sample.len());
        for ((spec, values), max) in q.inputs.iter().zip(sample).zip(&mut max_input) {
            let t = &q.tensors[spec.tensor];
            let factor = (1u64 << t.scale) as f64;
            let v: Vec<i64> = values.iter().map(|&v| (v as f64 * factor).round() as i64).collect();
            if v.len() != t.len() {
                return Err(GraphError::Calibration(format!(
                    "sample has {} values for input '{}', which has {}",
                    v.len(),
                    t.name,
                    t.len()
                )));
            }
            *max = v.iter().fold(*max, |m, v| m.max(v.abs()));
            x.push(v);
        }
        let w = q.eval_inner(x, false)?;
        for (node, seen) in q.nodes.iter().zip(&mut seen) {
            let inputs = node_inputs(node, &w.values);
            if let Some(bounds) = node.op.primitive().bounds() {
                *seen = seen.max(bounds.observe(&inputs, &w.values[node.output]));
            }
        }
    }
    for (spec, max) in q.inputs.iter_mut().zip(max_input) {
        spec.bits = fit.bits(max);
    }
    for (node, seen) in q.nodes.iter_mut().zip(seen) {
        if let Some(bounds) = node.op.primitive_mut().bounds_mut() {
            bounds.fit(seen, &fit);
        }
    }
    Ok(())
}

/// Gives every table of the same function and scales the widest of their domains, so they are
/// one table in the circuit: the two lookups of an interpolation (`hi` and `hi + 1` can need
/// different domains) and any activations that happen to share function and scales.
fn share_table_domains(q: &mut QGraph) {
    let mut widest: Vec<TableOp> = Vec::new();
    for node in &q.nodes {
        if let QOp::Table(op) = &node.op {
            match widest.iter_mut().find(|w| same_table(w, op)) {
                Some(w) => w.bits = w.bits.max(op.bits),
                None => widest.push(op.clone()),
            }
        }
    }
    for node in &mut q.nodes {
        if let QOp::Table(op) = &mut node.op {
            if let Some(w) = widest.iter().find(|w| same_table(w, op)) {
                op.bits = w.bits;
            }
        }
    }
}

fn same_table(a: &TableOp, b: &TableOp) -> bool {
    a.func == b.func && a.in_scale == b.in_scale && a.out_scale == b.out_scale
}
