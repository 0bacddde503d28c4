//! Requant chip: rounding rescale by `2^shift` with a proven remainder, a range check of the
//! result, and an optional ReLU. One element per row.
//!
//! With `R = Σ CR_c L_c` (remainder) and `W = Σ CW_c L_c` (sign-folded value):
//! * `IN + HALF = Z * POW + R`
//! * `SIGN ∈ {0, 1}`, `W = Z` if `SIGN = 1`, `W = -Z - 1` if `SIGN = 0`
//! * every limb is in the range table under its width. In a tagged limb column (the first
//!   [`TAGGED_LIMB_COLUMNS`], which hold the two top limbs) `(TAG_c, L_c)` is a table row, with
//!   `TAG_c = b - WIDTH_c` (see `range.rs`), so `L_c` is one of the integers `0..2^WIDTH_c` (a
//!   partial top limb gets its own, smaller width); in any other limb column `L_c` is in the
//!   table's value column, so one of `0..2^b`, and the layout puts only full limbs there. With
//!   `CR_c`, `CW_c` the powers `2^(b·i)` of the limbs' positions, `R ∈ [0, 2^shift)` and
//!   `W ∈ [0, 2^bits)` exactly (the sums are below `2^62`, far from wrapping around the field)
//! * `OUT = SIGN * Z` (ReLU) or `OUT = Z`.
//!
//! Limb `c` lives either in limb column `c` of the element's row (side by side: one advice column,
//! two or three fixed columns and one lookup per limb) or, with stacked limbs, in the single limb
//! column at row `row + c` (one advice column, three fixed columns and one lookup in all, and
//! `limbs` rows per element: far fewer commitments for the verifier, more rotations, more rows).
//!
//! Hence `Z = floor((IN + 2^(shift-1)) / 2^shift)` with `-2^bits <= Z < 2^bits`, and `SIGN` is
//! forced to `[Z >= 0]`, as long as `|IN|` is far below the field size (it is: `IN` is an
//! accumulator of range-checked values).
//!
//! Layout: a `Requant` node takes one row per element (or `limbs` rows with stacked limbs);
//! every value comes from [`zkinfer_graph::RequantOp::witness`] and the limbs from
//! [`zkinfer_graph::split_limbs`].

use halo2_axiom::plonk::{Advice, Column, ConstraintSystem, Expression, Fixed, Selector};
use halo2_axiom::poly::Rotation;
use zkinfer_graph::{split_limbs, QGraph, QNode, RequantOp};

use super::range::{limb_tag, RangeTableConfig};
use serde::{Deserialize, Serialize};

use super::{sum, ChipColumns};
use crate::plan::{limb_offset, requant_limb_order};
use crate::walk::{fe, input_len, malformed, ChipRows, LayoutShape, Loc, NodeLayout, Sink, Walker};
use crate::{CircuitError, Fr};

/// Limb columns whose lookup carries the limb's width (as a tag): the first two, where the
/// layout puts the two top limbs of an element (the remainder's and the value's), the only ones
/// that can be narrower than `b`. Every other limb column holds full limbs only and looks its
/// limb up in the table's value column alone (`0..2^b`): a single-column lookup of small
/// values, whose sorted columns are cheap to commit to, where a tagged lookup's table holds
/// full-size compressed values. With stacked limbs the one limb column is tagged.
pub const TAGGED_LIMB_COLUMNS: usize = 2;

