//! `TfIdfVectorizer` over integer tokens (`pool_int64s`), built at import from equality bits.
//!
//! For every token value in the pool, `Equal(X, v)` gives one bit per position. An n-gram
//! `(g_0, …, g_{n−1})` at skip distance `d` occurs at start `i` when
//! `Π_k [X[i + k·d] = g_k] = 1`: constant-index Gathers of the bits along the last axis and
//! their products, summed over the starts (a ReduceSum) and over the distances
//! `1..=max_skip_count + 1` (unigrams once), as onnx's reference counts. Each count lands at its
//! `ngram_indexes` position (a Concat, zeros where no n-gram maps); `IDF` and `TFIDF` weigh the
//! count's nonzero bit or the count by `weights` (constants). String pools are refused: the
//! circuit holds numbers.

use zkinfer_graph::ops::{Compare, Comparison, Concat, Gather, Mul, Reduce, ReduceKind};
use zkinfer_graph::Tensor;

use crate::registry::{scalar, Built, NodeCx, Src, Steps};
use crate::rewire::built_len;
use crate::ImportError;

/// The builder (module docs).
pub(crate) fn tfidf_vectorizer(cx: &NodeCx) -> Result<Built, ImportError> {
    let a = &cx.attrs;
    if a.strings("pool_strings")?.is_some() {
        return Err(a.error("pool_strings", "string tokens are not supported (integer pools only)"));
    }
    let pool = a.ints("pool_int64s")?.ok_or_else(|| a.error("pool_int64s", "is required"))?;
    let positive = |name: &str| -> Result<usize, ImportError> {
        let v = a.int(name)?.ok_or_else(|| a.error(name, "is required"))?;
        usize::try_from(v).ok().filter(|&v| v > 0).ok_or_else(|| a.error(name, format!("{v} must be positive")))
    };
    let (min_n, max_n) = (positive("min_gram_length")?, positive("max_gram_length")?);
    let max_skip = a.int("max_skip_count")?.unwrap_or(0);
    let max_skip = usize::try_from(max_skip).map_err(|_| a.error("max_skip_count", "must not be negative"))?;
    let mode = a.string("mode")?.ok_or_else(|| a.error("mode", "is required"))?;
    let counts = a.ints("ngram_counts")?.ok_or_else(|| a.error("ngram_counts", "is required"))?;
    let indexes = a.ints("ngram_indexes")?.ok_or_else(|| a.error("ngram_indexes", "is required"))?;
    let weights = a.floats("weights")?;
    if min_n > max_n {
        return Err(a.error("min_gram_length", format!("{min_n} is more than max_gram_length {max_n}")));
    }
    // The n-grams of the pool in order: those of length k+1 start at counts[k].
    let mut grams: Vec<&[i64]> = Vec::new();
    for (k, &start) in counts.iter().enumerate() {
        let end = counts.get(k + 1).copied().unwrap_or(pool.len() as i64);
        let bad = || a.error("ngram_counts", format!("{counts:?} does not split a pool of {}", pool.len()));
        let (start, end) = (usize::try_from(start).map_err(|_| bad())?, usize::try_from(end).map_err(|_| bad())?);
        if start > end || end > pool.len() || (end - start) % (k + 1) != 0 {
            return Err(bad());
        }
        grams.extend(pool[start..end].chunks(k + 1));
    }
    if grams.len() != indexes.len() {
        return Err(a.error("ngram_indexes", format!("has {} entries for {} n-grams", indexes.len(), grams.len())));
    }
    let width = indexes.iter().map(|&i| i + 1).max().unwrap_or(0);
    let width = usize::try_from(width)
        .ok()
        .filter(|&w| w > 0)
        .ok_or_else(|| a.error("ngram_indexes", "must not be negative or empty"))?;
    let x = cx.shapes.first().cloned().unwrap_or_default();
    let (rows, c) = match x[..] {
        [c] => (None, c),
        [b, c] => (Some(b), c),
        _ => return Err(a.node_error(format!("input {x:?}: expected [C] or [B, C]"))),
    };
    built_len(cx, &[rows.unwrap_or(1), width], "the output")?;
    let mut steps = Steps::default();
    // One equality bit per position and pool token.
    let mut bits: Vec<(i64, Src)> = Vec::new();
    for &v in &pool {
        if bits.iter().all(|(t, _)| *t != v) {
            let bit = steps.push(Compare { kind: Comparison::Equal }, vec![Src::Input(0), scalar(v as f32)]);
            bits.push((v, bit));
        }
    }
    let bit = |v: i64| bits.iter().find(|(t, _)| *t == v).map(|(_, b)| b.clone()).unwrap_or_else(|| scalar(0.0));
    let axis = x.len() as i64 - 1;
    let sum = || Reduce { kind: ReduceKind::Sum, axes: Some(vec![axis]), keepdims: true, noop_with_empty_axes: false };
    let mut column: Vec<Option<Src>> = vec![None; width];
    for (gram, &at) in grams.iter().zip(&indexes) {
        let n = gram.len();
        if n < min_n || n > max_n {
            continue;
        }
        let distances = if n == 1 { 1 } else { max_skip + 1 };
        let mut count: Option<Src> = None;
        for d in 1..=distances {
            let Some(starts) = c.checked_sub((n - 1) * d).filter(|&s| s > 0) else { continue };
            let mut product: Option<Src> = None;
            for (k, &token) in gram.iter().enumerate() {
                let at: Vec<f32> = (0..starts).map(|i| (i + k * d) as f32).collect();
                let at = Tensor::from_shape_vec(vec![starts], at).map_err(|e| a.node_error(e.to_string()))?;
                let picked = steps.push(Gather { axis }, vec![bit(token), Src::Const(at)]);
                product = Some(match product {
                    None => picked,
                    Some(p) => steps.push(Mul, vec![p, picked]),
                });
            }
            let Some(product) = product else { continue };
            let here = steps.push(sum(), vec![product]);
            count = Some(match count {
                None => here,
                Some(prev) => steps.push(zkinfer_graph::ops::Add, vec![prev, here]),
            });
        }
        let slot = usize::try_from(at).map_err(|_| a.error("ngram_indexes", format!("{at} is negative")))?;
        column[slot] = count;
    }
    let zero_shape = match rows {
        Some(b) => vec![b, 1],
        None => vec![1],
    };
    let parts: Vec<Src> = column
        .into_iter()
        .map(|c| c.unwrap_or_else(|| Src::Const(Tensor::from_elem(zero_shape.clone(), 0.0))))
        .collect();
    let mut out = if parts.len() == 1 { parts[0].clone() } else { steps.push(Concat { axis }, parts) };
    let weights = Tensor::from_shape_vec(vec![width], weights.unwrap_or_else(|| vec![1.0; width]))
        .map_err(|_| a.error("weights", format!("must hold {width} values")))?;
    out = match mode.as_str() {
        "TF" => out,
        "IDF" => {
            let seen = steps.push(Compare { kind: Comparison::Greater }, vec![out, scalar(0.0)]);
            steps.push(Mul, vec![seen, Src::Const(weights)])
        }
        "TFIDF" => steps.push(Mul, vec![out, Src::Const(weights)]),
        other => return Err(a.error("mode", format!("'{other}' is not TF, IDF or TFIDF"))),
    };
    steps.built(&[&out], || a.node_error("the output folds to a constant: no n-gram of the pool fits the input"))
}
