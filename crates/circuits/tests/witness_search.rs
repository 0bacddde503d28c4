//! The soundness harness: for every chip, gadget and lowering, a small graph is laid out with
//! limbs of 2, 3 and 4 bits, side by side and stacked, and
//! [`zkinfer_circuits::witness_search::search`] enumerates every other assignment of its cells
//! (see that module: integers around the honest values, their negatives, fractions `v·2^-j`
//! and `v·3^-1`, and over the whole field wherever a constraint determines a cell). Each search
//! must find no accepted assignment but the honest one; with a free input element, none but the
//! honest witness of the input value it holds.
//!
//! A chip or lowering joins the harness with one line in `cases!` below. Run with
//! `--nocapture` for the coverage table (one line per case and parameter set).
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[path = "witness_search/built.rs"]
mod built;
mod common;
#[path = "witness_search/convs.rs"]
mod convs;
#[path = "witness_search/graphs.rs"]
mod graphs;

use std::sync::Arc;
use std::time::Instant;

use common::*;
use graphs::{lookup, *};
use zkinfer_circuits::witness_search::{r1cs, search, SearchOptions, SearchReport};
use zkinfer_circuits::{plan_circuit, PlanOptions};
use zkinfer_graph::ParamVisibility as P;
use zkinfer_graph::{calibrate, quantize, QGraph, QOp, QuantConfig, TableFn, Visibility::*};
use zkinfer_onnx::testing::{
    float_attr, float_info, float_tensor, int8_tensor, int_attr, ints_attr, model_bytes, node, string_attr, values,
};

/// Limb sizes every case is laid out with.
const LIMB_BITS: [u32; 3] = [2, 3, 4];
/// How a case is laid out and searched besides the defaults.
#[derive(Default, Clone, Copy)]
struct Knobs {
    /// Force this dot block (inputs, outputs).
    dot: Option<(usize, usize)>,
    /// Also search with each of the first `free` input elements free (one search each).
    free: usize,
    /// Lay out only with these limb bits and stacking (a chip the limb layout does not touch,
    /// whose search is slow).
    only: Option<(u32, bool)>,
}

/// Lays `q` out with every limb size and stacking, searches each layout on `input` (and with
/// input elements free, as `knobs` says), and fails on anything but the honest witness.
fn check(name: &str, q: QGraph, input: Vec<i64>, knobs: Knobs) {
    let force_dot = knobs.dot;
    let w = Arc::new(q.eval(input).expect("eval"));
    let q = Arc::new(q);
    let mut lines = Vec::new();
    for b in LIMB_BITS {
        for stacked in [false, true] {
            if knobs.only.is_some_and(|o| o != (b, stacked)) {
                continue;
            }
            let opts = PlanOptions {
                min_limb_bits: b,
                max_limb_bits: b,
                stacked_limbs: Some(stacked),
                // Both Poseidon layouts, without doubling the searches: single partial rounds
                // beside limbs side by side, paired ones beside stacked limbs.
                poseidon_pairs: Some(stacked),
                force_dot,
                ..PlanOptions::default()
            };
            let p = plan_circuit(&q, &opts).expect("plan");
            let frees = (0..knobs.free.min(q.tensors[q.inputs[0].tensor].len())).map(Some);
            for free_input in std::iter::once(None).chain(frees) {
                let t = Instant::now();
                let so = SearchOptions { free_input, ..SearchOptions::default() };
                let r = search(q.clone(), p.clone(), w.clone(), &so).expect("search");
                let what = format!("{name}: b={b} stacked={stacked} free_input={free_input:?} k={}", p.k);
                lines.push(verdict(&what, &r, t));
            }
        }
    }
    eprintln!("{}", lines.join("\n"));
}

