//! Wall time and peak memory per phase (Linux: `/proc/self`).

use std::time::{Duration, Instant};

/// Resets the kernel's peak-RSS counter so the next reading covers only what follows.
pub fn reset_peak_rss() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// Peak resident set size in bytes since start (or the last [`reset_peak_rss`]), if known.
pub fn peak_rss_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

/// Time and peak memory of one phase.
#[derive(Debug, Clone, Copy)]
pub struct Phase {
    /// Wall-clock time.
    pub wall: Duration,
    /// Peak resident memory in bytes during the phase, where the platform reports it.
    pub peak_rss: Option<u64>,
}

/// Runs `f`, measuring its wall time and peak RSS.
pub fn measure<T>(f: impl FnOnce() -> T) -> (T, Phase) {
    reset_peak_rss();
    let start = Instant::now();
    let out = f();
    let wall = start.elapsed();
    (out, Phase { wall, peak_rss: peak_rss_bytes() })
}

/// Human-readable byte count.
pub fn fmt_bytes(b: u64) -> String {
    const UNITS: [&str; 4] = ["B", "KB", "MB", "GB"];
    let mut v = b as f64;
    let mut u = 0;
    while v >= 1000.0 && u < UNITS.len() - 1 {
        v /= 1000.0;
        u += 1;
    }
    if u == 0 {
        format!("{b} B")
    } else {
        format!("{v:.1} {}", UNITS[u])
    }
}
