//! Times keygen and proving of alternative layouts of one model, interleaved so that a noisy
//! shared machine affects every layout alike. Used to calibrate the planner's cost model.
//!
//! ```text
//! cargo run --release -p zkinfer-circuits --example plan_bench -- MODEL.onnx REPS [VARIANT ...]
//! VARIANT: `auto` or comma-separated `k=13,dot=6x6,b=9,fixed=40,adv=20`
//! ```

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use zkinfer_circuits::{plan_circuit, public_instances, ModelCircuit, PlanOptions};
use zkinfer_graph::{calibrate, io, quantize, QuantConfig, VisibilityConfig};

type Res<T> = Result<T, Box<dyn std::error::Error>>;

fn options(spec: &str) -> Res<PlanOptions> {
    let mut o = PlanOptions::default();
    for kv in spec.split(',').filter(|s| !s.is_empty() && *s != "auto") {
        let (key, v) = kv.split_once('=').ok_or("expected key=value")?;
        match key {
            "k" => o.force_k = Some(v.parse()?),
            "b" => (o.min_limb_bits, o.max_limb_bits) = (v.parse()?, v.parse()?),
            "fixed" => o.max_fixed_columns = Some(v.parse()?),
            "adv" => o.max_advice_columns = Some(v.parse()?),
            "block" => o.max_dot_block = v.parse()?,
            "dot" => {
                let (n, m) = v.split_once('x').ok_or("dot=NxM")?;
                o.force_dot = Some((n.parse()?, m.parse()?));
            }
            _ => return Err(format!("unknown key {key}").into()),
        }
    }
    Ok(o)
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() -> Res<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let model = args.first().ok_or("usage: plan_bench MODEL.onnx REPS [VARIANT ...]")?;
    let reps: usize = args.get(1).map_or(Ok(3), |r| r.parse())?;
    let specs: Vec<String> = if args.len() > 2 { args[2..].to_vec() } else { vec!["auto".into()] };

    let graph = zkinfer_onnx::parse(&std::fs::read(model)?)?;
    let input_len: usize = graph.input_shape(0).iter().product();
    let stem = model.trim_end_matches(".onnx");
    let read = |p: String| -> Res<Vec<Vec<f32>>> {
        Ok(io::split_samples(io::parse_input_data(&std::fs::read_to_string(p)?)?, input_len)?)
    };
    let samples = read(format!("{stem}.calibration.json")).or_else(|_| read(format!("{stem}.input.json")))?;
    let input = read(format!("{stem}.input.json"))?.remove(0);
    let cal = calibrate(&graph, zkinfer_graph::one_input_samples(samples))?;
    let q = Arc::new(quantize(&graph, &cal, &QuantConfig::default(), &VisibilityConfig::default())?);
    let witness = Arc::new(q.eval(q.quantize_input(&input)?)?);
    let instances = public_instances(&q, &witness);

    let mut plans = Vec::new();
    let mut specs_ok = Vec::new();
    for s in &specs {
        match plan_circuit(&q, &options(s)?) {
            Ok(p) => (plans.push(p), specs_ok.push(s.clone())).0,
            Err(e) => eprintln!("{s}: {e}"),
        }
    }
    let specs = specs_ok;
    let mut srs = HashMap::new();
    let mut times = vec![(Vec::new(), Vec::new()); plans.len()];
    for _ in 0..reps {
        for (p, t) in plans.iter().zip(times.iter_mut()) {
            let params = srs.entry(p.k).or_insert_with(|| zkinfer_prover::dev_srs(p.k).0);
            let keygen_circuit = ModelCircuit::new(q.clone(), p.clone(), None);
            let start = Instant::now();
            let (pk, vk) = zkinfer_prover::keygen(params, &keygen_circuit)?;
            t.0.push(start.elapsed().as_secs_f64());
            let circuit = ModelCircuit::new(q.clone(), p.clone(), Some(witness.clone()));
            let start = Instant::now();
            let proof = zkinfer_prover::prove(params, &pk, &circuit, &instances)?;
            t.1.push(start.elapsed().as_secs_f64());
            let key = zkinfer_verifier::CircuitKey::new(&vk, instances.len())?;
            zkinfer_verifier::verify(params, &key, &proof, &instances)?;
        }
    }
    println!("| variant | k | adv/fix/lkp | dot | b | deg | est cost | keygen s | prove s |");
    println!("|---|---|---|---|---|---|---|---|---|");
    for ((s, p), (kg, pr)) in specs.iter().zip(&plans).zip(times.iter_mut()) {
        println!(
            "| {s} | {} | {} | {}x{} | {} | {} | {:.1} | {:.3} | {:.3} |",
            p.k,
            p.summary_columns(),
            p.dot_inputs,
            p.dot_outputs,
            p.limb_bits,
            p.stats.degree,
            p.stats.estimated_cost,
            median(kg),
            median(pr)
        );
    }
    Ok(())
}