/// Searches the Groth16 back end's rows for `q` on `input`, and with each of the first
/// `knobs.free` input elements free, and fails on anything but the honest witness (the layout
/// knobs are Halo2's: R1CS has no layout).
fn check_r1cs(name: &str, q: QGraph, input: Vec<i64>, knobs: Knobs) {
    let w = q.eval(input).expect("eval");
    let frees = (0..knobs.free.min(q.tensors[q.inputs[0].tensor].len())).map(Some);
    for free_input in std::iter::once(None).chain(frees) {
        let t = Instant::now();
        let so = SearchOptions { free_input, ..SearchOptions::default() };
        let r = r1cs::search(&q, &w, &so).expect("search");
        eprintln!("{}", verdict(&format!("{name} (r1cs): free_input={free_input:?}"), &r, t));
    }
}

/// Fails unless `r` is sound; else its coverage line.
fn verdict(what: &str, r: &SearchReport, started: Instant) -> String {
    assert!(r.is_sound(), "{what}: {}", describe(r));
    format!(
        "{what}: {} variables, {} constraints, {} nodes, {} candidates, {} solved, {:.0?}",
        r.variables,
        r.constraints,
        r.counts.nodes,
        r.counts.candidates_tried,
        r.counts.solved_tried,
        started.elapsed()
    )
}

fn describe(r: &SearchReport) -> String {
    let mut s = format!(
        "complete {}, {} other witnesses, unconstrained {:?}",
        r.counts.complete, r.findings_total, r.unconstrained
    );
    for f in &r.findings {
        s.push_str("\n  accepted:");
        for c in &f.cells {
            s.push_str(&format!(" {:?} {:?} -> {:?};", c.cell, c.expected, c.found));
        }
    }
    s
}

macro_rules! cases {
    ($check:ident: $($name:ident => $build:expr $(, $knob:ident = $value:expr)*;)*) => {
        $(
            #[test]
            fn $name() {
                let (q, x) = $build;
                #[allow(unused_mut)]
                let mut knobs = Knobs::default();
                $(knobs.$knob = $value;)*
                $check(stringify!($name), q, x, knobs);
            }
        )*
    };
}

