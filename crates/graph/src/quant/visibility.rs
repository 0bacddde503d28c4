//! Who sees what: the visibility of the model's inputs and outputs ([`Visibility`]), of its
//! parameters ([`ParamVisibility`]), and the choice for a whole model ([`VisibilityConfig`]).
//! Separate types, matched exhaustively, so that a new mode (such as `hashed`) is a compiler
//! error wherever it is not handled.

use serde::{Deserialize, Serialize};

use crate::{GraphError, Result};

/// Who sees a value: the model's input or output. See the README for what each mode hides and
/// from whom.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Visibility {
    /// In the public instance: the verifier sees it.
    Public,
    /// A witness hidden by zero knowledge.
    Private,
    /// A witness hidden by zero knowledge whose Poseidon hash is one public instance (the
    /// circuit recomputes the hash; see `zkinfer_circuits::poseidon::hash_values`).
    Hashed,
}

impl Visibility {
    /// Whether the values themselves are in the public instance.
    pub fn is_public(self) -> bool {
        match self {
            Self::Public => true,
            Self::Private | Self::Hashed => false,
        }
    }

    /// Whether the values are a private witness (private or hashed).
    pub fn is_witness(self) -> bool {
        !self.is_public()
    }

    /// Public instances the values take: every value when public, one hash when hashed.
    pub fn instance_len(self, values: usize) -> usize {
        match self {
            Self::Public => values,
            Self::Private => 0,
            Self::Hashed => 1,
        }
    }
}

impl std::str::FromStr for Visibility {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "public" => Ok(Self::Public),
            "private" => Ok(Self::Private),
            "fixed" => {
                Err("visibility 'fixed' applies to parameters; an input or output is public, private or hashed".into())
            }
            "hashed" => Ok(Self::Hashed),
            other => Err(format!("unknown visibility '{other}': expected public, private or hashed")),
        }
    }
}

impl std::fmt::Display for Visibility {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Public => "public",
            Self::Private => "private",
            Self::Hashed => "hashed",
        })
    }
}

/// Who sees the model's parameters (weights and biases). See the README for what each mode hides
/// and from whom.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ParamVisibility {
    /// Baked into the proving key as fixed columns; the verifying key commits to them.
    Fixed,
    /// A witness hidden by zero knowledge (bound to nothing beyond the architecture).
    Private,
    /// A witness hidden by zero knowledge and bound to one public instance, the Poseidon hash
    /// of every parameter ([`QGraph::param_values`](crate::QGraph::param_values)): the model id.
    Hashed,
}

impl ParamVisibility {
    /// Whether the parameters are circuit constants (fixed columns) rather than witnesses.
    pub fn is_fixed(self) -> bool {
        match self {
            Self::Fixed => true,
            Self::Private | Self::Hashed => false,
        }
    }
}

impl std::str::FromStr for ParamVisibility {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "fixed" => Ok(Self::Fixed),
            "private" => Ok(Self::Private),
            "public" => Err("parameter visibility 'public' is not offered: use fixed (the verifying key commits to the weights), private or hashed".into()),
            "hashed" => Ok(Self::Hashed),
            other => Err(format!("unknown parameter visibility '{other}': expected fixed, private or hashed")),
        }
    }
}

impl std::fmt::Display for ParamVisibility {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Fixed => "fixed",
            Self::Private => "private",
            Self::Hashed => "hashed",
        })
    }
}

/// Who sees each of a list of values (the model's inputs, or its outputs): one visibility for
/// all of them, or one each, in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Visibilities {
    /// The same for every input (or output).
    All(Visibility),
    /// One per input (or output), in order; the count must match the model's.
    Each(Vec<Visibility>),
}

impl Visibilities {
    /// One visibility per value of a list of `count` values; `what` (`"input"` or `"output"`)
    /// names them in the error.
    pub fn resolve(&self, count: usize, what: &'static str) -> Result<Vec<Visibility>> {
        match self {
            Self::All(v) => Ok(vec![*v; count]),
            Self::Each(each) if each.len() == count => Ok(each.clone()),
            Self::Each(each) => Err(GraphError::VisibilityCount { what, expected: count, got: each.len() }),
        }
    }
}

impl From<Visibility> for Visibilities {
    fn from(v: Visibility) -> Self {
        Self::All(v)
    }
}

impl From<Vec<Visibility>> for Visibilities {
    fn from(each: Vec<Visibility>) -> Self {
        Self::Each(each)
    }
}

impl std::str::FromStr for Visibilities {
    type Err = String;
    /// `public`, or a comma-separated list with one entry per input (or output): `public,private`.
    fn from_str(s: &str) -> std::result::Result<Self, Self::Err> {
        let each: Vec<Visibility> = s.split(',').map(|v| v.trim().parse()).collect::<std::result::Result<_, _>>()?;
        Ok(match each.as_slice() {
            [one] => Self::All(*one),
            _ => Self::Each(each),
        })
    }
}

impl std::fmt::Display for Visibilities {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::All(v) => write!(f, "{v}"),
            Self::Each(each) => {
                let names: Vec<String> = each.iter().map(ToString::to_string).collect();
                f.write_str(&names.join(","))
            }
        }
    }
}

/// Who sees the model's inputs, parameters and outputs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VisibilityConfig {
    /// Who sees the model's inputs (one for all, or one per input).
    pub inputs: Visibilities,
    /// Who sees the model's parameters.
    pub params: ParamVisibility,
    /// Who sees the model's outputs (one for all, or one per output).
    pub outputs: Visibilities,
}

impl VisibilityConfig {
    /// One visibility for every input, one for the parameters, one for every output.
    pub fn new(input: Visibility, params: ParamVisibility, output: Visibility) -> Self {
        Self { inputs: input.into(), params, outputs: output.into() }
    }
}

impl Default for VisibilityConfig {
    /// Private inputs, fixed parameters, public outputs.
    fn default() -> Self {
        Self::new(Visibility::Private, ParamVisibility::Fixed, Visibility::Public)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Visibility::*;

    #[test]
    fn one_for_all_or_one_each() {
        let all: Visibilities = "public".parse().unwrap();
        assert_eq!(all, Visibilities::All(Public));
        assert_eq!(all.resolve(3, "input").unwrap(), vec![Public; 3]);
        let each: Visibilities = "public, private".parse().unwrap();
        assert_eq!(each.resolve(2, "input").unwrap(), vec![Public, Private]);
        assert_eq!(each.to_string(), "public,private");
        let err = each.resolve(3, "input").unwrap_err().to_string();
        assert_eq!(err, "the model has 3 input(s) but 2 input visibilities were given");
        let err = "public,fixed".parse::<Visibilities>().unwrap_err();
        assert!(err.contains("'fixed' applies to parameters"), "{err}");
    }

    #[test]
    fn json_is_a_name_or_a_list() {
        let c = VisibilityConfig { inputs: vec![Public, Private].into(), ..VisibilityConfig::default() };
        let json = serde_json::to_string(&c).unwrap();
        assert!(json.contains(r#""inputs":["public","private"]"#) && json.contains(r#""outputs":"public""#), "{json}");
        assert_eq!(serde_json::from_str::<VisibilityConfig>(&json).unwrap(), c);
    }
}
