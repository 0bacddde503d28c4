//! The proof file: proof bytes, public instances and the outputs they encode.

use std::path::Path;

use halo2_axiom::halo2curves::bn256::Fr;
use halo2_axiom::halo2curves::ff::PrimeField;
use serde::{Deserialize, Serialize};

use crate::{Error, ProofSystem, Settings};

/// Version of the proof JSON format. 2: `outputs` is a list, one entry per public output.
pub const PROOF_FORMAT_VERSION: u32 = 2;

/// What `zkinfer prove` writes: everything a verifier needs besides the verifying key.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ProofBundle {
    /// Always `zkinfer-proof`.
    pub format: String,
    /// [`PROOF_FORMAT_VERSION`] of the file.
    pub version: u32,
    /// The proof system that made the proof (files written before it was recorded are halo2).
    #[serde(default)]
    pub proof_system: ProofSystem,
    /// The proof, `0x`-prefixed hex (the bytes an on-chain verifier takes).
    pub proof: String,
    /// Public instances in circuit order, each a 32-byte big-endian `0x` hex field element.
    pub instances: Vec<String>,
    /// Every public output, in output order (a private output is not in the proof file).
    pub outputs: Vec<ProofOutput>,
}

/// One public output of a proof: the integers its instances encode, and their real values.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProofOutput {
    /// Which output of the model (its position in `settings.json`'s `outputs`).
    pub index: usize,
    /// The ONNX value's name.
    pub name: String,
    /// Its static shape (row-major).
    pub shape: Vec<usize>,
    /// Fixed-point scale: `values[i] = quantized[i] / 2^scale` (1 for an integer output).
    pub scale: u32,
    /// The integers the public instances encode.
    pub quantized: Vec<i64>,
    /// Their real values.
    pub values: Vec<f64>,
}

impl ProofBundle {
    /// Largest `|proven output − reference|` over the public outputs, `reference` holding every
    /// output of the model in order (e.g. the f32 model's).
    pub fn max_abs_error(&self, reference: &[Vec<f32>]) -> f64 {
        self.outputs
            .iter()
            .filter_map(|o| Some(o.values.iter().zip(reference.get(o.index)?)))
            .flatten()
            .map(|(a, b)| (a - f64::from(*b)).abs())
            .fold(0.0, f64::max)
    }

    /// The public output of index `index` (in the model's output order), if it is public.
    pub fn output(&self, index: usize) -> Option<&ProofOutput> {
        self.outputs.iter().find(|o| o.index == index)
    }

    /// `quantized` holds the integers of every public output, in output order.
    pub(crate) fn new(proof: &[u8], instances: &[Fr], settings: &Settings, quantized: Vec<(usize, Vec<i64>)>) -> Self {
        let outputs = quantized
            .into_iter()
            .map(|(index, quantized)| {
                let info = &settings.outputs[index];
                ProofOutput {
                    index,
                    name: info.name.clone(),
                    shape: info.shape.clone(),
                    scale: info.scale,
                    values: quantized.iter().map(|&v| info.dequantize(v)).collect(),
                    quantized,
                }
            })
            .collect();
        Self {
            format: "zkinfer-proof".into(),
            version: PROOF_FORMAT_VERSION,
            proof_system: settings.proof_system(),
            proof: to_hex(proof),
            instances: instances.iter().map(fr_to_hex).collect(),
            outputs,
        }
    }

    /// Reads a proof file, checking its format and version.
    pub fn load(path: &Path) -> Result<Self, Error> {
        let text = std::fs::read_to_string(path).map_err(Error::io(path))?;
        Self::parse(&text).map_err(|reason| Error::BadFile { path: path.into(), reason })
    }

    /// Parses the text of a proof file, checking its format and version (as [`ProofBundle::load`]
    /// does; errors are [`Error::BadProof`]).
    pub fn from_json(text: &str) -> Result<Self, Error> {
        Self::parse(text).map_err(Error::BadProof)
    }

    fn parse(text: &str) -> Result<Self, String> {
        let bundle: ProofBundle = serde_json::from_str(text).map_err(|e| format!("not a zkinfer proof file: {e}"))?;
        if bundle.format != "zkinfer-proof" || bundle.version != PROOF_FORMAT_VERSION {
            return Err(format!(
                "proof format '{}' v{} is not supported (expected zkinfer-proof v{PROOF_FORMAT_VERSION})",
                bundle.format, bundle.version
            ));
        }
        Ok(bundle)
    }

    /// Writes the proof file as pretty JSON.
    pub fn save(&self, path: &Path) -> Result<(), Error> {
        let text = serde_json::to_string_pretty(self).map_err(|e| Error::Config(e.to_string()))?;
        std::fs::write(path, text).map_err(Error::io(path))
    }

