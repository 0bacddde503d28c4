//! The manifest of cases expected to pass: one case id per line (`node/test_relu`), `#` starts a
//! comment, blank lines are ignored.

use std::collections::BTreeSet;
use std::path::Path;

use crate::Error;

/// The case ids a manifest lists.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Manifest {
    /// Case ids (`suite/case`), in sorted order.
    pub cases: BTreeSet<String>,
}

impl Manifest {
    /// Reads a manifest file.
    pub fn load(path: &Path) -> Result<Self, Error> {
        let text = std::fs::read_to_string(path).map_err(Error::io(path))?;
        Self::parse(&text).map_err(|reason| Error::BadFile { path: path.into(), reason })
    }

    /// Parses manifest text; a duplicated id is an error (it would hide a typo).
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut cases = BTreeSet::new();
        for (n, line) in text.lines().enumerate() {
            let id = line.split('#').next().unwrap_or_default().trim();
            if id.is_empty() {
                continue;
            }
            if id.split_whitespace().count() != 1 {
                return Err(format!("line {}: expected one case id, found '{id}'", n + 1));
            }
            if !cases.insert(id.to_string()) {
                return Err(format!("line {}: case '{id}' is listed twice", n + 1));
            }
        }
        Ok(Self { cases })
    }

    /// The part of the manifest that concerns `reports` (a run filtered with `--case`).
    pub fn restricted_to(&self, reports: &[super::CaseReport]) -> Self {
        Self { cases: self.cases.iter().filter(|id| reports.iter().any(|r| &r.id == *id)).cloned().collect() }
    }

    /// Whether the manifest lists `id`.
    pub fn lists(&self, id: &str) -> bool {
        self.cases.contains(id)
    }
}
