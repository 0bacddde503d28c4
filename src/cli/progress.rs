//! Progress display for long steps: a spinner on a terminal, a plain line otherwise.

use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};

/// Runs `f` while showing `msg`; prints the elapsed time when done.
pub fn step<T>(msg: &str, f: impl FnOnce() -> T) -> T {
    let bar = if std::io::stderr().is_terminal() {
        let bar = ProgressBar::new_spinner();
        bar.set_style(
            ProgressStyle::with_template("{spinner} {msg} {elapsed}")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        bar.set_message(msg.to_string());
        bar.enable_steady_tick(Duration::from_millis(120));
        Some(bar)
    } else {
        eprintln!("{msg} ...");
        None
    };
    let start = std::time::Instant::now();
    let out = f();
    let secs = start.elapsed().as_secs_f64();
    match bar {
        Some(bar) => bar.finish_with_message(format!("{msg}: done in {secs:.2} s")),
        None => eprintln!("{msg}: done in {secs:.2} s"),
    }
    out
}
