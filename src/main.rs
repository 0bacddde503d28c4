//! The `zkinfer` command line: see `zkinfer --help`.

use std::process::ExitCode;

mod cli;

fn main() -> ExitCode {
    cli::main()
}
