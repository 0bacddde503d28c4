//! Pass counts per suite, over all cases and over the cases whose inputs and outputs are numeric
//! tensors (the measure the conformance target is stated in).

use super::CaseReport;

/// One suite's counts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SuiteCount {
    /// `node`, `simple`, ...
    pub suite: String,
    /// Cases run.
    pub cases: usize,
    /// Cases that passed.
    pub passed: usize,
    /// Cases whose graph inputs and outputs are all numeric tensors.
    pub numeric: usize,
    /// Of those, the ones that passed.
    pub numeric_passed: usize,
}

impl SuiteCount {
    /// `node: 1,032 of 1,765 pass; of the 1,640 with numeric-tensor inputs and outputs, 1,032 (62.9%)`.
    pub fn line(&self) -> String {
        let pct = if self.numeric == 0 { 0.0 } else { 100.0 * self.numeric_passed as f64 / self.numeric as f64 };
        format!(
            "{}: {} of {} pass; of the {} with numeric-tensor inputs and outputs, {} ({pct:.1}%)",
            self.suite, self.passed, self.cases, self.numeric, self.numeric_passed
        )
    }
}

/// Counts per suite, in suite order, then the total (suite `all`) when there is more than one.
pub fn suite_counts(reports: &[CaseReport]) -> Vec<SuiteCount> {
    let mut suites: Vec<SuiteCount> = Vec::new();
    let mut total = SuiteCount { suite: "all".into(), ..SuiteCount::default() };
    for r in reports {
        let name = r.id.split('/').next().unwrap_or_default();
        let at = match suites.iter().position(|s| s.suite == name) {
            Some(i) => i,
            None => {
                suites.push(SuiteCount { suite: name.to_string(), ..SuiteCount::default() });
                suites.len() - 1
            }
        };
        for s in [&mut suites[at], &mut total] {
            s.cases += 1;
            s.passed += usize::from(r.outcome.passed());
            s.numeric += usize::from(r.numeric);
            s.numeric_passed += usize::from(r.numeric && r.outcome.passed());
        }
    }
    suites.sort_by(|a, b| a.suite.cmp(&b.suite));
    if suites.len() > 1 {
        suites.push(total);
    }
    suites
}

#[cfg(test)]
mod tests {
    use super::suite_counts;
    use crate::conformance::{CaseOutcome, CaseReport, Passed};

    #[test]
    fn counts_split_by_suite_and_numeric_io() {
        let passed = || CaseOutcome::Passed(Passed { k: 5, output_scale: 0, max_err: 0.0, proved: false });
        let case = |id: &str, outcome: CaseOutcome, numeric: bool| CaseReport { id: id.into(), outcome, numeric };
        let reports = vec![
            case("node/a", passed(), true),
            case("node/b", CaseOutcome::Unsupported("strings".into()), false),
            case("node/c", passed(), false),
            case("simple/d", CaseOutcome::Failed("NaN".into()), true),
        ];
        let counts = suite_counts(&reports);
        assert_eq!(counts.len(), 3);
        assert_eq!((counts[0].cases, counts[0].passed, counts[0].numeric, counts[0].numeric_passed), (3, 2, 1, 1));
        assert_eq!((counts[1].suite.as_str(), counts[1].numeric_passed), ("simple", 0));
        assert_eq!(
            (counts[2].suite.as_str(), counts[2].cases, counts[2].numeric, counts[2].numeric_passed),
            ("all", 4, 2, 1)
        );
        assert!(counts[0].line().contains("1 (100.0%)"), "{}", counts[0].line());
    }
}
