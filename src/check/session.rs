//! One file, compiled once: its parse and resolved baseline, each of its scenarios resolved
//! once, and the checker's findings over all of them. `check`, `report` and `diff` take a
//! session instead of compiling the file again for each question (`report` used to parse the
//! file N + 2 times and resolve it 2N + 2 times for N scenarios).

use crate::diagnostic::Finding;
use crate::fasthash::Set as HashSet;
use crate::model::{Compiled, Journey, ResolveError};
use crate::rules::Rule;

/// A compiled file and everything found in it.
pub struct Session {
    /// The parse, the sources and the resolved baseline with the resolver's findings.
    pub compiled: Compiled,
    /// The checker's findings on the baseline (empty when it did not resolve).
    pub checked: Vec<Finding>,
    /// Every scenario of the file, in written order.
    pub scenarios: Vec<Scenario>,
}

/// One scenario, resolved.
pub struct Scenario {
    /// Its name.
    pub name: String,
    /// The journey with the scenario applied; `None` when it has errors.
    pub journey: Option<Journey>,
    /// The resolver's findings.
    pub resolved: Vec<Finding>,
    /// The checker's findings on the journey.
    pub checked: Vec<Finding>,
}

impl Session {
    /// Resolves every scenario of a compiled file and checks the baseline and each scenario.
    pub fn new(compiled: Compiled) -> Result<Self, ResolveError> {
        Self::build(compiled, false)
    }

    /// [`Session::new`] for a caller that wants only the findings ([`Session::take_findings`]):
    /// once the scenarios are resolved, the syntax tree is dropped
    /// ([`Compiled::drop_syntax`]) before the baseline is checked, so the tree, the model and
    /// the findings are never all in memory at once. [`Session::scenario`] of a name the file
    /// does not declare is then an error that lists no scenarios.
    pub fn for_findings(compiled: Compiled) -> Result<Self, ResolveError> {
        Self::build(compiled, true)
    }

    fn build(mut compiled: Compiled, drop_syntax: bool) -> Result<Self, ResolveError> {
        let mut scenarios = Vec::new();
        for name in compiled.scenario_names() {
            let (journey, resolved) = compiled.scenario(&name)?;
            let checked = journey.as_ref().map(super::check).unwrap_or_default();
            scenarios.push(Scenario {
                name,
                journey,
                resolved,
                checked,
            });
        }
        if drop_syntax {
            compiled.drop_syntax();
        }
        let checked = compiled
            .journey
            .as_ref()
            .map(|j| {
                let mut found = super::check(j);
                found.extend(super::check_options(j));
                found
            })
            .unwrap_or_default();
        Ok(Session {
            compiled,
            checked,
            scenarios,
        })
    }

    /// The scenario called `name`, or why there is none.
    pub fn scenario(&self, name: &str) -> Result<&Scenario, ResolveError> {
        match self.scenarios.iter().find(|s| s.name == name) {
            Some(s) => Ok(s),
            // The model's own error (an unknown scenario, or a library's).
            None => Err(match self.compiled.scenario(name) {
                Err(e) => e,
                Ok(_) => ResolveError::UnknownScenario {
                    name: name.into(),
                    file: self.compiled.sources.get(self.compiled.main).display_path(),
                    known: self.compiled.scenario_names(),
                },
            }),
        }
    }

    /// Every finding, as `journeyc check` reports the file: the baseline's (resolver, then
    /// checker), then each scenario's that the baseline does not have, prefixed
    /// ``in scenario `NAME`:`` and listed once; without the findings that a
    /// `# journeyc: allow(…)` comment suppresses, and with J0701 for the comments that suppress
    /// nothing ([`super::suppress`]).
    pub fn findings(&self) -> Vec<Finding> {
        let mut findings = self.compiled.findings.clone();
        findings.extend(self.checked.iter().cloned());
        findings.extend(self.scenarios_own());
        self.suppressed(findings)
    }

