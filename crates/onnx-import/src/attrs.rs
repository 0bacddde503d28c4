//! Typed access to a node's attributes. Every attribute must be read by the op's builder:
//! an attribute nobody asked for is an error, not silently ignored.

use std::cell::RefCell;

use crate::proto::attribute_proto::AttributeType;
use crate::proto::{AttributeProto, NodeProto, TensorProto};
use crate::ImportError;

/// A node's attributes, with the node's name and op for messages.
#[derive(Debug)]
pub struct Attrs<'a> {
    node: &'a NodeProto,
    used: RefCell<Vec<bool>>,
}

impl<'a> Attrs<'a> {
    pub(crate) fn new(node: &'a NodeProto) -> Self {
        Self { node, used: RefCell::new(vec![false; node.attribute.len()]) }
    }

    /// An error about this node itself (an input or output it cannot take).
    pub fn node_error(&self, message: impl Into<String>) -> ImportError {
        ImportError::Node {
            node: crate::import::label(self.node),
            op: self.node.op_type().to_string(),
            message: message.into(),
        }
    }

    /// An error about attribute `name` of this node.
    pub fn error(&self, name: &str, message: impl Into<String>) -> ImportError {
        ImportError::Attribute {
            node: crate::import::label(self.node),
            op: self.node.op_type().to_string(),
            attribute: name.to_string(),
            message: message.into(),
        }
    }

    fn get(&self, name: &str, want: AttributeType) -> Result<Option<&'a AttributeProto>, ImportError> {
        let Some(i) = self.node.attribute.iter().position(|a| a.name() == name) else { return Ok(None) };
        self.used.borrow_mut()[i] = true;
        let a = &self.node.attribute[i];
        // IR < 0.0.2 leaves `type` unset; then trust the field that is present.
        let ty = a.r#type();
        if ty != want && ty != AttributeType::Undefined {
            return Err(self.error(name, format!("expected type {}, found {}", want.as_str_name(), ty.as_str_name())));
        }
        Ok(Some(a))
    }

    /// An `INT` attribute.
    pub fn int(&self, name: &str) -> Result<Option<i64>, ImportError> {
        Ok(self.get(name, AttributeType::Int)?.map(|a| a.i()))
    }

    /// A `FLOAT` attribute.
    pub fn float(&self, name: &str) -> Result<Option<f32>, ImportError> {
        Ok(self.get(name, AttributeType::Float)?.map(|a| a.f()))
    }

    /// An `INTS` attribute.
    pub fn ints(&self, name: &str) -> Result<Option<Vec<i64>>, ImportError> {
        Ok(self.get(name, AttributeType::Ints)?.map(|a| a.ints.clone()))
    }

    /// A `FLOATS` attribute.
    pub fn floats(&self, name: &str) -> Result<Option<Vec<f32>>, ImportError> {
        Ok(self.get(name, AttributeType::Floats)?.map(|a| a.floats.clone()))
    }

    /// A `STRING` attribute (UTF-8).
    pub fn string(&self, name: &str) -> Result<Option<String>, ImportError> {
        match self.get(name, AttributeType::String)? {
            None => Ok(None),
            Some(a) => String::from_utf8(a.s().to_vec()).map(Some).map_err(|_| self.error(name, "not valid UTF-8")),
        }
    }

    /// A `STRINGS` attribute (UTF-8).
    pub fn strings(&self, name: &str) -> Result<Option<Vec<String>>, ImportError> {
        match self.get(name, AttributeType::Strings)? {
            None => Ok(None),
            Some(a) => a
                .strings
                .iter()
                .map(|s| String::from_utf8(s.clone()).map_err(|_| self.error(name, "not valid UTF-8")))
                .collect::<Result<Vec<_>, _>>()
                .map(Some),
        }
    }

    /// A `GRAPH` attribute (a control-flow body).
    pub fn graph(&self, name: &str) -> Result<Option<&'a crate::proto::GraphProto>, ImportError> {
        Ok(self.get(name, AttributeType::Graph)?.and_then(|a| a.g.as_ref()))
    }

    /// A `TENSOR` attribute.
    pub fn tensor(&self, name: &str) -> Result<Option<&'a TensorProto>, ImportError> {
        Ok(self.get(name, AttributeType::Tensor)?.and_then(|a| a.t.as_ref()))
    }

    /// A boolean flag stored as an `INT` 0/1.
    pub fn flag(&self, name: &str) -> Result<bool, ImportError> {
        match self.int(name)? {
            None | Some(0) => Ok(false),
            Some(1) => Ok(true),
            Some(v) => Err(self.error(name, format!("must be 0 or 1, found {v}"))),
        }
    }

    /// Errors on the first attribute that no getter read.
    pub(crate) fn finish(&self) -> Result<(), ImportError> {
        let used = self.used.borrow();
        match self.node.attribute.iter().zip(used.iter()).find(|(_, &u)| !u) {
            Some((a, _)) => Err(self.error(a.name(), "this attribute is not supported")),
            None => Ok(()),
        }
    }
}
