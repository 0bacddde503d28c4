//! The artifact directory written by `compile` and `setup`.
//!
//! | file | written by | who needs it |
//! |---|---|---|
//! | `settings.json` | compile | prover and verifier (layout plan, scales, visibility; no weights) |
//! | `circuit.bin` | compile | prover only (the quantized graph: contains the weights) |
//! | `pk.bin` | setup | prover only |
//! | `vk.bin`, `srs.bin` | setup | verifier |

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use zkinfer_graph::{DType, InstanceLayout, InstanceRole, IoSpec, ParamVisibility, QGraph, QuantConfig, Visibility};
use zkinfer_prover::artifact::{read_artifact, write_artifact, ArtifactKind};

use crate::{CircuitSpec, Error, ProofSystem};

/// Version of `settings.json`; bumped on any incompatible change. 2: the range check's
/// `(tag, value)` table (2026-12-02) changed every circuit, so keys made before it cannot be used.
/// 3: inputs and outputs are lists (`inputs`, `outputs`, `params` replace `input_shape`,
/// `output_shape`, the two scales and `visibility`). 4: the proof system names the circuit
/// (`"circuit": {"halo2": plan}` replaces `proof_system` and `plan`), and the instance layout
/// is the settings' own (`instances`), not the Halo2 plan's.
pub const SETTINGS_VERSION: u32 = 4;

pub(crate) const SETTINGS_FILE: &str = "settings.json";
pub(crate) const CIRCUIT_FILE: &str = "circuit.bin";
pub(crate) const PK_FILE: &str = "pk.bin";
pub(crate) const VK_FILE: &str = "vk.bin";
pub(crate) const SRS_FILE: &str = "srs.bin";

/// Public description of a compiled model: everything a verifier needs besides the keys.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Settings {
    /// Always `zkinfer-settings`.
    pub format: String,
    /// [`SETTINGS_VERSION`] of the file.
    pub version: u32,
    /// File name of the source model.
    pub model: String,
    /// The model inputs, in order.
    pub inputs: Vec<IoInfo>,
    /// The model outputs, in order.
    pub outputs: Vec<IoInfo>,
    /// Who sees the parameters.
    pub params: ParamVisibility,
    /// The quantization knobs it was compiled with.
    pub quant: QuantConfig,
    /// The public values of a proof, in order (public inputs, then public outputs), whatever
    /// the proof system.
    pub instances: InstanceLayout,
    /// The proof system and its circuit (for Halo2, the layout plan the verifying key can only
    /// be read back with).
    pub circuit: CircuitSpec,
    /// Multiply-accumulates of one run of the model (for reporting).
    pub macs: usize,
    /// With hashed parameters, the model id: the Poseidon hash of every parameter
    /// ([`crate::hash_instance`] of `QGraph::param_values`), instance 0 of every proof.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model_id: Option<String>,
    /// The model id hashes a secret salt after the parameters (the salt itself is not here).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub param_salted: bool,
}

impl Settings {
    /// The proof system the model is compiled for.
    pub fn proof_system(&self) -> ProofSystem {
        self.circuit.proof_system()
    }

    /// Number of public instances a proof of this model has (`instances`: input values if
    /// public, then output values if public; for Groth16, the words they are packed into).
    pub fn num_instances(&self) -> usize {
        match &self.circuit {
            CircuitSpec::Groth16(plan) => plan.public_inputs,
            CircuitSpec::Halo2(_) => self.instances.len(),
        }
    }