    /// [`Session::findings`], moving the baseline's findings out of the session instead of
    /// copying them (`compiled.findings` and `checked` are left empty): for a caller done
    /// with the session, such as `check`, which may hold one finding per touchpoint.
    pub fn take_findings(&mut self) -> Vec<Finding> {
        let own = self.scenarios_own();
        let mut findings = std::mem::take(&mut self.compiled.findings);
        findings.append(&mut self.checked);
        findings.extend(own);
        self.suppressed(findings)
    }

    /// Each scenario's findings that the baseline does not have, prefixed
    /// ``in scenario `NAME`:`` and listed once.
    fn scenarios_own(&self) -> Vec<Finding> {
        if self.scenarios.is_empty() {
            return Vec::new();
        }
        fn key(f: &Finding) -> (Rule, crate::source::Span, &str) {
            (f.rule, f.primary.span, f.message.as_str())
        }
        let baseline: HashSet<_> = self
            .compiled
            .findings
            .iter()
            .chain(&self.checked)
            .map(key)
            .collect();
        let mut own = Vec::new();
        for s in &self.scenarios {
            let mut seen = HashSet::default();
            for f in s.resolved.iter().chain(&s.checked) {
                let k = key(f);
                if baseline.contains(&k) || !seen.insert(k) {
                    continue;
                }
                let mut f = f.clone();
                f.message = format!("in scenario `{}`: {}", s.name, f.message);
                own.push(f);
            }
        }
        own
    }

    /// `findings` without those a `# journeyc: allow(…)` comment suppresses, with J0701 for
    /// the comments that suppress nothing.
    fn suppressed(&self, findings: Vec<Finding>) -> Vec<Finding> {
        // With an error that stopped the graph rules, every suppression would look unused.
        let complete = (self.compiled.journey.is_some() || self.compiled.library)
            && !findings.iter().any(|f| f.rule == Rule::Syntax);
        super::suppress::apply(
            &self.compiled.sources,
            self.compiled.main,
            findings,
            complete,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Options, resolve_source};

    const TEXT: &str = "journey t {
  channel web digital
  stage s {
    touchpoint a on web { entry -> b 50% -> exit }
    touchpoint b on web { goal g }
  }
  scenario fine { touchpoint a { friction 10% } }
  scenario broken { touchpoint a { -> nowhere 50% -> exit } }
}
";

    #[test]
    fn a_session_resolves_each_scenario_once_and_lists_findings_as_check_does() {
        let compiled = resolve_source("t.journey", TEXT, &Options::default()).unwrap();
        let session = Session::new(compiled).unwrap();
        let names: Vec<&str> = session.scenarios.iter().map(|s| s.name.as_str()).collect();
        assert_eq!(names, ["fine", "broken"]);
        assert!(session.scenario("fine").unwrap().journey.is_some());
        let broken = session.scenario("broken").unwrap();
        assert!(broken.journey.is_none());
        assert!(
            broken
                .resolved
                .iter()
                .any(|f| f.message.contains("nowhere"))
        );
        let all = session.findings();
        let mut taken =
            Session::new(resolve_source("t.journey", TEXT, &Options::default()).unwrap()).unwrap();
        assert_eq!(format!("{:?}", taken.take_findings()), format!("{all:?}"));
        let mut lean =
            Session::for_findings(resolve_source("t.journey", TEXT, &Options::default()).unwrap())
                .unwrap();
        assert!(lean.compiled.ast.is_none());
        assert_eq!(format!("{:?}", lean.take_findings()), format!("{all:?}"));
        assert!(taken.compiled.findings.is_empty() && taken.checked.is_empty());
        assert!(
            all.iter().any(|f| f
                .message
                .starts_with("in scenario `broken`: unknown touchpoint")),
            "{all:?}"
        );
        assert!(matches!(
            session.scenario("missing"),
            Err(ResolveError::UnknownScenario { .. })
        ));
    }
}
