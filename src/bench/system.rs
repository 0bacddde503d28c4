//! What a benchmark ran on: the facts a vendor's published result must carry.

use serde::{Deserialize, Serialize};

/// The machine and build behind a [`super::BenchReport`].
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SystemInfo {
    /// `model name` from `/proc/cpuinfo` (or the architecture where that is unavailable).
    pub cpu_model: String,
    /// Threads the prover uses (rayon's pool: `RAYON_NUM_THREADS` or the available cores).
    pub threads: usize,
    /// The operating system (`std::env::consts::OS`).
    pub os: String,
    /// The CPU architecture (`std::env::consts::ARCH`).
    pub arch: String,
    /// `git describe --always --dirty` of the source tree this binary was built from, or
    /// `unknown` (no git, or not a checkout).
    pub git_revision: String,
    /// Whether the BMI2/ADX field arithmetic (`asm` feature) is compiled in.
    pub asm: bool,
}

impl SystemInfo {
    /// Reads the facts of this machine and build.
    pub fn read() -> Self {
        Self {
            cpu_model: cpu_model().unwrap_or_else(|| std::env::consts::ARCH.to_string()),
            threads: rayon::current_num_threads(),
            os: std::env::consts::OS.into(),
            arch: std::env::consts::ARCH.into(),
            git_revision: git_revision().unwrap_or_else(|| "unknown".into()),
            asm: cfg!(feature = "asm"),
        }
    }
}

fn cpu_model() -> Option<String> {
    let info = std::fs::read_to_string("/proc/cpuinfo").ok()?;
    let line = info.lines().find(|l| l.starts_with("model name"))?;
    Some(line.split_once(':')?.1.trim().to_string())
}

fn git_revision() -> Option<String> {
    let out = std::process::Command::new("git")
        .args(["-C", env!("CARGO_MANIFEST_DIR"), "describe", "--always", "--dirty", "--abbrev=12"])
        .stderr(std::process::Stdio::null())
        .output()
        .ok()?;
    let rev = String::from_utf8(out.stdout).ok()?.trim().to_string();
    (out.status.success() && !rev.is_empty()).then_some(rev)
}