// One line per chip, gadget or lowering.
cases! {
    check:
    input_range_check => input_check(), free = 4;
    rescale_by_0 => rescale(0, false);
    rescale_by_1_relu => rescale(1, true);
    rescale_by_3 => rescale(3, false);
    rescale_by_5_relu => rescale(5, true);
    rescale_by_8 => rescale(8, false);
    dot_block_2x2 => rescale(2, true), dot = Some((2, 2));
    dot_private_weights => private_weights();
    instance_wiring => public_io(), free = 2;
    poseidon_hashed_io => hashed_io(), free = 1;
    poseidon_hashed_params => hashed_params();
    poseidon_salted_params => salted_params(), only = Some((3, false));
    product_chip => product();
    div => division();
    lookup_table => lookup();
    lookup_interpolated => activation("Tanh");
    softsign => activation("Softsign");
    selu => activation("Selu");
    mish => activation("Mish");
    trig_sin => activation("Sin");
    trig_asin_on_its_domain => activation("Asin");
    max_tree => max_pool();
    argmax => arg_max();
    softmax_pieces => softmax();
    masked_softmax_pieces => masked_softmax();
    computed_mask_softmax_pieces => computed_mask_softmax(), free = 1, only = Some((3, false));
    saturated_tanh_clamp => saturated_tanh();
    trilu_zeroes => trilu();
    embedding_lookup => embedding(), free = 2;
    boolean_input_check => boolean_input(), free = 2;
    layer_norm_pieces => layer_norm();
    rms_norm_pieces => rms_norm();
    instance_norm_pieces => instance_norm();
    matmul_batched_constant => batched_matmul();
    attention_op_body => attention_op();
    einsum_pieces => einsum();
    cross_entropy_pieces => cross_entropy();
    conv_transpose_taps => conv_transpose();
    conv_1d_batch_of_two => conv_1d_batch();
    cumsum_prefixes => cumsum();
    resize_weights => resize();
    floor_mod_by_constants => integer_division(Box::new(zkinfer_graph::ops::Mod { fmod: false }));
    trunc_div_by_constants => integer_division(Box::new(zkinfer_graph::ops::IntDiv));
    cast_to_int4_wraps => cast_to_int4();
    floor_of_computed => rounding("Floor");
    ceil_of_computed => rounding("Ceil");
    round_half_even => rounding("Round");
    bit_shift_left_wraps => bit_shift(true);
    bit_shift_right => bit_shift(false);
    hardmax_one_hot => lowered("Hardmax", &[1, 4], &[1, 4], vec![]);
    pow_by_a_tensor => lowered_with(vec![node("Pow", &["x", "e"], "y", vec![])], vec![float_tensor("e", &[2], vec![2.0, 3.0])], &[1, 2], &[1, 2]);
    legacy_axis_broadcast => legacy_broadcast();
    cumprod_exclusive_reversed => lowered_at(26, vec![node("CumProd", &["x", "a"], "y", vec![int_attr("exclusive", 1), int_attr("reverse", 1)])], vec![float_tensor("a", &[], vec![1.0])], &[1, 3], &[1, 3]);
    lp_pool_norms => lowered("LpPool", &[1, 1, 2, 2], &[1, 1, 1, 1], vec![ints_attr("kernel_shape", &[2, 2])]);
    rotary_embedding => rotary();
    quantize_linear => graphs::quantize_linear(false);
    dequantize_linear => graphs::quantize_linear(true);
    scatter_elements_max => scatter_max();
    shrink_bits => lowered("Shrink", &[1, 3], &[1, 3], vec![float_attr("lambd", 0.25), float_attr("bias", 0.125)]);
    reduce_prod_tree => lowered_at(13, vec![node("ReduceProd", &["x"], "y", vec![ints_attr("axes", &[1])])], vec![], &[1, 3], &[1, 1]);
    sign_bits => lowered_at(13, vec![node("Sign", &["x"], "y", vec![])], vec![], &[1, 3], &[1, 3]), free = 1;
    compare_and_where => compare_where(), free = 1;
    logical_connectives => logical(), free = 1;
    top_k_ranks => graphs::top_k();
    one_hot_equalities => graphs::one_hot();
    thresholded_relu => lowered_at(10, vec![node("ThresholdedRelu", &["x"], "y", vec![float_attr("alpha", 0.25)])], vec![], &[1, 3], &[1, 3]);
    swish_sigmoid_product => lowered_at(24, vec![node("Swish", &["x"], "y", vec![])], vec![], &[1, 3], &[1, 3]);
    lrn_band => lowered("LRN", &[1, 3, 1], &[1, 3, 1], vec![int_attr("size", 3)]);
    group_norm_pieces => graphs::group_norm();
    dft_matrix => graphs::dft();
    center_crop_pad_mask => graphs::center_crop_pad();
    celu_scaled_elu => lowered_at(12, vec![node("Celu", &["x"], "y", vec![float_attr("alpha", 2.0)])], vec![], &[1, 3], &[1, 3]);
    matmul_integer_zero_points => lowered_at(10, vec![node("MatMulInteger", &["x", "b", "az"], "y", vec![])], vec![float_tensor("b", &[3, 1], vec![2.0, -1.0, 3.0]), float_tensor("az", &[], vec![1.0])], &[1, 3], &[1, 1]);
    linear_attention_steps => graphs::linear_attention();
    scan_unrolled => graphs::scan_sum();
    causal_conv_with_state_taps => graphs::causal_conv();
    gru_unrolled => graphs::recurrent("GRU");
    lstm_unrolled => graphs::recurrent("LSTM");
    grid_sample_weights => graphs::grid_sample();
    affine_grid_coordinates => graphs::affine_grid();
    qlinear_matmul_requantized => graphs::qlinear_matmul();
    bitwise_xor_bits => graphs::bitwise_xor(), only = Some((3, false));
    conv_3d_folded => convs::conv_3d();
    conv_integer_zero_points => convs::conv_integer();
    qlinear_conv_requantized => convs::qlinear_conv();
    average_pool_ceil_mode => convs::average_pool_ceil();
    det_leibniz => built::det();
    mean_variance_norm => built::mean_variance_norm();
    batch_norm_training_stats => built::batch_norm_training();
    upsample_nearest => built::upsample();
    tfidf_ngram_counts => built::tfidf();
    loop_unrolled => built::loop_sum();
    einsum_diagonal => built::einsum_diagonal();
    tree_ensemble_paths => built::tree_ensemble();
    quantize_by_computed_scale => built::quantize_by_computed_scale(), only = Some((4, false));
}

