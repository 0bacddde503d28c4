//! One file per op: shape inference, f32 evaluation and lowering to integer primitives.