    /// Proof bytes.
    pub fn proof_bytes(&self) -> Result<Vec<u8>, Error> {
        unhex(&self.proof).ok_or_else(|| Error::BadProof("'proof' is not 0x-prefixed hex".into()))
    }

    /// Public instances as field elements, checked against the model's instance count.
    pub fn instances_for(&self, settings: &Settings) -> Result<Vec<Fr>, Error> {
        let instances = self.instance_values()?;
        if instances.len() != settings.num_instances() {
            return Err(Error::BadProof(format!(
                "{} public instances given, the model has {}",
                instances.len(),
                settings.num_instances()
            )));
        }
        Ok(instances)
    }

    /// Public instances as field elements (rejects non-canonical encodings).
    pub fn instance_values(&self) -> Result<Vec<Fr>, Error> {
        self.instances
            .iter()
            .enumerate()
            .map(|(i, s)| {
                fr_from_hex(s)
                    .ok_or_else(|| Error::BadProof(format!("instance #{i} '{s}' is not a canonical field element")))
            })
            .collect()
    }
}

/// `0x`-prefixed lowercase hex.
pub fn to_hex(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(2 + 2 * bytes.len());
    s.push_str("0x");
    for b in bytes {
        s.push_str(&format!("{b:02x}"));
    }
    s
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    let s = s.strip_prefix("0x")?;
    if s.len() % 2 != 0 {
        return None;
    }
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok()).collect()
}

/// 32-byte big-endian hex of a field element.
pub(crate) fn fr_to_hex(v: &Fr) -> String {
    let mut bytes = v.to_repr();
    bytes.as_mut().reverse();
    to_hex(bytes.as_ref())
}

pub(crate) fn fr_from_hex(s: &str) -> Option<Fr> {
    let mut bytes = unhex(s)?;
    if bytes.len() != 32 {
        return None;
    }
    bytes.reverse();
    let mut repr = <Fr as PrimeField>::Repr::default();
    repr.as_mut().copy_from_slice(&bytes);
    Option::from(Fr::from_repr(repr))
}

/// Encodes a signed fixed-point integer as a public instance (`p - |v|` for negatives), in the
/// proof file's 32-byte big-endian hex form.
pub fn encode_instance(v: i64) -> String {
    fr_to_hex(&fr_from_i64(v))
}

/// The instance of a hashed input or output holding the fixed-point integers `values`: their
/// Poseidon chain hash ([`zkinfer_circuits::poseidon::hash_values`]), in the proof file's form.
/// Anyone holding the values recomputes it to check what a proof was about.
pub fn hash_instance(values: &[i64]) -> String {
    let elements: Vec<Fr> = values.iter().map(|&v| fr_from_i64(v)).collect();
    fr_to_hex(&zkinfer_circuits::poseidon::hash_values(&elements))
}

/// A fresh secret salt for hashed parameters (31 bytes from the operating system's generator).
pub fn new_param_salt() -> zkinfer_graph::ParamSalt {
    use rand::RngCore;
    let mut salt = [0u8; 31];
    rand::rngs::OsRng.fill_bytes(&mut salt);
    salt
}

/// A parameter salt as a salt file holds it: `0x` and 62 hex digits.
pub fn param_salt_to_hex(salt: &zkinfer_graph::ParamSalt) -> String {
    to_hex(salt)
}

/// The salt in a salt file's text (62 hex digits, `0x` optional, surrounding whitespace
/// ignored).
pub fn param_salt_from_hex(text: &str) -> Option<zkinfer_graph::ParamSalt> {
    let digits = text.trim();
    unhex(&format!("0x{}", digits.strip_prefix("0x").unwrap_or(digits)))?.try_into().ok()
}

fn fr_from_i64(v: i64) -> Fr {
    let f = Fr::from(v.unsigned_abs());
    if v < 0 {
        -f
    } else {
        f
    }
}

/// Signed integer encoded by a field element (`p - |v|` for negatives), if it fits in i64.
pub(crate) fn fr_to_i64(v: &Fr) -> Option<i64> {
    let small = |x: &Fr| -> Option<i64> {
        let repr = x.to_repr();
        let bytes = repr.as_ref();
        if bytes[8..].iter().any(|&b| b != 0) {
            return None;
        }
        let mut le = [0u8; 8];
        le.copy_from_slice(&bytes[..8]);
        i64::try_from(u64::from_le_bytes(le)).ok()
    };
    small(v).or_else(|| small(&-*v).map(|x| -x))
}
