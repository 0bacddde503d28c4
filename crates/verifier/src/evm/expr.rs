//! Gate constraints as data: a postfix "bytecode" that the Solidity verifier interprets in a
//! loop, so the verifier's code does not grow with the number of gates or columns.
//!
//! Each gate polynomial compiles to a postfix program over a stack of field elements; after each
//! polynomial an [`Op::Fold`] does `acc = acc · y + top` (halo2's vanishing-argument fold, in
//! the verifier's order). [`eval`] is the reference interpreter the Solidity one mirrors.
//!
//! Encoding (one byte of opcode, then operands big-endian): `0x00 CONST c(32)`, `0x01 FIXED
//! q(2)`, `0x02 ADVICE q(2)`, `0x03 INSTANCE q(2)`, `0x04 CHALLENGE i(2)`, `0x05 NEG`, `0x06 ADD`,
//! `0x07 MUL`, `0x08 SCALE c(32)`, `0x09 FOLD`, `0x0a EVAL i(2)`,
//! `0x0b VAR v(1)`, `0x0c SUB`. Query operands index the verifying key's
//! fixed/advice/instance query lists (the order of the proof's evaluations).

use halo2_axiom::halo2curves::bn256::Fr;
use halo2_axiom::halo2curves::ff::{Field, PrimeField};
use halo2_axiom::plonk::{ConstraintSystem, Expression};
use halo2_axiom::poly::Rotation;

/// One instruction of the constraint program.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// Push a constant.
    Const(Fr),
    /// Push the evaluation of fixed query `q`.
    Fixed(u16),
    /// Push the evaluation of advice query `q`.
    Advice(u16),
    /// Push the evaluation of instance query `q`.
    Instance(u16),
    /// Push challenge `i` (the plan's challenge list: user challenges, then theta, beta, gamma, ...).
    Challenge(u16),
    /// Push evaluation `i` of the proof, in proof order (advice, fixed, vanishing, permutation,
    /// lookups).
    Eval(u16),
    /// Push a value the verifier computes: 0 = `l_0(x)`, 1 = `l_last(x)`, 2 = `l_blind(x)`,
    /// 3 = `x`.
    Var(u8),
    /// Pop `b`, pop `a`, push `a - b`.
    Sub,
    /// Negate the top.
    Neg,
    /// Pop two, push their sum.
    Add,
    /// Pop two, push their product.
    Mul,
    /// Multiply the top by a constant.
    Scale(Fr),
    /// Pop `v`; `acc = acc · y + v`.
    Fold,
}