/// Columns and selectors of the requant chip.
#[derive(Debug, Clone)]
pub struct RequantConfig {
    /// The value being rescaled (copy of its source).
    pub input: Column<Advice>,
    /// The result after the optional ReLU.
    pub out: Column<Advice>,
    /// The rounded quotient.
    pub z: Column<Advice>,
    /// `[Z >= 0]`.
    pub sign: Column<Advice>,
    /// Range-checked limbs: one column per limb, or the single column of stacked limbs.
    pub limbs: Vec<Column<Advice>>,
    /// Limbs per element (`limbs.len()` side by side; the rows per element when stacked).
    pub limb_count: usize,
    /// Limbs are stacked in consecutive rows of one column.
    pub stacked: bool,
    /// `2^shift`.
    pub pow: Column<Fixed>,
    /// `2^(shift-1)` (0 when shift is 0).
    pub half: Column<Fixed>,
    /// Weight of each limb in the remainder.
    pub remainder_weight: Vec<Column<Fixed>>,
    /// Weight of each limb in the sign-folded value.
    pub value_weight: Vec<Column<Fixed>>,
    /// Tag of the range of each limb in a tagged limb column (the first
    /// [`TAGGED_LIMB_COLUMNS`]): `b` minus its width in bits (0 for a full limb and where unused,
    /// more for a partial top limb).
    pub tag: Vec<Column<Fixed>>,
    /// Enables the rescale and range equations.
    pub q_rq: Selector,
    /// Output is `max(Z, 0)`.
    pub q_relu: Selector,
    /// Output is `Z`.
    pub q_plain: Selector,
}

impl RequantConfig {
    /// Allocates the chip with `limbs` limbs per element, each looked up in `table` (width,
    /// value): `limbs` limb columns, or one column of stacked limbs.
    pub fn configure(meta: &mut ConstraintSystem<Fr>, limbs: usize, stacked: bool, table: &RangeTableConfig) -> Self {
        let input = meta.advice_column();
        let out = meta.advice_column();
        meta.enable_equality(input);
        meta.enable_equality(out);
        let limb_count = limbs;
        let limbs = if stacked { limbs.min(1) } else { limbs };
        let cfg = Self {
            limb_count,
            stacked,
            input,
            out,
            z: meta.advice_column(),
            sign: meta.advice_column(),
            limbs: (0..limbs).map(|_| meta.advice_column()).collect(),
            pow: meta.fixed_column(),
            half: meta.fixed_column(),
            remainder_weight: (0..limbs).map(|_| meta.fixed_column()).collect(),
            value_weight: (0..limbs).map(|_| meta.fixed_column()).collect(),
            tag: (0..limbs.min(TAGGED_LIMB_COLUMNS)).map(|_| meta.fixed_column()).collect(),
            q_rq: meta.selector(),
            q_relu: meta.selector(),
            q_plain: meta.selector(),
        };
        let g = cfg.clone();
        meta.create_gate("requant", |vc| {
            let cur = Rotation::cur();
            let q = vc.query_selector(g.q_rq);
            let q_relu = vc.query_selector(g.q_relu);
            let q_plain = vc.query_selector(g.q_plain);
            let input = vc.query_advice(g.input, cur);
            let out = vc.query_advice(g.out, cur);
            let z = vc.query_advice(g.z, cur);
            let s = vc.query_advice(g.sign, cur);
            let pow = vc.query_fixed(g.pow, cur);
            let half = vc.query_fixed(g.half, cur);
            let at = |c: usize| g.position(c);
            let l: Vec<Expression<Fr>> = (0..g.limb_count)
                .map(|c| {
                    let (col, rot) = at(c);
                    vc.query_advice(g.limbs[col], rot)
                })
                .collect();
            let mut weighted = |cols: &[Column<Fixed>]| {
                sum(l.iter().enumerate().map(|(c, l)| {
                    let (col, rot) = at(c);
                    vc.query_fixed(cols[col], rot) * l.clone()
                }))
            };
            let r = weighted(&g.remainder_weight);
            let w = weighted(&g.value_weight);
            let one = Expression::Constant(Fr::one());
            let two = Expression::Constant(Fr::from(2));
            vec![
                q.clone() * (input + half - z.clone() * pow - r),
                q.clone() * (s.clone() * (one.clone() - s.clone())),
                q * (w - ((two * s.clone() - one.clone()) * z.clone() + s.clone() - one)),
                q_relu * (out.clone() - s * z.clone()),
                q_plain * (out - z),
            ]
        });
        for (c, limb) in cfg.limbs.iter().enumerate() {
            meta.lookup(format!("limb {c}"), |vc| {
                let l = vc.query_advice(*limb, Rotation::cur());
                match cfg.tag.get(c) {
                    Some(tag) => vec![(vc.query_fixed(*tag, Rotation::cur()), table.tag), (l, table.value)],
                    None => vec![(l, table.value)],
                }
            });
        }
        cfg
    }

