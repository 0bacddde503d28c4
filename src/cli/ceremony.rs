use std::path::{Path, PathBuf};

use anyhow::{bail, Result};
use clap::{Args, Subcommand};
use zkinfer::ceremony::{self, CeremonyFile, Powers};
use zkinfer::Compiled;

use super::progress::step;
use super::Outcome;

#[derive(Args)]
pub struct CeremonyArgs {
    #[command(subcommand)]
    command: CeremonyCommand,
}

#[derive(Subcommand)]
enum CeremonyCommand {
    /// Start phase 1: untouched powers for a model compiled with `--proof-system groth16`.
    Start {
        /// Directory written by `zkinfer compile`.
        dir: PathBuf,
        /// Where to write the powers.
        #[arg(long)]
        out: PathBuf,
        /// Make powers for any circuit of up to 2^N QAP points, not just this one.
        #[arg(long, value_name = "N")]
        power: Option<u32>,
    },
    /// Add your secret to a ceremony file (either phase) and write the result; the secret is
    /// drawn from the operating system and dropped.
    Contribute {
        /// The latest ceremony file.
        file: PathBuf,
        /// Where to write the file with your contribution.
        #[arg(long)]
        out: PathBuf,
        /// Your name, recorded with the contribution and bound into its proof.
        #[arg(long)]
        name: String,
    },
    /// End phase 1: verify the powers and make the circuit's phase-2 key from them.
    Phase2 {
        /// The final phase-1 powers.
        powers: PathBuf,
        /// Directory written by `zkinfer compile`.
        dir: PathBuf,
        /// Where to write the phase-2 key.
        #[arg(long)]
        out: PathBuf,
    },
    /// Verify a ceremony file: the powers alone, or a phase-2 key with its powers and circuit.
    Verify {
        /// A ceremony file (either phase).
        file: PathBuf,
        /// With a phase-2 key: the phase-1 powers it was made from.
        #[arg(long)]
        powers: Option<PathBuf>,
        /// With a phase-2 key: the directory written by `zkinfer compile`.
        #[arg(long)]
        dir: Option<PathBuf>,
    },
    /// Verify the whole ceremony and write its keys (pk.bin, vk.bin) into the compiled directory,
    /// in place of `zkinfer setup`'s.
    Finish {
        /// The final phase-2 key.
        key: PathBuf,
        /// The phase-1 powers it was made from.
        #[arg(long)]
        powers: PathBuf,
        /// Directory written by `zkinfer compile`.
        dir: PathBuf,
    },
}

fn read_powers(path: &Path) -> Result<Powers> {
    match CeremonyFile::read(path)? {
        CeremonyFile::Powers(p) => Ok(p),
        CeremonyFile::Key(_) => bail!("{}: a phase-2 key, where phase-1 powers were expected", path.display()),
    }
}

fn read_key(path: &Path) -> Result<ceremony::Phase2> {
    match CeremonyFile::read(path)? {
        CeremonyFile::Key(k) => Ok(k),
        CeremonyFile::Powers(_) => bail!("{}: phase-1 powers, where a phase-2 key was expected", path.display()),
    }
}

fn contributors(file: &CeremonyFile) -> String {
    match file.contributors().as_slice() {
        [] => "no contributions yet".into(),
        names => format!("{} contribution(s): {}", names.len(), names.join(", ")),
    }
}

pub fn run(args: CeremonyArgs) -> Result<Outcome> {
    match args.command {
        CeremonyCommand::Start { dir, out, power } => {
            let powers = ceremony::start(&Compiled::load(&dir)?, power)?;
            CeremonyFile::Powers(powers.clone()).write(&out)?;
            println!(
                "wrote {}: phase-1 powers for QAP domains of up to {} points; each participant now runs \
                 `zkinfer ceremony contribute`",
                out.display(),
                powers.domain_size()
            );
        }
        CeremonyCommand::Contribute { file, out, name } => {
            let mut file = CeremonyFile::read(&file)?;
            match &mut file {
                CeremonyFile::Powers(p) => {
                    step("checking the powers", || p.verify())?;
                    step("contributing to phase 1", || p.contribute(&name, &mut rand::rngs::OsRng));
                }
                CeremonyFile::Key(k) => {
                    step("contributing to phase 2", || k.contribute(&name, &mut rand::rngs::OsRng));
                }
            }
            file.write(&out)?;
            println!("wrote {}: {}", out.display(), contributors(&file));
        }
        CeremonyCommand::Phase2 { powers, dir, out } => {
            let compiled = Compiled::load(&dir)?;
            let powers = read_powers(&powers)?;
            let key =
                step("checking the powers and making the circuit's key", || ceremony::phase2(&compiled, &powers))?;
            CeremonyFile::Key(key).write(&out)?;
            println!(
                "wrote {}: the circuit's phase-2 key from powers with {}; each participant now runs \
                 `zkinfer ceremony contribute`",
                out.display(),
                contributors(&CeremonyFile::Powers(powers))
            );
        }
        CeremonyCommand::Verify { file, powers, dir } => {
            let file = CeremonyFile::read(&file)?;
            match (&file, powers, dir) {
                (CeremonyFile::Powers(p), None, None) => step("checking the powers", || p.verify())?,
                (CeremonyFile::Key(k), Some(powers), Some(dir)) => {
                    let compiled = Compiled::load(&dir)?;
                    let powers = read_powers(&powers)?;
                    step("checking both phases", || ceremony::verify(&compiled, &powers, k))?;
                    println!("phase 1: {}", contributors(&CeremonyFile::Powers(powers)));
                }
                (CeremonyFile::Powers(_), _, _) => {
                    bail!("phase-1 powers are verified on their own: drop --powers and --dir")
                }
                (CeremonyFile::Key(_), _, _) => {
                    bail!("a phase-2 key is verified with the powers it was made from and its circuit: give --powers and --dir")
                }
            }
            println!("verified: {}", contributors(&file));
        }
        CeremonyCommand::Finish { key, powers, dir } => {
            let compiled = Compiled::load(&dir)?;
            let (powers, key) = (read_powers(&powers)?, read_key(&key)?);
            let keys = step("checking both phases", || ceremony::keys(&compiled, &powers, &key))?;
            keys.save(&dir)?;
            println!(
                "wrote {} to {}: keys from a ceremony of {} phase-1 and {} phase-2 contribution(s), secure if any \
                 one participant dropped their secret",
                keys.files().join(", "),
                dir.display(),
                powers.contributions.len(),
                key.contributions.len()
            );
        }
    }
    Ok(Outcome::Ok)
}