/// Why a constraint system cannot be compiled to a program.
#[derive(Debug, thiserror::Error)]
pub enum ExprError {
    /// A gate still contains a virtual selector (keygen removes them; a raw `ConstraintSystem`
    /// from `configure` still has them).
    #[error("gate {gate} contains a virtual selector: compile the verifying key's constraint system")]
    Selector {
        /// Gate index.
        gate: usize,
    },
    /// A query that is not in the constraint system's query list.
    #[error("gate {gate} queries a {kind} column/rotation that the constraint system does not list")]
    UnknownQuery {
        /// Gate index.
        gate: usize,
        /// `fixed`, `advice` or `instance`.
        kind: &'static str,
    },
    /// More than 65,535 queries or challenges.
    #[error("too many {0} for a 16-bit operand")]
    TooMany(&'static str),
}

/// Compiles every gate polynomial of `cs` (in order) into one program.
pub fn compile_gates(cs: &ConstraintSystem<Fr>) -> Result<Vec<Op>, ExprError> {
    let mut ops = Vec::new();
    for (gate, g) in cs.gates().iter().enumerate() {
        for poly in g.polynomials() {
            emit(cs, gate, poly, &mut ops)?;
            ops.push(Op::Fold);
        }
    }
    Ok(ops)
}

fn index<C: halo2_axiom::plonk::ColumnType>(
    list: &[(halo2_axiom::plonk::Column<C>, Rotation)],
    column: usize,
    rotation: Rotation,
    gate: usize,
    kind: &'static str,
) -> Result<u16, ExprError> {
    let i = list
        .iter()
        .position(|(c, r)| c.index() == column && *r == rotation)
        .ok_or(ExprError::UnknownQuery { gate, kind })?;
    u16::try_from(i).map_err(|_| ExprError::TooMany("queries"))
}

/// Appends the postfix code of one expression (`gate` only labels errors).
pub fn emit(cs: &ConstraintSystem<Fr>, gate: usize, e: &Expression<Fr>, ops: &mut Vec<Op>) -> Result<(), ExprError> {
    match e {
        Expression::Constant(c) => ops.push(Op::Const(*c)),
        Expression::Selector(_) => return Err(ExprError::Selector { gate }),
        Expression::Fixed(q) => {
            ops.push(Op::Fixed(index(cs.fixed_queries(), q.column_index(), q.rotation(), gate, "fixed")?));
        }
        Expression::Advice(q) => {
            ops.push(Op::Advice(index(cs.advice_queries(), q.column_index(), q.rotation(), gate, "advice")?));
        }
        Expression::Instance(q) => {
            ops.push(Op::Instance(index(cs.instance_queries(), q.column_index(), q.rotation(), gate, "instance")?));
        }
        Expression::Challenge(c) => {
            ops.push(Op::Challenge(u16::try_from(c.index()).map_err(|_| ExprError::TooMany("challenges"))?))
        }
        Expression::Negated(a) => {
            emit(cs, gate, a, ops)?;
            ops.push(Op::Neg);
        }
        Expression::Sum(a, b) => {
            emit(cs, gate, a, ops)?;
            emit(cs, gate, b, ops)?;
            ops.push(Op::Add);
        }
        Expression::Product(a, b) => {
            emit(cs, gate, a, ops)?;
            emit(cs, gate, b, ops)?;
            ops.push(Op::Mul);
        }
        Expression::Scaled(a, c) => {
            emit(cs, gate, a, ops)?;
            ops.push(Op::Scale(*c));
        }
    }
    Ok(())
}

fn be(c: &Fr) -> [u8; 32] {
    let mut b = [0u8; 32];
    b.copy_from_slice(c.to_repr().as_ref());
    b.reverse();
    b
}

/// The byte encoding the Solidity interpreter reads.
pub fn encode(ops: &[Op]) -> Vec<u8> {
    let mut out = Vec::new();
    for op in ops {
        match op {
            Op::Const(c) => {
                out.push(0x00);
                out.extend_from_slice(&be(c));
            }
            Op::Fixed(q) => out.extend_from_slice(&[0x01, (q >> 8) as u8, *q as u8]),
            Op::Advice(q) => out.extend_from_slice(&[0x02, (q >> 8) as u8, *q as u8]),
            Op::Instance(q) => out.extend_from_slice(&[0x03, (q >> 8) as u8, *q as u8]),
            Op::Challenge(i) => out.extend_from_slice(&[0x04, (i >> 8) as u8, *i as u8]),
            Op::Eval(i) => out.extend_from_slice(&[0x0a, (i >> 8) as u8, *i as u8]),
            Op::Var(v) => out.extend_from_slice(&[0x0b, *v]),
            Op::Sub => out.push(0x0c),
            Op::Neg => out.push(0x05),
            Op::Add => out.push(0x06),
            Op::Mul => out.push(0x07),
            Op::Scale(c) => {
                out.push(0x08);
                out.extend_from_slice(&be(c));
            }
            Op::Fold => out.push(0x09),
        }
    }
    out
}

/// Values a program reads.
#[derive(Debug, Clone, Copy, Default)]
pub struct EvalInputs<'a> {
    /// Fixed query evaluations, in query order.
    pub fixed: &'a [Fr],
    /// Advice query evaluations, in query order.
    pub advice: &'a [Fr],
    /// Instance query evaluations, in query order.
    pub instance: &'a [Fr],
    /// Challenges.
    pub challenges: &'a [Fr],
    /// The proof's evaluations, in proof order.
    pub evals: &'a [Fr],
    /// `l_0(x)`, `l_last(x)`, `l_blind(x)`, `x`.
    pub vars: [Fr; 4],
    /// The vanishing argument's `y`.
    pub y: Fr,
}

/// Runs a program from `acc = 0`; `None` if it reads out of range or underflows its stack.
pub fn eval(ops: &[Op], inputs: &EvalInputs<'_>) -> Option<Fr> {
    let mut stack: Vec<Fr> = Vec::new();
    let mut acc = Fr::ZERO;
    let get = |list: &[Fr], i: u16| list.get(usize::from(i)).copied();
    for op in ops {
        match *op {
            Op::Const(c) => stack.push(c),
            Op::Fixed(q) => stack.push(get(inputs.fixed, q)?),
            Op::Advice(q) => stack.push(get(inputs.advice, q)?),
            Op::Instance(q) => stack.push(get(inputs.instance, q)?),
            Op::Challenge(i) => stack.push(get(inputs.challenges, i)?),
            Op::Eval(i) => stack.push(get(inputs.evals, i)?),
            Op::Var(v) => stack.push(*inputs.vars.get(usize::from(v))?),
            Op::Neg => {
                let a = stack.pop()?;
                stack.push(-a);
            }
            Op::Add | Op::Sub | Op::Mul => {
                let b = stack.pop()?;
                let a = stack.pop()?;
                stack.push(match op {
                    Op::Add => a + b,
                    Op::Sub => a - b,
                    _ => a * b,
                });
            }
            Op::Scale(c) => {
                let a = stack.pop()?;
                stack.push(a * c);
            }
            Op::Fold => acc = acc * inputs.y + stack.pop()?,
        }
    }
    Some(acc)
}