    /// Where limb `c` of an element lives: (index into `limbs`, the weight columns and `tag`, rotation from
    /// the element's row).
    pub fn position(&self, c: usize) -> (usize, Rotation) {
        let (col, offset) = limb_offset(self.stacked, c);
        (col, Rotation(offset as i32))
    }
}

impl<S: Sink> Walker<'_, S> {
    /// Lays out `op`; returns (input cells, output cells). With `fresh`, the input cells are new
    /// (the raw model input) instead of copies of an earlier tensor.
    pub(crate) fn requant(
        &mut self,
        node: &QNode,
        op: &RequantOp,
        fresh: bool,
    ) -> Result<(Vec<Loc>, Vec<Loc>), CircuitError> {
        self.check_limbs(&node.name, op)?;
        let src_t = node.inputs.first().copied().ok_or_else(|| malformed(&node.name, "no input"))?;
        let src: Option<Vec<Loc>> = if fresh { None } else { Some(self.tensor_cells(&node.name, src_t)?.to_vec()) };
        let values = self.values;
        let xs = values.get(src_t).ok_or_else(|| malformed(&node.name, "input tensor out of range"))?;
        let mut ins = Vec::with_capacity(xs.len());
        let mut outs = Vec::with_capacity(xs.len());
        for (e, &x) in xs.iter().enumerate() {
            let s = match &src {
                Some(src) => Some(*src.get(e).ok_or_else(|| malformed(&node.name, "input shorter than its values"))?),
                None => None,
            };
            let (cell_in, cell_out) = self.requant_elem(op, x as i128, s)?;
            ins.push(cell_in);
            outs.push(cell_out);
        }
        Ok((ins, outs))
    }

    /// An error when the plan has fewer limbs than `op` needs (its remainder's plus its value's).
    pub(crate) fn check_limbs(&self, node: &str, op: &RequantOp) -> Result<(), CircuitError> {
        let needed = op.limbs(self.plan.limb_bits.max(1));
        if needed > self.plan.limbs {
            return Err(CircuitError::NotEnoughLimbs { node: node.to_string(), needed, limbs: self.plan.limbs });
        }
        if op.shift >= 62 || op.bits >= 62 {
            return Err(malformed(node, "shift and bits must be below 62"));
        }
        Ok(())
    }

    /// One requant row: `x` (a copy of `src`, or a fresh cell) rescaled by `op`; returns the
    /// (input, output) cells. Call [`Walker::check_limbs`] for `op` first.
    pub(crate) fn requant_elem(
        &mut self,
        op: &RequantOp,
        x: i128,
        src: Option<Loc>,
    ) -> Result<(Loc, Loc), CircuitError> {
        let b = self.plan.limb_bits.max(1);
        let row = self.taken.requant;
        let stride = self.plan.requant_stride();
        self.check_row(row + stride - 1)?;
        self.taken.requant += stride;
        let wit = op.witness(x);

        self.sink.enable(RequantSelector::Rescale.into(), row);
        self.sink.enable(if op.relu { RequantSelector::Relu.into() } else { RequantSelector::Plain.into() }, row);
        self.sink.fixed(RequantFixed::Pow.into(), row, fe(op.pow()));
        if op.half() != 0 {
            self.sink.fixed(RequantFixed::Half.into(), row, fe(op.half()));
        }
        let cell_in = self.sink.advice(RequantAdvice::In.into(), row, self.val(x));
        if let Some(s) = src {
            self.sink.copy(cell_in, s);
        }
        self.sink.advice(RequantAdvice::Quotient.into(), row, self.val(wit.quotient));
        self.sink.advice(RequantAdvice::Sign.into(), row, self.val(wit.sign));
        // The two top limbs (the only ones that can be narrower than `b`) go first, into the
        // tagged limb columns, where each limb is looked up under its own width; every other
        // limb is a full one, looked up in `0..2^b`.
        let (rem, val) = (split_limbs(wit.remainder, op.shift, b), split_limbs(wit.folded, op.bits, b));
        for (c, (is_rem, i)) in requant_limb_order(rem.len(), val.len()).into_iter().enumerate() {
            let (limb, width, weight) = if is_rem { rem[i] } else { val[i] };
            let (col, at) = self.plan.limb_cell(c, row);
            self.sink.advice(RequantAdvice::Limb(col).into(), at, self.val(limb));
            self.sink.fixed(
                if is_rem { RequantFixed::RemainderWeight(col).into() } else { RequantFixed::ValueWeight(col).into() },
                at,
                fe(weight),
            );
            if col < TAGGED_LIMB_COLUMNS {
                self.sink.fixed(RequantFixed::Tag(col).into(), at, fe(i128::from(limb_tag(b, width))));
            } else if width != b {
                return Err(malformed("requant", "a partial limb outside the tagged limb columns"));
            }
        }
        let cell_out = self.sink.advice(RequantAdvice::Out.into(), row, self.val(wit.out));
        Ok((cell_in, cell_out))
    }
}

