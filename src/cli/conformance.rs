use std::path::PathBuf;
use std::sync::Mutex;

use anyhow::Result;
use clap::Args;
use zkinfer::conformance::{self, ConformanceOptions, Manifest, Summary};

use super::Outcome;

#[derive(Args)]
pub struct ConformanceArgs {
    /// The ONNX backend test data (onnx/backend/test/data inside the onnx Python package), one
    /// suite folder of it (e.g. .../data/node), or one case folder.
    pub dir: PathBuf,
    /// Cases expected to pass (one `suite/case` per line, # comments): a listed case that does
    /// not pass, or an unlisted one that does, fails the run.
    #[arg(long)]
    pub manifest: Option<PathBuf>,
    /// Run only this case (`suite/case` or the bare case name); repeatable.
    #[arg(long = "case")]
    pub cases: Vec<String>,
    /// Make and verify a real proof for this many passing cases (small circuits only).
    #[arg(long, default_value_t = 2)]
    pub prove_sample: usize,
    /// Largest circuit size 2^k; a case needing more is reported unsupported.
    #[arg(long, default_value_t = conformance::DEFAULT_MAX_K)]
    pub max_k: u32,
}

pub fn run(args: ConformanceArgs) -> Result<Outcome> {
    let manifest = args.manifest.as_deref().map(Manifest::load).transpose()?;
    let opts = ConformanceOptions { only: args.cases, prove_sample: args.prove_sample, max_k: args.max_k };
    let out = Mutex::new(());
    let reports = conformance::run(&args.dir, &opts, &|r| {
        let _lock = out.lock();
        println!("{}", r.line());
    })?;
    // With --case, the manifest's other cases were not run: they are not missing.
    let manifest = if opts.only.is_empty() { manifest } else { manifest.map(|m| m.restricted_to(&reports)) };
    let summary = Summary::of(&reports, manifest.as_ref());
    for id in &summary.missing {
        println!("FAIL {id}: listed in the manifest but not in the data");
    }
    if !summary.unlisted_passes.is_empty() {
        println!("passing but not in the manifest (add them): {}", summary.unlisted_passes.join(" "));
    }
    for count in conformance::suite_counts(&reports) {
        println!("{}", count.line());
    }
    println!("{}", summary.line());
    if summary.ok() {
        Ok(Outcome::Ok)
    } else {
        anyhow::bail!("conformance: {}", summary.line())
    }
}
