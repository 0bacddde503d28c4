//! Compiling Solidity with `solc` through its standard-JSON interface.
//!
//! Any compiler that reads a standard-JSON request on stdin with `--standard-json` works: the
//! npm `solc` package's `solcjs` (what `.ci/run` installs into `evm/node_modules`) or a native
//! `solc` binary. The optimizer is always on.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Environment variable naming the compiler to use.
pub const SOLC_ENV: &str = "ZKINFER_SOLC";

/// How to get a compiler, for error messages.
pub const INSTALL_HINT: &str = "install one with `npm ci --prefix evm` (solcjs 0.8.19, from the repository root), \
     or pass --solc PATH / set ZKINFER_SOLC to a solcjs or solc binary";

/// Why Solidity could not be compiled.
#[derive(Debug, thiserror::Error)]
pub enum SolcError {
    /// No compiler at the given path or in the default places.
    #[error("no Solidity compiler found (looked for {looked}): {INSTALL_HINT}")]
    NotFound {
        /// The places searched.
        looked: String,
    },
    /// The compiler could not be started or its output read.
    #[error("running the Solidity compiler {path}: {reason}")]
    Run {
        /// The compiler.
        path: PathBuf,
        /// What went wrong.
        reason: String,
    },
    /// The compiler reported errors.
    #[error("solc rejected the contract: {0}")]
    Compile(String),
    /// The compiler's output lacks the expected contract.
    #[error("solc output has no bytecode for contract {0}")]
    Missing(String),
}

/// Creation and runtime bytecode of one compiled contract.
#[derive(Debug, Clone)]
pub struct CompiledContract {
    /// Code sent in the deployment transaction.
    pub creation: Vec<u8>,
    /// Code left at the contract's address (what EIP-170 limits).
    pub runtime: Vec<u8>,
}

/// Finds the compiler: `explicit`, else `$ZKINFER_SOLC`, else `evm/node_modules/.bin/solcjs`
/// under the current directory or any parent, else `solc` on `PATH`.
pub fn find_solc(explicit: Option<&Path>) -> Result<PathBuf, SolcError> {
    if let Some(p) = explicit {
        return if p.exists() || which(p).is_some() {
            Ok(p.to_path_buf())
        } else {
            Err(SolcError::NotFound { looked: p.display().to_string() })
        };
    }
    if let Some(p) = std::env::var_os(SOLC_ENV) {
        let p = PathBuf::from(p);
        return find_solc(Some(&p)).map_err(|_| SolcError::NotFound { looked: format!("${SOLC_ENV}={}", p.display()) });
    }
    let mut dirs = Vec::new();
    if let Ok(cwd) = std::env::current_dir() {
        dirs.extend(cwd.ancestors().map(Path::to_path_buf));
    }
    dirs.push(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../.."));
    for d in &dirs {
        let cand = d.join("evm/node_modules/.bin/solcjs");
        if cand.exists() {
            return Ok(cand);
        }
    }
    which(Path::new("solc")).ok_or_else(|| SolcError::NotFound {
        looked: format!("${SOLC_ENV}, evm/node_modules/.bin/solcjs, solc on PATH"),
    })
}

/// A standard-JSON request in a temporary file, removed on drop.
struct RequestFile(PathBuf);

impl RequestFile {
    fn write(bytes: &[u8]) -> std::io::Result<Self> {
        use std::sync::atomic::{AtomicU64, Ordering};
        static NEXT: AtomicU64 = AtomicU64::new(0);
        let name = format!("zkinfer-solc-{}-{}.json", std::process::id(), NEXT.fetch_add(1, Ordering::Relaxed));
        let path = std::env::temp_dir().join(name);
        let mut f = std::fs::File::create(&path)?;
        f.write_all(bytes)?;
        Ok(Self(path))
    }
}

impl Drop for RequestFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

fn which(p: &Path) -> Option<PathBuf> {
    if p.components().count() > 1 {
        return p.exists().then(|| p.to_path_buf());
    }
    std::env::split_paths(&std::env::var_os("PATH")?).map(|d| d.join(p)).find(|c| c.is_file())
}

/// Compiles `sources` (file name -> Solidity text) with the optimizer on and returns the
/// bytecode of `contract` (declared in `file`).
pub fn compile(
    solc: &Path,
    sources: &[(&str, &str)],
    file: &str,
    contract: &str,
) -> Result<CompiledContract, SolcError> {
    let srcs: serde_json::Map<String, serde_json::Value> =
        sources.iter().map(|(name, text)| ((*name).to_string(), serde_json::json!({ "content": text }))).collect();
    let request = serde_json::json!({
        "language": "Solidity",
        "sources": srcs,
        "settings": {
            "optimizer": { "enabled": true, "runs": 200 },
            "viaIR": true,
            "outputSelection": { "*": { "*": ["evm.bytecode.object", "evm.deployedBytecode.object"] } }
        }
    });
    let run_err = |reason: String| SolcError::Run { path: solc.to_path_buf(), reason };
    // The request goes in as a file, not a pipe: solcjs reads stdin with `readFileSync`, and
    // Node makes a piped stdin non-blocking, so a request larger than the pipe buffer fails
    // with EAGAIN whenever the compiler reads faster than we write.
    let request_file = RequestFile::write(request.to_string().as_bytes()).map_err(|e| run_err(e.to_string()))?;
    let stdin = std::fs::File::open(&request_file.0).map_err(|e| run_err(e.to_string()))?;
    let out = Command::new(solc)
        .arg("--standard-json")
        .stdin(Stdio::from(stdin))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .output()
        .map_err(|e| run_err(e.to_string()))?;
    drop(request_file);
    let text = String::from_utf8_lossy(&out.stdout);
    // solcjs prints a banner line before the JSON on some versions: start at the first '{'.
    let json_text = text.find('{').map(|i| &text[i..]).unwrap_or("");
    let json: serde_json::Value = serde_json::from_str(json_text).map_err(|e| {
        run_err(format!("unreadable output ({e}); stderr: {}", String::from_utf8_lossy(&out.stderr).trim()))
    })?;
    if let Some(errors) = json["errors"].as_array() {
        let fatal: Vec<String> = errors
            .iter()
            .filter(|e| e["severity"] == "error")
            .map(|e| e["formattedMessage"].as_str().unwrap_or("unknown error").to_string())
            .collect();
        if !fatal.is_empty() {
            return Err(SolcError::Compile(fatal.join("\n")));
        }
    }
    let evm = &json["contracts"][file][contract]["evm"];
    let hex_of = |v: &serde_json::Value| v.as_str().and_then(unhex);
    match (hex_of(&evm["bytecode"]["object"]), hex_of(&evm["deployedBytecode"]["object"])) {
        (Some(creation), Some(runtime)) if !creation.is_empty() => Ok(CompiledContract { creation, runtime }),
        _ => Err(SolcError::Missing(contract.to_string())),
    }
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    let s = s.strip_prefix("0x").unwrap_or(s);
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok()).collect()
}