    /// What each visibility mode of this model hides, and from whom, one line per kind of value
    /// (inputs, parameters, outputs). `fixed` parameters give the number of proofs after which a
    /// verifier can interpolate them: each proof opens every fixed column at one random point,
    /// and a column holds `2^k` values.
    pub fn privacy(&self) -> Vec<String> {
        let values = |what: &str, ios: &[IoInfo]| -> String {
            let names = |v: Visibility| -> Vec<String> {
                ios.iter().filter(|io| io.visibility == v).map(|io| format!("'{}'", io.name)).collect()
            };
            let mut parts = Vec::new();
            for v in [Visibility::Public, Visibility::Hashed, Visibility::Private] {
                let listed = names(v);
                if listed.is_empty() {
                    continue;
                }
                let how = match v {
                    Visibility::Public => "public: every verifier sees the values (they are the proof's instances)",
                    Visibility::Private => "private: hidden from verifiers by zero knowledge, in any number of proofs",
                    Visibility::Hashed => {
                        "hashed: hidden from verifiers by zero knowledge; the proof's one instance is the \
                         Poseidon hash of the values (docs/src/visibility.md), which binds them: anyone who \
                         holds the values can check it, and anyone who can guess them exactly can confirm \
                         the guess (no salt)"
                    }
                };
                parts.push(format!("{} {how}", listed.join(", ")));
            }
            format!("{what}: {}", parts.join("; "))
        };
        let k = self.circuit.k();
        let params = match self.params {
            ParamVisibility::Fixed if self.proof_system() == ProofSystem::Groth16 => {
                "parameters: fixed: coefficients of the circuit, so in the proving key (the prover's) and known to \
                 whoever runs the setup; the verifying key depends only on the rows of the public inputs, and \
                 Groth16 proofs are zero-knowledge, so verifiers learn nothing of them from any number of proofs; \
                 the verifying key binds the model (verifiers know which model ran)"
                    .to_string()
            }
            ParamVisibility::Fixed => format!(
                "parameters: fixed: bound by the verifying key (verifiers know which model ran), NOT hidden: \
                 each proof opens every fixed column at a random point, so about 2^{k} = {} proofs let a \
                 verifier interpolate the weights (use private to hide them)",
                1u64 << k.min(63)
            ),
            ParamVisibility::Private => "parameters: private: hidden from verifiers by zero knowledge, \
                 but bound to nothing: a proof shows some weights of this architecture ran"
                .to_string(),
            ParamVisibility::Hashed => format!(
                "parameters: hashed: hidden from verifiers by zero knowledge, in any number of proofs, and bound \
                 to the model id {} (the Poseidon hash of every parameter, instance 0): verifiers know which \
                 model ran; {}",
                self.model_id.as_deref().unwrap_or("(missing)"),
                if self.param_salted {
                    "salted: only whoever holds the weights and the salt can recompute the id, and a guess of \
                     the weights cannot be confirmed without the salt"
                } else {
                    "unsalted: anyone holding the weights can recompute the id, so a guess of the exact \
                     weights can be confirmed (add --param-salt to prevent it)"
                }
            ),
        };
        vec![values("inputs", &self.inputs), params, values("outputs", &self.outputs)]
    }

    /// Number of values of each input, in order.
    pub fn input_lens(&self) -> Vec<usize> {
        self.inputs.iter().map(IoInfo::len).collect()
    }

    pub(crate) fn new(model: &str, q: &QGraph, circuit: CircuitSpec, quant: &QuantConfig) -> Self {
        Self {
            format: "zkinfer-settings".into(),
            version: SETTINGS_VERSION,
            model: model.into(),
            inputs: IoInfo::list(q, &q.inputs),
            outputs: IoInfo::list(q, &q.outputs),
            params: q.params,
            quant: quant.clone(),
            instances: InstanceLayout::of(q),
            circuit,
            macs: q.macs(),
            model_id: zkinfer_circuits::model_id(q).map(|id| crate::proof::fr_to_hex(&id)),
            param_salted: q.param_salt.is_some(),
        }
    }

    /// Whether `instances` is the layout the inputs' and outputs' visibility and shapes imply:
    /// each public or hashed input in order, then each public or hashed output; every value of a
    /// public one, one hash of a hashed one.
    fn instances_match_io(&self) -> bool {
        let expected = |role, ios: &[IoInfo]| -> Vec<(InstanceRole, usize, usize, bool)> {
            ios.iter()
                .enumerate()
                .filter(|(_, io)| io.visibility != Visibility::Private)
                .map(|(i, io)| (role, i, io.visibility.instance_len(io.len()), io.visibility == Visibility::Hashed))
                .collect()
        };
        let mut all = Vec::new();
        if self.params == ParamVisibility::Hashed {
            all.push((InstanceRole::Params, 0, 1, true));
        }
        all.extend(expected(InstanceRole::Input, &self.inputs));
        all.extend(expected(InstanceRole::Output, &self.outputs));
        let stored: Vec<_> = self.instances.segments.iter().map(|s| (s.role, s.index, s.len, s.hashed)).collect();
        stored == all
    }

    /// Reads and checks `DIR/settings.json`.
    pub fn load(dir: &Path) -> Result<Self, Error> {
        let path = dir.join(SETTINGS_FILE);
        let text = std::fs::read_to_string(&path).map_err(Error::io(&path))?;
        let bad = |reason: String| Error::BadFile { path: path.clone(), reason };
        // The version first, so that an older file is named as such rather than as malformed.
        #[derive(Deserialize)]
        struct Header {
            format: String,
            version: u32,
        }
        let header: Header =
            serde_json::from_str(&text).map_err(|e| bad(format!("not a zkinfer settings file: {e}")))?;
        if header.format != "zkinfer-settings" || header.version != SETTINGS_VERSION {
            return Err(bad(format!(
                "settings format '{}' v{} is not supported (expected zkinfer-settings v{SETTINGS_VERSION}); recompile the model",
                header.format, header.version
            )));
        }
        let settings: Settings =
            serde_json::from_str(&text).map_err(|e| bad(format!("not a zkinfer settings file: {e}")))?;
        if !settings.instances_match_io() {
            return Err(
                bad("the instance layout does not match the inputs' and outputs' visibility and shapes".into()),
            );
        }
        let id_ok = settings.model_id.as_deref().is_some_and(|id| crate::proof::fr_from_hex(id).is_some());
        if id_ok != (settings.params == ParamVisibility::Hashed) {
            return Err(bad(
                "hashed parameters need a model id (a canonical field element), and only they have one".into()
            ));
        }
        Ok(settings)
    }
}