// The Groth16 back end's gadgets, on the same graphs: one line per gadget or lowering it proves.
cases! {
    check_r1cs:
    r1cs_input_range_check => input_check(), free = 4;
    r1cs_rescale_by_0 => rescale(0, false);
    r1cs_rescale_by_1_relu => rescale(1, true);
    r1cs_rescale_by_3 => rescale(3, false);
    r1cs_rescale_by_5_relu => rescale(5, true);
    r1cs_rescale_by_8 => rescale(8, false);
    r1cs_instance_wiring => public_io(), free = 2;
    r1cs_poseidon_hashed_io => hashed_io(), free = 1;
    r1cs_private_weights => private_weights();
    r1cs_poseidon_hashed_params => hashed_params();
    r1cs_poseidon_salted_params => salted_params();
    r1cs_product => product();
    r1cs_div => division();
    r1cs_lookup_table => lookup(), free = 2;
    r1cs_lookup_interpolated => activation("Tanh");
    r1cs_softsign => activation("Softsign");
    r1cs_trig_asin_on_its_domain => activation("Asin");
    r1cs_max_tree => max_pool();
    r1cs_argmax => arg_max();
    r1cs_softmax_pieces => softmax();
    r1cs_masked_softmax_pieces => masked_softmax();
    r1cs_computed_mask_softmax_pieces => computed_mask_softmax(), free = 1;
    r1cs_saturated_tanh_clamp => saturated_tanh();
    r1cs_trilu_zeroes => trilu();
    r1cs_embedding_lookup => embedding(), free = 2;
    r1cs_boolean_input_check => boolean_input(), free = 2;
    r1cs_layer_norm_pieces => layer_norm();
    r1cs_rms_norm_pieces => rms_norm();
    r1cs_instance_norm_pieces => instance_norm();
    r1cs_matmul_batched_constant => batched_matmul();
    r1cs_attention_op_body => attention_op();
    r1cs_einsum_pieces => einsum();
    r1cs_cross_entropy_pieces => cross_entropy();
    r1cs_conv_transpose_taps => conv_transpose();
    r1cs_conv_1d_batch_of_two => conv_1d_batch();
    r1cs_cumsum_prefixes => cumsum();
    r1cs_resize_weights => resize();
    r1cs_floor_mod_by_constants => integer_division(Box::new(zkinfer_graph::ops::Mod { fmod: false }));
    r1cs_trunc_div_by_constants => integer_division(Box::new(zkinfer_graph::ops::IntDiv));
    r1cs_cast_to_int4_wraps => cast_to_int4();
    r1cs_floor_of_computed => rounding("Floor");
    r1cs_ceil_of_computed => rounding("Ceil");
    r1cs_round_half_even => rounding("Round");
    r1cs_bit_shift_left_wraps => bit_shift(true);
    r1cs_bit_shift_right => bit_shift(false);
    r1cs_hardmax_one_hot => lowered("Hardmax", &[1, 4], &[1, 4], vec![]);
    r1cs_pow_by_a_tensor => lowered_with(vec![node("Pow", &["x", "e"], "y", vec![])], vec![float_tensor("e", &[2], vec![2.0, 3.0])], &[1, 2], &[1, 2]);
    r1cs_legacy_axis_broadcast => legacy_broadcast();
    r1cs_cumprod_exclusive_reversed => lowered_at(26, vec![node("CumProd", &["x", "a"], "y", vec![int_attr("exclusive", 1), int_attr("reverse", 1)])], vec![float_tensor("a", &[], vec![1.0])], &[1, 3], &[1, 3]);
    r1cs_lp_pool_norms => lowered("LpPool", &[1, 1, 2, 2], &[1, 1, 1, 1], vec![ints_attr("kernel_shape", &[2, 2])]);
    r1cs_rotary_embedding => rotary();
    r1cs_quantize_linear => graphs::quantize_linear(false);
    r1cs_dequantize_linear => graphs::quantize_linear(true);
    r1cs_scatter_elements_max => scatter_max();
    r1cs_shrink_bits => lowered("Shrink", &[1, 3], &[1, 3], vec![float_attr("lambd", 0.25), float_attr("bias", 0.125)]);
    r1cs_reduce_prod_tree => lowered_at(13, vec![node("ReduceProd", &["x"], "y", vec![ints_attr("axes", &[1])])], vec![], &[1, 3], &[1, 1]);
    r1cs_sign_bits => lowered_at(13, vec![node("Sign", &["x"], "y", vec![])], vec![], &[1, 3], &[1, 3]), free = 1;
    r1cs_compare_and_where => compare_where(), free = 1;
    r1cs_logical_connectives => logical(), free = 1;
    r1cs_top_k_ranks => graphs::top_k();
    r1cs_one_hot_equalities => graphs::one_hot();
    r1cs_thresholded_relu => lowered_at(10, vec![node("ThresholdedRelu", &["x"], "y", vec![float_attr("alpha", 0.25)])], vec![], &[1, 3], &[1, 3]);
    r1cs_swish_sigmoid_product => lowered_at(24, vec![node("Swish", &["x"], "y", vec![])], vec![], &[1, 3], &[1, 3]);
    r1cs_lrn_band => lowered("LRN", &[1, 3, 1], &[1, 3, 1], vec![int_attr("size", 3)]);
    r1cs_group_norm_pieces => graphs::group_norm();
    r1cs_dft_matrix => graphs::dft();
    r1cs_center_crop_pad_mask => graphs::center_crop_pad();
    r1cs_celu_scaled_elu => lowered_at(12, vec![node("Celu", &["x"], "y", vec![float_attr("alpha", 2.0)])], vec![], &[1, 3], &[1, 3]);
    r1cs_matmul_integer_zero_points => lowered_at(10, vec![node("MatMulInteger", &["x", "b", "az"], "y", vec![])], vec![float_tensor("b", &[3, 1], vec![2.0, -1.0, 3.0]), float_tensor("az", &[], vec![1.0])], &[1, 3], &[1, 1]);
    r1cs_linear_attention_steps => graphs::linear_attention();
    r1cs_scan_unrolled => graphs::scan_sum();
    r1cs_causal_conv_with_state_taps => graphs::causal_conv();
    r1cs_gru_unrolled => graphs::recurrent("GRU");
    r1cs_lstm_unrolled => graphs::recurrent("LSTM");
    r1cs_grid_sample_weights => graphs::grid_sample();
    r1cs_affine_grid_coordinates => graphs::affine_grid();
    r1cs_qlinear_matmul_requantized => graphs::qlinear_matmul();
    r1cs_bitwise_xor_bits => graphs::bitwise_xor();
    r1cs_conv_3d_folded => convs::conv_3d();
    r1cs_conv_integer_zero_points => convs::conv_integer();
    r1cs_qlinear_conv_requantized => convs::qlinear_conv();
    r1cs_average_pool_ceil_mode => convs::average_pool_ceil();
    r1cs_det_leibniz => built::det();
    r1cs_mean_variance_norm => built::mean_variance_norm();
    r1cs_batch_norm_training_stats => built::batch_norm_training();
    r1cs_upsample_nearest => built::upsample();
    r1cs_tfidf_ngram_counts => built::tfidf();
    r1cs_dynamic_quantize_linear => built::dynamic_quantize_linear();
    r1cs_quantize_by_computed_scale => built::quantize_by_computed_scale();
    r1cs_loop_unrolled => built::loop_sum();
    r1cs_einsum_diagonal => built::einsum_diagonal();
    r1cs_flex_attention_score_mod => built::flex_attention();
    r1cs_tree_ensemble_paths => built::tree_ensemble();
}
