//! Gate constraints as data: a postfix "bytecode" that the Solidity verifier interprets in a
//! loop, so the verifier's code does not grow with the number of gates or columns.
//!
//! Each gate polynomial compiles to a postfix program over a stack of field elements; after each
//! polynomial an [`Instr::Fold`] does `acc = acc · y + top` (halo2's vanishing-argument fold, in
//! the verifier's order). [`eval`] is the reference interpreter the Solidity one mirrors.
//!
//! [`fuse`] rewrites a program into fewer instructions for the EVM (every interpreted instruction
//! costs a dispatch): `a + (-b)` becomes `a - b`, `Scale(c)` a product with a constant, and a
//! sum, difference or product whose operand is a leaf (a push: constant, evaluation, challenge,
//! ...) becomes one [`Instr::Fused`] instruction that updates the top in place (commutative operands
//! are swapped to put the leaf on the right).
//!
//! Encoding ([`encode`]): every instruction is 3 bytes, an opcode and a big-endian 16-bit word
//! index into the verifier's *value table* ([`Layout`]: challenges, [`NUM_VARS`] computed values,
//! the quotient evaluation, instance evaluations, the proof's evaluations, then the program's
//! constants, which [`Encoded::constants`] lists). Opcodes: `0x00 PUSH i`, `0x01 ADD i`,
//! `0x02 SUB i` (top - v), `0x03 RSUB i` (v - top), `0x04 MUL i`, `0x05 ADD`, `0x06 SUB`,
//! `0x07 MUL` (pop two, push the result), `0x08 NEG`, `0x09 FOLD` (operand ignored).

use halo2_axiom::halo2curves::bn256::Fr;
use halo2_axiom::halo2curves::ff::Field;
use halo2_axiom::plonk::{ConstraintSystem, Expression};
use halo2_axiom::poly::Rotation;

/// One instruction of the constraint program.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Instr {
    /// Push the leaf's value.
    Push(Leaf),
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
    /// Replace the top `a` with `a ∘ v`, where `v` is the leaf's value ([`fuse`] emits these).
    Fused(Arith, Leaf),
}

/// The operation of an [`Instr::Fused`] instruction on the top `a` and the leaf's value `v`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Arith {
    /// `a + v`.
    Add,
    /// `a - v`.
    Sub,
    /// `v - a`.
    SubFrom,
    /// `a · v`.
    Mul,
}

/// An operand: a value the program reads ([`Instr::Push`], [`Instr::Fused`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Leaf {
    /// A constant.
    Const(Fr),
    /// The evaluation of fixed query `q`.
    Fixed(u16),
    /// The evaluation of advice query `q`.
    Advice(u16),
    /// The evaluation of instance query `q`.
    Instance(u16),
    /// Challenge `i` (the plan's challenge list: user challenges, then theta, beta, gamma, ...).
    Challenge(u16),
    /// Evaluation `i` of the proof, in proof order (advice, fixed, vanishing, permutation,
    /// lookups).
    Eval(u16),
    /// A value the verifier computes: 0 = `l_0(x)`, 1 = `l_last(x)`, 2 = `l_blind(x)`, 3 = `x`,
    /// 4 = `1 - (l_last(x) + l_blind(x))` (the rows where lookup and permutation constraints
    /// are active).
    Var(u8),
}

impl From<Leaf> for Instr {
    fn from(leaf: Leaf) -> Instr {
        Instr::Push(leaf)
    }
}

impl Leaf {
    fn value(self, inputs: &EvalInputs<'_>) -> Option<Fr> {
        let get = |list: &[Fr], i: u16| list.get(usize::from(i)).copied();
        match self {
            Leaf::Const(c) => Some(c),
            Leaf::Fixed(q) => get(inputs.fixed, q),
            Leaf::Advice(q) => get(inputs.advice, q),
            Leaf::Instance(q) => get(inputs.instance, q),
            Leaf::Challenge(i) => get(inputs.challenges, i),
            Leaf::Eval(i) => get(inputs.evals, i),
            Leaf::Var(v) => inputs.vars.get(usize::from(v)).copied(),
        }
    }
}

/// How many [`Leaf::Var`] values there are.
pub const NUM_VARS: usize = 5;

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
    /// Fixed and advice queries are relocated to proof evaluations before a program is encoded.
    #[error("a {0} query cannot be encoded: relocate it to a proof evaluation")]
    NotEncodable(&'static str),
}