/// One model input or output, as `settings.json` records it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IoInfo {
    /// The ONNX value's name.
    pub name: String,
    /// Its static shape (row-major).
    pub shape: Vec<usize>,
    /// Real numbers or exact integers.
    pub dtype: DType,
    /// Fixed-point scale (fractional bits): a real value `v` is the integer `round(v · 2^scale)`.
    pub scale: u32,
    /// Who sees its values.
    pub visibility: Visibility,
}

impl IoInfo {
    /// The descriptions of `specs` (inputs or outputs of `q`).
    pub(crate) fn list(q: &QGraph, specs: &[IoSpec]) -> Vec<Self> {
        specs
            .iter()
            .map(|s| {
                let t = &q.tensors[s.tensor];
                Self {
                    name: t.name.clone(),
                    shape: t.shape.clone(),
                    dtype: s.dtype,
                    scale: t.scale,
                    visibility: s.visibility,
                }
            })
            .collect()
    }

    /// Number of values.
    pub fn len(&self) -> usize {
        self.shape.iter().product()
    }

    /// No values at all.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The real value of an integer of this input or output.
    pub fn dequantize(&self, v: i64) -> f64 {
        v as f64 / self.dtype.unit(self.scale)
    }
}

/// A compiled model: the quantized graph and the public settings (which hold its circuit).
#[derive(Debug, Clone)]
pub struct Compiled {
    /// The quantized graph (it holds the weights).
    pub qgraph: Arc<QGraph>,
    /// What a verifier needs besides the keys.
    pub settings: Settings,
}

impl Compiled {
    /// The circuit under the model's proof system (`settings.circuit`).
    pub fn circuit(&self) -> &CircuitSpec {
        &self.settings.circuit
    }

    /// Writes `settings.json` and `circuit.bin` into `dir` (created if missing).
    pub fn save(&self, dir: &Path) -> Result<(), Error> {
        std::fs::create_dir_all(dir).map_err(Error::io(dir))?;
        let settings = serde_json::to_string_pretty(&self.settings).map_err(|e| Error::Config(e.to_string()))?;
        let path = dir.join(SETTINGS_FILE);
        std::fs::write(&path, settings).map_err(Error::io(&path))?;
        let circuit = serde_json::to_vec(&*self.qgraph).map_err(|e| Error::Config(e.to_string()))?;
        write_artifact(&dir.join(CIRCUIT_FILE), ArtifactKind::Circuit, &circuit)?;
        Ok(())
    }

    /// Reads what [`Compiled::save`] wrote.
    pub fn load(dir: &Path) -> Result<Self, Error> {
        let settings = Settings::load(dir)?;
        let path = dir.join(CIRCUIT_FILE);
        let bytes = read_artifact(&path, ArtifactKind::Circuit)?;
        let qgraph: QGraph = serde_json::from_slice(&bytes)
            .map_err(|e| Error::BadFile { path: path.clone(), reason: format!("corrupt compiled circuit: {e}") })?;
        qgraph.validate().map_err(|e| Error::BadFile { path: path.clone(), reason: e.to_string() })?;
        let matches = qgraph.params == settings.params
            && IoInfo::list(&qgraph, &qgraph.inputs) == settings.inputs
            && IoInfo::list(&qgraph, &qgraph.outputs) == settings.outputs
            && InstanceLayout::of(&qgraph) == settings.instances;
        if !matches {
            return Err(Error::BadFile {
                path,
                reason: "the compiled circuit does not match settings.json (inputs, outputs or visibility): recompile"
                    .into(),
            });
        }
        if let CircuitSpec::Groth16(plan) = &settings.circuit {
            let digest = crate::groth16_backend::digest(&qgraph);
            if digest != plan.circuit_digest {
                return Err(Error::BadFile {
                    path,
                    reason: format!(
                        "the compiled circuit's digest is {digest}, settings.json's is {}: another model or a \
                         changed file (recompile)",
                        plan.circuit_digest
                    ),
                });
            }
        }
        Ok(Self { qgraph: Arc::new(qgraph), settings })
    }
}

pub(crate) fn file(dir: &Path, name: &str) -> PathBuf {
    dir.join(name)
}
