use super::*;
use crate::diagnostic::Level;

fn example(name: &str) -> Compiled {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/examples");
    let opts = Options {
        root: Some(dir.into()),
        scenario: None,
    };
    resolve(&std::path::Path::new(dir).join(name), &opts).unwrap()
}

fn source(text: &str) -> Compiled {
    resolve_source("t.journey", text, &Options::default()).unwrap()
}

fn codes(c: &Compiled) -> Vec<&'static str> {
    c.findings.iter().map(|f| f.rule.code()).collect()
}

#[test]
fn samples_resolve_without_findings() {
    for name in [
        "checkout.journey",
        "onboarding.journey",
        "support.journey",
        "common.journey",
    ] {
        let c = example(name);
        assert!(c.findings.is_empty(), "{name}: {:?}", c.findings);
        assert_eq!(c.library, name == "common.journey");
        for s in c.scenario_names() {
            let (j, f) = c.scenario(&s).unwrap();
            assert!(f.is_empty() && j.is_some(), "{name}:{s}: {f:?}");
        }
    }
}

#[test]
fn checkout_is_resolved_per_segment_with_the_remainder_rule() {
    let c = example("checkout.journey");
    let j = c.journey.unwrap();
    let pp = &j.touchpoints[j.touchpoint("product_page").unwrap()];
    let bargain = j.segment("bargain").unwrap();
    let loyal = j.segment("loyal").unwrap();
    let exit = |seg: usize| {
        pp.transitions[seg]
            .iter()
            .find(|t| t.target == Target::Exit)
            .unwrap()
            .probability
    };
    assert!((exit(bargain) - 0.55).abs() < 1e-12);
    assert!((exit(loyal) - 0.65).abs() < 1e-12);
    assert_eq!(
        pp.duration,
        Duration {
            min: 120.0,
            max: 360.0
        }
    );
    assert_eq!(j.horizon, Some(30.0 * 86_400.0));
    assert_eq!(j.goals[j.primary_goal.unwrap()].name, "purchase");
    assert_eq!(j.kpis.len(), 7);
    assert_eq!(j.kpis[6].text, "conversion for loyal >= 5%");
    assert!(j.shares_context(j.channels.iter().position(|c| c.name == "web").unwrap(), 1));
}

#[test]
fn onboarding_uses_the_library_and_its_scenarios_apply() {
    let c = example("onboarding.journey");
    let j = c.journey.as_ref().unwrap();
    assert_eq!(j.segments.len(), 3);
    assert_eq!(j.channels.len(), 6);
    let bv = j.touchpoint("branch_visit").unwrap();
    assert!((j.touchpoints[bv].entry - 0.30).abs() < 1e-12);
    let (nb, f) = c.scenario("no_branch").unwrap();
    assert!(f.is_empty());
    let nb = nb.unwrap();
    assert!(nb.touchpoint("branch_visit").is_none());
    assert_eq!(nb.scenario.as_deref(), Some("no_branch"));
    let total: f64 = nb.entries().map(|(_, w)| w).sum();
    assert!((total - 1.0).abs() < 1e-12);
    assert!(matches!(
        c.scenario("nope"),
        Err(ResolveError::UnknownScenario { .. })
    ));
}

#[test]
fn implicit_everyone_segment() {
    let c = source(
        "journey j { channel web digital stage s { touchpoint a on web { entry goal g } } }",
    );
    let j = c.journey.unwrap();
    assert_eq!(j.segments.len(), 1);
    assert!(j.segments[0].implicit && j.segments[0].share == 1.0 && j.segments[0].patience == 0.7);
}

#[test]
fn resolver_findings() {
    let base = "channel web digital\n";
    let cases: &[(&str, &str)] = &[
        ("stage s { touchpoint a on wbe { entry } }", "J0101"),
        ("stage s { touchpoint a on web { entry -> b } }", "J0101"),
        (
            "stage s { touchpoint a on web { entry } touchpoint a on web { } }",
            "J0102",
        ),
        (
            "stage s { touchpoint a on web { entry friction 10% friction 20% } }",
            "J0102",
        ),
        (
            "stage s { touchpoint a on web { entry friction 50 } }",
            "J0201",
        ),
        (
            "stage s { touchpoint a on web { entry -> exit 50% } }",
            "J0202",
        ),
        (
            "stage s { touchpoint a on web { entry -> exit -> b } touchpoint b on web {} }",
            "J0202",
        ),
        (
            "segment x { share 50% } stage s { touchpoint a on web { entry } }",
            "J0203",
        ),
        ("stage s { touchpoint a on web { } }", "J0204"),
        ("stage s { touchpoint a on web { entry 50% } }", "J0204"),
        (
            "stage s { touchpoint a on web { entry duration 5m..1m } }",
            "J0205",
        ),
        (
            "stage s { touchpoint a on web { entry cost -1 goal g } } kpi conversion >= 2d",
            "J0205",
        ),
        (
            "stage s { touchpoint a on web { entry goal g value 100000000001 } }",
            "J0205",
        ),
        (
            "stage s { touchpoint a on web { entry cost 1000000000000 } }",
            "J0205",
        ),
        (
            "stage s { touchpoint a on web { entry emotion +1000001 } }",
            "J0205",
        ),
        (
            "stage s { touchpoint a on web { entry emotion -1000001 } }",
            "J0205",
        ),
        (
            "stage s { touchpoint a on web { entry duration 1d..100000001d } }",
            "J0205",
        ),
        (
            "horizon 100000001d stage s { touchpoint a on web { entry } }",
            "J0205",
        ),
    ];
    for (body, code) in cases {
        let c = source(&format!("journey j {{ {base} {body} }}"));
        assert!(
            codes(&c).contains(code),
            "{body}: expected {code}, got {:?}",
            c.findings
        );
        assert!(c.journey.is_none());
        assert!(c.findings.iter().all(|f| f.level == Level::Error));
    }
}

#[test]
fn per_segment_transition_error_names_the_segment() {
    let c = source(
        "journey j { channel web digital
           segment a { share 50% } segment b { share 50% }
           stage s { touchpoint t on web { entry -> exit 60% for a -> u 40% } touchpoint u on web { goal g } } }",
    );
    let f = c
        .findings
        .iter()
        .find(|f| f.rule.code() == "J0202")
        .unwrap();
    assert!(f.message.contains("for segment `b`"), "{}", f.message);
}

#[test]
fn durations_format_for_people() {
    assert_eq!(format_duration(45.0), "45s");
    assert_eq!(format_duration(443.0), "7m 23s");
    assert_eq!(format_duration(2.0 * 86_400.0 + 3600.0), "2d 1h");
}

#[test]
fn unknown_names_after_a_failed_use_blame_the_use() {
    let c = source(
        "use \"missing.journey\"\njourney j { stage s { touchpoint a on web { entry goal g } } }",
    );
    let f = c
        .findings
        .iter()
        .find(|f| f.rule.code() == "J0101")
        .unwrap();
    assert!(
        f.help.as_deref().unwrap().contains("could not be loaded"),
        "{:?}",
        f.help
    );
    assert_eq!(f.secondary.len(), 1);
}