/// Compiles every gate polynomial of `cs` (in order) into one program.
pub fn compile_gates(cs: &ConstraintSystem<Fr>) -> Result<Vec<Instr>, ExprError> {
    let mut ops = Vec::new();
    for (gate, g) in cs.gates().iter().enumerate() {
        for poly in g.polynomials() {
            emit(cs, gate, poly, &mut ops)?;
            ops.push(Instr::Fold);
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
pub fn emit(cs: &ConstraintSystem<Fr>, gate: usize, e: &Expression<Fr>, ops: &mut Vec<Instr>) -> Result<(), ExprError> {
    match e {
        Expression::Constant(c) => ops.push(Leaf::Const(*c).into()),
        Expression::Selector(_) => return Err(ExprError::Selector { gate }),
        Expression::Fixed(q) => {
            ops.push(Leaf::Fixed(index(cs.fixed_queries(), q.column_index(), q.rotation(), gate, "fixed")?).into());
        }
        Expression::Advice(q) => {
            ops.push(Leaf::Advice(index(cs.advice_queries(), q.column_index(), q.rotation(), gate, "advice")?).into());
        }
        Expression::Instance(q) => {
            ops.push(
                Leaf::Instance(index(cs.instance_queries(), q.column_index(), q.rotation(), gate, "instance")?).into(),
            );
        }
        Expression::Challenge(c) => {
            ops.push(Leaf::Challenge(u16::try_from(c.index()).map_err(|_| ExprError::TooMany("challenges"))?).into())
        }
        Expression::Negated(a) => {
            emit(cs, gate, a, ops)?;
            ops.push(Instr::Neg);
        }
        Expression::Sum(a, b) => {
            emit(cs, gate, a, ops)?;
            emit(cs, gate, b, ops)?;
            ops.push(Instr::Add);
        }
        Expression::Product(a, b) => {
            emit(cs, gate, a, ops)?;
            emit(cs, gate, b, ops)?;
            ops.push(Instr::Mul);
        }
        Expression::Scaled(a, c) => {
            emit(cs, gate, a, ops)?;
            ops.push(Instr::Scale(*c));
        }
    }
    Ok(())
}

/// Word indices of the regions of the Solidity verifier's value table, which the encoded
/// program's operands (and the blob's evaluation references) index: challenges from 0, then
/// `vars` ([`NUM_VARS`] words), `quotient` (the quotient evaluation, computed after the
/// program), `instances` (one per instance rotation), `evals` (the proof's evaluations),
/// `constants` (the program's constants, [`Encoded::constants`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Layout {
    /// First word of the [`Leaf::Var`] values.
    pub vars: usize,
    /// Word of the quotient evaluation.
    pub quotient: usize,
    /// First word of the instance evaluations.
    pub instances: usize,
    /// First word of the proof's evaluations.
    pub evals: usize,
    /// First word of the program's constants.
    pub constants: usize,
}

impl Layout {
    /// The layout for `challenges` challenges, `instance_rotations` instance queries and
    /// `evals` proof evaluations.
    pub fn new(challenges: usize, instance_rotations: usize, evals: usize) -> Self {
        let vars = challenges;
        let quotient = vars + NUM_VARS;
        let instances = quotient + 1;
        Layout {
            vars,
            quotient,
            instances,
            evals: instances + instance_rotations,
            constants: instances + instance_rotations + evals,
        }
    }
}

/// An encoded program: its code and the constants it reads (at [`Layout::constants`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Encoded {
    /// The instructions, 3 bytes each: an opcode and a big-endian 16-bit word index.
    pub code: Vec<u8>,
    /// The distinct constants the code reads, in first-use order.
    pub constants: Vec<Fr>,
}

/// Opcodes of the encoding (see the module docs).
pub mod opcode {
    /// Push word `i` of the value table.
    pub const PUSH: u8 = 0x00;
    /// Replace the top `a` with `a + v`, where `v` is word `i` of the value table.
    pub const ADD_V: u8 = 0x01;
    /// Replace the top `a` with `a - v`.
    pub const SUB_V: u8 = 0x02;
    /// Replace the top `a` with `v - a`.
    pub const RSUB_V: u8 = 0x03;
    /// Replace the top `a` with `a · v`.
    pub const MUL_V: u8 = 0x04;
    /// Pop two, push their sum.
    pub const ADD: u8 = 0x05;
    /// Pop `b`, pop `a`, push `a - b`.
    pub const SUB: u8 = 0x06;
    /// Pop two, push their product.
    pub const MUL: u8 = 0x07;
    /// Negate the top.
    pub const NEG: u8 = 0x08;
    /// Pop `v`; `acc = acc · y + v` (operand ignored).
    pub const FOLD: u8 = 0x09;
}

/// The byte encoding the Solidity interpreter reads (3 bytes per instruction; constants are
/// deduplicated into [`Encoded::constants`]).
pub fn encode(ops: &[Instr], layout: &Layout) -> Result<Encoded, ExprError> {
    let mut code = Vec::with_capacity(3 * ops.len());
    let mut constants: Vec<Fr> = Vec::new();
    let mut slot = |leaf: Leaf| -> Result<u16, ExprError> {
        let word = match leaf {
            Leaf::Const(c) => {
                let i = constants.iter().position(|k| *k == c).unwrap_or_else(|| {
                    constants.push(c);
                    constants.len() - 1
                });
                layout.constants + i
            }
            Leaf::Fixed(_) => return Err(ExprError::NotEncodable("fixed")),
            Leaf::Advice(_) => return Err(ExprError::NotEncodable("advice")),
            Leaf::Instance(q) => layout.instances + usize::from(q),
            Leaf::Challenge(i) => usize::from(i),
            Leaf::Eval(i) => layout.evals + usize::from(i),
            Leaf::Var(v) => layout.vars + usize::from(v),
        };
        u16::try_from(word).map_err(|_| ExprError::TooMany("value table words"))
    };
    for op in ops {
        let (code_byte, operand) = match *op {
            Instr::Sub => (opcode::SUB, 0),
            Instr::Neg => (opcode::NEG, 0),
            Instr::Add => (opcode::ADD, 0),
            Instr::Mul => (opcode::MUL, 0),
            Instr::Fold => (opcode::FOLD, 0),
            Instr::Scale(c) => (opcode::MUL_V, slot(Leaf::Const(c))?),
            Instr::Fused(a, leaf) => {
                let code_byte = match a {
                    Arith::Add => opcode::ADD_V,
                    Arith::Sub => opcode::SUB_V,
                    Arith::SubFrom => opcode::RSUB_V,
                    Arith::Mul => opcode::MUL_V,
                };
                (code_byte, slot(leaf)?)
            }
            Instr::Push(leaf) => (opcode::PUSH, slot(leaf)?),
        };
        code.push(code_byte);
        code.extend_from_slice(&operand.to_be_bytes());
    }
    Ok(Encoded { code, constants })
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
    /// The [`Leaf::Var`] values: `l_0(x)`, `l_last(x)`, `l_blind(x)`, `x`,
    /// `1 - (l_last(x) + l_blind(x))`.
    pub vars: [Fr; NUM_VARS],
    /// The vanishing argument's `y`.
    pub y: Fr,
}

/// Runs a program from `acc = 0`; `None` if it reads out of range or underflows its stack.
pub fn eval(ops: &[Instr], inputs: &EvalInputs<'_>) -> Option<Fr> {
    let mut stack: Vec<Fr> = Vec::new();
    let mut acc = Fr::ZERO;
    for op in ops {
        match *op {
            Instr::Neg => {
                let a = stack.pop()?;
                stack.push(-a);
            }
            Instr::Add | Instr::Sub | Instr::Mul => {
                let b = stack.pop()?;
                let a = stack.pop()?;
                stack.push(match op {
                    Instr::Add => a + b,
                    Instr::Sub => a - b,
                    _ => a * b,
                });
            }
            Instr::Scale(c) => {
                let a = stack.pop()?;
                stack.push(a * c);
            }
            Instr::Fold => acc = acc * inputs.y + stack.pop()?,
            Instr::Fused(arith, leaf) => {
                let v = leaf.value(inputs)?;
                let a = stack.pop()?;
                stack.push(match arith {
                    Arith::Add => a + v,
                    Arith::Sub => a - v,
                    Arith::SubFrom => v - a,
                    Arith::Mul => a * v,
                });
            }
            Instr::Push(leaf) => stack.push(leaf.value(inputs)?),
        }
    }
    Some(acc)
}

/// An expression tree node of [`fuse`].
#[derive(Debug, Clone, Copy)]
enum Node {
    Leaf(Leaf),
    Neg(usize),
    Add(usize, usize),
    Sub(usize, usize),
    Mul(usize, usize),
}

/// Rewrites `ops` into an equivalent program (the same value for every input) with fewer
/// instructions, as the module docs describe. Programs where a [`Instr::Fold`] does not empty the
/// stack (never built by this crate) or that underflow are returned unchanged.
pub fn fuse(ops: &[Instr]) -> Vec<Instr> {
    fuse_trees(ops).unwrap_or_else(|| ops.to_vec())
}

fn fuse_trees(ops: &[Instr]) -> Option<Vec<Instr>> {
    let mut nodes: Vec<Node> = Vec::new();
    let mut stack: Vec<usize> = Vec::new();
    let mut out = Vec::with_capacity(ops.len());
    let push = |nodes: &mut Vec<Node>, n: Node| {
        nodes.push(n);
        nodes.len() - 1
    };
    for op in ops {
        let node = match *op {
            Instr::Neg => Node::Neg(stack.pop()?),
            Instr::Add | Instr::Sub | Instr::Mul => {
                let b = stack.pop()?;
                let a = stack.pop()?;
                match op {
                    Instr::Add => Node::Add(a, b),
                    Instr::Sub => Node::Sub(a, b),
                    _ => Node::Mul(a, b),
                }
            }
            Instr::Scale(c) => {
                let a = stack.pop()?;
                let c = push(&mut nodes, Node::Leaf(Leaf::Const(c)));
                Node::Mul(a, c)
            }
            Instr::Fused(arith, leaf) => {
                let a = stack.pop()?;
                let v = push(&mut nodes, Node::Leaf(leaf));
                match arith {
                    Arith::Add => Node::Add(a, v),
                    Arith::Sub => Node::Sub(a, v),
                    Arith::SubFrom => Node::Sub(v, a),
                    Arith::Mul => Node::Mul(a, v),
                }
            }
            Instr::Fold => {
                let root = stack.pop()?;
                if !stack.is_empty() {
                    return None;
                }
                emit_node(&nodes, root, &mut out);
                out.push(Instr::Fold);
                continue;
            }
            Instr::Push(leaf) => Node::Leaf(leaf),
        };
        let id = push(&mut nodes, node);
        stack.push(id);
    }
    stack.is_empty().then_some(out)
}

/// `n` without a negation on top: `(inner, negated)`.
fn strip_neg(nodes: &[Node], n: usize) -> (usize, bool) {
    match nodes[n] {
        Node::Neg(a) => {
            let (inner, neg) = strip_neg(nodes, a);
            (inner, !neg)
        }
        _ => (n, false),
    }
}

fn emit_node(nodes: &[Node], n: usize, out: &mut Vec<Instr>) {
    let leaf = |i: usize| match nodes[i] {
        Node::Leaf(l) => Some(l),
        _ => None,
    };
    match nodes[n] {
        Node::Leaf(l) => out.push(Instr::Push(l)),
        Node::Neg(a) => {
            let (inner, neg) = strip_neg(nodes, a);
            emit_node(nodes, inner, out);
            if !neg {
                out.push(Instr::Neg);
            }
        }
        Node::Add(a, b) => {
            // a + (-b) = a - b; (-a) + b = b - a.
            let ((ia, na), (ib, nb)) = (strip_neg(nodes, a), strip_neg(nodes, b));
            match (na, nb) {
                (false, true) => emit_sub(nodes, a, ib, out),
                (true, false) => emit_sub(nodes, b, ia, out),
                _ => emit_commutative(nodes, a, b, Arith::Add, leaf, out),
            }
        }
        Node::Sub(a, b) => {
            // a - (-b) = a + b.
            let (ib, nb) = strip_neg(nodes, b);
            if nb {
                emit_commutative(nodes, a, ib, Arith::Add, leaf, out);
            } else {
                emit_sub(nodes, a, b, out);
            }
        }
        Node::Mul(a, b) => emit_commutative(nodes, a, b, Arith::Mul, leaf, out),
    }
}

fn emit_commutative(
    nodes: &[Node],
    a: usize,
    b: usize,
    arith: Arith,
    leaf: impl Fn(usize) -> Option<Leaf>,
    out: &mut Vec<Instr>,
) {
    let (first, second) = if leaf(b).is_none() && leaf(a).is_some() { (b, a) } else { (a, b) };
    emit_node(nodes, first, out);
    match leaf(second) {
        Some(l) => out.push(Instr::Fused(arith, l)),
        None => {
            emit_node(nodes, second, out);
            out.push(if arith == Arith::Add { Instr::Add } else { Instr::Mul });
        }
    }
}

fn emit_sub(nodes: &[Node], a: usize, b: usize, out: &mut Vec<Instr>) {
    let leaf = |i: usize| match nodes[i] {
        Node::Leaf(l) => Some(l),
        _ => None,
    };
    match (leaf(a), leaf(b)) {
        (_, Some(lb)) => {
            emit_node(nodes, a, out);
            out.push(Instr::Fused(Arith::Sub, lb));
        }
        (Some(la), None) => {
            emit_node(nodes, b, out);
            out.push(Instr::Fused(Arith::SubFrom, la));
        }
        (None, None) => {
            emit_node(nodes, a, out);
            emit_node(nodes, b, out);
            out.push(Instr::Sub);
        }
    }
}
