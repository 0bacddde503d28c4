//! `BitwiseNot`, `BitwiseAnd`, `BitwiseOr` and `BitwiseXor` on integer types of 16 bits or
//! fewer, built at import from integer ops already proven.
//!
//! `BitwiseNot` is affine: `−1 − x` for a signed type (of any width), `2^b − 1 − x` for an
//! unsigned one. The
//! others decompose each operand into its `b` bits: the operand cast to the unsigned type of its
//! width (the two's-complement wrap, `u = x mod 2^b`), the floor quotients `q_i = ⌊u / 2^i⌋`
//! by constants, and `bit_i = q_i − 2·q_{i+1}`; each output bit is a polynomial of two bits
//! (`ab`, `a + b − ab`, `a + b − 2ab`: one product, or none against a constant operand), summed
//! back with weights `2^i` and cast to the signed type where the result is signed. Every step
//! is a Cast, an exact quotient, a product or a Linear sum: no new constraint. Wider types are
//! refused by name (their values pass 2^24, beyond what f32 and the fixed-point input hold).

use zkinfer_graph::ops::{Add, Cast, CastTo, IntDiv, Mul, Sub};
use zkinfer_graph::Op;

use crate::builders::integer_range;
use crate::registry::{scalar, Built, NodeCx, Src};
use crate::ImportError;

type Steps = Vec<(Box<dyn Op>, Vec<Src>)>;

/// Which bitwise connective.
#[derive(Clone, Copy)]
pub(crate) enum Bitwise {
    And,
    Or,
    Xor,
}

/// The integer width and signedness of input 0, 16 bits or fewer.
fn width(cx: &NodeCx) -> Result<(u32, bool), ImportError> {
    let t = cx.dtypes.first().copied().flatten();
    match t.and_then(integer_range) {
        Some((bits, signed)) if (2..=16).contains(&bits) => Ok((bits, signed)),
        _ => Err(cx.attrs.node_error(format!(
            "operands of type {} are not supported (integer types of 8 or 16 bits are)",
            t.map_or("unknown", |t| t.as_str_name())
        ))),
    }
}

/// `BitwiseNot`: `−1 − x` (signed, of any width) or `2^b − 1 − x` (unsigned).
pub(crate) fn bitwise_not(cx: &NodeCx) -> Result<Built, ImportError> {
    let signed_any = cx.dtypes.first().copied().flatten().and_then(integer_range).is_some_and(|(_, s)| s);
    let (bits, signed) = if signed_any { (0, true) } else { width(cx)? };
    let top = if signed { -1.0 } else { ((1u32 << bits) - 1) as f32 };
    Ok(Built::Nodes(vec![(Box::new(Sub), vec![scalar(top), Src::Input(0)])], vec![0]))
}

/// Pushes the steps giving the `bits` bits of `x`; returns their step indices, low bit first.
fn bits_of(steps: &mut Steps, x: Src, bits: u32) -> Vec<usize> {
    steps.push((Box::new(Cast { to: CastTo::Int { bits, signed: false }, like: false }), vec![x]));
    let u = steps.len() - 1;
    // q_i = ⌊u / 2^i⌋ for i in 0..=bits (q_0 = u).
    let mut q = vec![u];
    for i in 1..=bits {
        steps.push((Box::new(IntDiv), vec![Src::Step(u), scalar((1u32 << i) as f32)]));
        q.push(steps.len() - 1);
    }
    (0..bits as usize)
        .map(|i| {
            steps.push((Box::new(Mul), vec![Src::Step(q[i + 1]), scalar(2.0)]));
            steps.push((Box::new(Sub), vec![Src::Step(q[i]), Src::Step(steps.len() - 1)]));
            steps.len() - 1
        })
        .collect()
}

/// `BitwiseAnd`, `BitwiseOr` or `BitwiseXor` (module docs).
pub(crate) fn bitwise(cx: &NodeCx, kind: Bitwise) -> Result<Built, ImportError> {
    let (bits, signed) = width(cx)?;
    let mut steps: Steps = Vec::new();
    let a = bits_of(&mut steps, Src::Input(0), bits);
    let b = bits_of(&mut steps, Src::Input(1), bits);
    let mut total: Option<usize> = None;
    for (i, (&x, &y)) in a.iter().zip(&b).enumerate() {
        steps.push((Box::new(Mul), vec![Src::Step(x), Src::Step(y)]));
        let both = steps.len() - 1;
        let bit = match kind {
            Bitwise::And => both,
            Bitwise::Or | Bitwise::Xor => {
                steps.push((Box::new(Add), vec![Src::Step(x), Src::Step(y)]));
                let times = if matches!(kind, Bitwise::Or) { 1.0 } else { 2.0 };
                steps.push((Box::new(Mul), vec![Src::Step(both), scalar(times)]));
                steps.push((Box::new(Sub), vec![Src::Step(steps.len() - 2), Src::Step(steps.len() - 1)]));
                steps.len() - 1
            }
        };
        steps.push((Box::new(Mul), vec![Src::Step(bit), scalar((1u32 << i) as f32)]));
        let term = steps.len() - 1;
        total = Some(match total {
            None => term,
            Some(t) => {
                steps.push((Box::new(Add), vec![Src::Step(t), Src::Step(term)]));
                steps.len() - 1
            }
        });
    }
    let mut last = total.ok_or_else(|| cx.attrs.node_error("an operand of no bits"))?;
    if signed {
        steps.push((Box::new(Cast { to: CastTo::Int { bits, signed: true }, like: false }), vec![Src::Step(last)]));
        last = steps.len() - 1;
    }
    Ok(Built::Nodes(steps, vec![last]))
}