/// One requant row kind per element (`limbs` rows each when stacked).
impl NodeLayout for RequantOp {
    fn rows(&self, q: &QGraph, node: &QNode, shape: LayoutShape) -> ChipRows {
        ChipRows { requant: shape.requant_stride * input_len(q, node), ..ChipRows::default() }
    }

    fn assign<S: Sink>(&self, w: &mut Walker<'_, S>, node: &QNode) -> Result<Vec<Loc>, CircuitError> {
        Ok(w.requant(node, self, false)?.1)
    }
}

/// The requant chip's advice columns, by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum RequantAdvice {
    /// The input (also holds the ZERO/ONE constant cells).
    In,
    /// The output.
    Out,
    /// The rounded quotient.
    Quotient,
    /// The sign bit.
    Sign,
    /// Limb column `c`.
    Limb(usize),
}

/// The requant chip's fixed columns, by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RequantFixed {
    Pow,
    Half,
    RemainderWeight(usize),
    ValueWeight(usize),
    Tag(usize),
}

/// The requant chip's selectors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RequantSelector {
    /// The rescale and range equations.
    Rescale,
    /// Output `max(Z, 0)`.
    Relu,
    /// Output `Z`.
    Plain,
}

impl ChipColumns for RequantConfig {
    type Advice = RequantAdvice;
    type Fixed = RequantFixed;
    type Selector = RequantSelector;

    fn advice(&self, c: RequantAdvice) -> Option<Column<Advice>> {
        match c {
            RequantAdvice::In => Some(self.input),
            RequantAdvice::Out => Some(self.out),
            RequantAdvice::Quotient => Some(self.z),
            RequantAdvice::Sign => Some(self.sign),
            RequantAdvice::Limb(c) => self.limbs.get(c).copied(),
        }
    }

    fn fixed(&self, c: RequantFixed) -> Option<Column<Fixed>> {
        match c {
            RequantFixed::Pow => Some(self.pow),
            RequantFixed::Half => Some(self.half),
            RequantFixed::RemainderWeight(c) => self.remainder_weight.get(c).copied(),
            RequantFixed::ValueWeight(c) => self.value_weight.get(c).copied(),
            RequantFixed::Tag(c) => self.tag.get(c).copied(),
        }
    }

    fn selector(&self, s: RequantSelector) -> Selector {
        match s {
            RequantSelector::Rescale => self.q_rq,
            RequantSelector::Relu => self.q_relu,
            RequantSelector::Plain => self.q_plain,
        }
    }
}
