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
        "retail_lifecycle.journey",
        "decisions.journey",
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

/// A journey of two segments with per-segment attributes (LANGUAGE-2.md §1).
const PER_SEGMENT: &str = r#"
journey j {
  channel web digital { cost 1 }
  segment loyal { share 40% }
  segment bargain { share 60% }
  stage s {
    touchpoint a on web {
      entry
      friction 25% "asks for the address again"
      friction 10% for loyal
      emotion -1
      emotion +1 for loyal
      cost 3 for bargain
      csat 80% pain 30% for loyal
      effort 2
      -> b
    }
    touchpoint b on web {
      goal purchase value 60
      goal purchase value 85 for loyal
    }
    touchpoint c on web {
      entry 0%
      goal gift value 5 for bargain
    }
  }
  scenario all_five { touchpoint a { friction 5% } }
  scenario bargain_only { touchpoint a { friction 5% for bargain } }
}
"#;

#[test]
fn the_line_naming_a_segment_wins_then_the_unqualified_line_then_the_default() {
    let j = source(PER_SEGMENT).journey.expect("resolves");
    let (loyal, bargain) = (j.segment("loyal").unwrap(), j.segment("bargain").unwrap());
    let a = &j.touchpoints[j.touchpoint("a").unwrap()];
    let (l, b) = (a.visit(loyal), a.visit(bargain));
    assert_eq!((l.friction, b.friction), (0.10, 0.25));
    assert_eq!((l.emotion, b.emotion), (1, -1));
    // Cost: the channel's by default, the `for` line for bargain.
    assert_eq!((l.cost, b.cost), (1.0, 3.0));
    assert_eq!(
        l.csat,
        Some(Score {
            base: 0.8,
            pain: 0.3
        })
    );
    assert_eq!(b.csat, None, "only loyal customers rate `a`");
    assert_eq!(
        l.effort,
        Some(Score {
            base: 2.0,
            pain: 2.0
        }),
        "pain defaults to the base"
    );
    // The unqualified values are what a report shows for everyone; the label is shared.
    assert_eq!((a.friction, a.cost), (0.25, 1.0));
    assert_eq!(
        a.friction_label.as_deref(),
        Some("asks for the address again")
    );
    assert!(a.varies());
    let b_tp = &j.touchpoints[j.touchpoint("b").unwrap()];
    assert_eq!(b_tp.visit(loyal).value, 85.0);
    assert_eq!(b_tp.visit(bargain).value, 60.0);
    // Only `for` goal lines: the goal for everyone, worth 0 where not named.
    let c = &j.touchpoints[j.touchpoint("c").unwrap()];
    assert_eq!(c.goal.map(|g| j.goals[g.goal].name.as_str()), Some("gift"));
    assert_eq!((c.visit(loyal).value, c.visit(bargain).value), (0.0, 5.0));
    // A journey without `for` lines keeps no per-segment copy.
    let plain = example("checkout.journey").journey.unwrap();
    assert!(plain.touchpoints.iter().all(|t| t.by_segment.is_empty()));
}

#[test]
fn a_scenario_s_unqualified_line_replaces_every_line_and_a_for_line_only_its_segments() {
    let c = source(PER_SEGMENT);
    let friction = |scenario: &str| {
        let (j, f) = c.scenario(scenario).unwrap();
        assert!(f.is_empty(), "{f:?}");
        let j = j.unwrap();
        let a = &j.touchpoints[j.touchpoint("a").unwrap()];
        let seg = |n: &str| a.visit(j.segment(n).unwrap()).friction;
        (seg("loyal"), seg("bargain"), a.friction_label.clone())
    };
    let label = Some("asks for the address again".to_string());
    assert_eq!(
        friction("all_five"),
        (0.05, 0.05, label.clone()),
        "label inherited"
    );
    assert_eq!(friction("bargain_only"), (0.10, 0.05, label));
}

#[test]
fn per_segment_lines_are_checked_like_any_other() {
    let with = |lines: &str| {
        let text = PER_SEGMENT.replace("      effort 2\n", &format!("      effort 2\n{lines}\n"));
        let c = source(&text);
        let found: Vec<(&str, String)> = c
            .findings
            .iter()
            .map(|f| (f.rule.code(), f.message.clone()))
            .collect();
        found
    };
    assert_eq!(
        with("      friction 5% for nobody"),
        [("J0101", "unknown segment `nobody`".to_string())]
    );
    assert_eq!(
        with("      emotion +2 for loyal"),
        [(
            "J0102",
            "`emotion` is stated twice in touchpoint `a` for segment `loyal`".to_string()
        )]
    );
    assert_eq!(
        with("      csat 50% pain 150% for bargain"),
        [(
            "J0201",
            "csat after a pain point 150% is outside 0..100%".to_string()
        )]
    );
    assert_eq!(
        with("      effort 2000 for bargain"),
        [("J0205", "effort is past the limit of 1000".to_string())]
    );
    let text = PER_SEGMENT.replace(
        "goal purchase value 85 for loyal",
        "goal other value 85 for loyal",
    );
    let c = source(&text);
    assert_eq!(codes(&c), ["J0101"], "{:?}", c.findings);
    assert!(
        c.findings[0]
            .message
            .contains("does not name this touchpoint's goal `purchase`")
    );
}

#[test]
fn a_kpi_on_a_score_nothing_rates_is_a_bad_value() {
    let c = source(
        r#"journey j {
  channel web digital
  stage s {
    touchpoint a on web { entry csat 90% -> b }
    touchpoint b on web { goal g }
  }
  kpi csat >= 80%
  kpi csat(a) >= 80%
  kpi csat(b) >= 80%
  kpi ces <= 3
}"#,
    );
    let found: Vec<String> = c
        .findings
        .iter()
        .map(|f| format!("{} {}", f.rule.code(), f.message))
        .collect();
    assert_eq!(
        found,
        [
            "J0205 `csat(b)`: touchpoint `b` is not rated with `csat`",
            "J0205 `ces`: the journey rates no visit with `effort`",
        ]
    );
}

#[test]
fn named_context_groups_share_context_pairwise_and_scenarios_replace_or_add_them() {
    let text = r#"journey j {
  channel web digital
  channel app digital
  channel store physical
  channel call human
  context online: web, app
  context clienteling: store, app
  stage s {
    touchpoint a on web { entry -> b }
    touchpoint b on call { goal g }
  }
  scenario phone { context clienteling: store, app, call }
  scenario flat { context web, call }
}"#;
    let c = source(text);
    let j = c.journey.clone().expect("resolves");
    let ch = |n: &str| j.channels.iter().position(|c| c.name == n).unwrap();
    assert!(j.shares_context(ch("web"), ch("app")));
    assert!(j.shares_context(ch("app"), ch("store")));
    assert!(
        !j.shares_context(ch("web"), ch("store")),
        "no group holds both"
    );
    let (phone, _) = c.scenario("phone").unwrap();
    let phone = phone.unwrap();
    assert!(phone.shares_context(ch("call"), ch("app")));
    assert!(
        phone.shares_context(ch("web"), ch("app")),
        "`online` is kept"
    );
    let (flat, _) = c.scenario("flat").unwrap();
    let flat = flat.unwrap();
    assert!(
        flat.context_groups.is_empty(),
        "an unnamed line replaces every group"
    );
    assert!(flat.shares_context(ch("web"), ch("call")));
    let twice = text.replace("context clienteling:", "context online:");
    assert_eq!(codes(&source(&twice)), ["J0102"]);
}

#[test]
fn lifecycle_lines_are_checked_at_their_span() {
    let base = r#"journey j {
  channel web digital
  segment loyal { share 40% }
  segment bargain { share 60% }
  stage s {
    touchpoint a on web { entry -> b }
    touchpoint b on web { goal g }
  }
  lifecycle {
    repeat 40% after 30d..90d
    LINE
  }
}"#;
    let check = |line: &str| {
        let c = source(&base.replace("LINE", line));
        c.findings
            .iter()
            .map(|f| {
                let text = &base.replace("LINE", line)
                    [f.primary.span.start as usize..f.primary.span.end as usize];
                format!("{} {}", f.rule.code(), text)
            })
            .collect::<Vec<_>>()
    };
    assert_eq!(check("repeat 50% for nobody"), ["J0101 nobody"]);
    assert_eq!(
        check("repeat 65% for loyal\n    repeat 70% for loyal"),
        ["J0102 repeat 70% for loyal"]
    );
    assert_eq!(check("repeat 140% for bargain"), ["J0201 140%"]);
    assert_eq!(check("max_cycles 0"), ["J0205 0"]);
    assert_eq!(check("discount -5%"), ["J0205 discount -5%"]);
    assert_eq!(check("winback 10% after 9d..2d"), ["J0205 9d..2d"]);
    assert!(check("winback 10% after 2d..9d for bargain").is_empty());
    let twice = base
        .replace("LINE", "")
        .replace("}\n}", "}\n  lifecycle { discount 5% }\n}");
    assert_eq!(codes(&source(&twice)), ["J0102"]);
    let kpi = base
        .replace("LINE", "")
        .replace("  lifecycle", "  kpi retention(0) >= 5%\n  lifecycle");
    let c = source(&kpi);
    assert_eq!(codes(&c), ["J0205"]);
    assert!(
        c.findings[0].message.contains("retention(0)"),
        "{}",
        c.findings[0].message
    );
    // A library may not hold a lifecycle: it does not parse there.
    let lib = source("channel web digital\nlifecycle { repeat 40% }\n");
    assert_eq!(codes(&lib), ["J0001"]);
}

#[test]
fn a_scenario_s_lifecycle_overrides_line_by_line() {
    let text = r#"journey j {
  channel web digital
  segment loyal { share 40% }
  segment bargain { share 60% }
  stage s {
    touchpoint a on web { entry -> b }
    touchpoint b on web { goal g }
  }
  lifecycle {
    repeat 40% after 30d
    repeat 65% for loyal
    max_cycles 40
  }
  scenario everyone { lifecycle { repeat 50% } }
  scenario bargain_only { lifecycle { repeat 20% for bargain } }
}"#;
    let c = source(text);
    let repeat = |scenario: &str| {
        let (j, f) = c.scenario(scenario).unwrap();
        assert!(f.is_empty(), "{f:?}");
        let l = j.unwrap().lifecycle.unwrap();
        (l.repeat[0].chance, l.repeat[1].chance, l.max_cycles)
    };
    assert_eq!(repeat("everyone"), (0.5, 0.5, 40));
    assert_eq!(repeat("bargain_only"), (0.65, 0.2, 40));
}

#[test]
fn the_json_writer_writes_serde_jsons_pretty_bytes_at_any_depth() {
    // Empty and non-empty arrays and objects, strings to escape, numbers, and nesting past
    // the levels `Json` writes with one copy (24), at the top and started deeper (SARIF's
    // results are written three levels in).
    let mut deep = serde_json::json!({"leaf": [1, {"a": []}, {}], "s": "q\"\\\n\u{1}é"});
    for i in 0..40 {
        deep = if i % 2 == 0 {
            serde_json::json!([deep, [], {}, i])
        } else {
            serde_json::json!({"k": deep, "e": [], "o": {}, "n": null, "f": 1.5})
        };
    }
    for value in [
        serde_json::json!([]),
        serde_json::json!({}),
        serde_json::json!("x"),
        deep,
    ] {
        let mut ours = Vec::new();
        pretty_to(&mut ours, &value).unwrap();
        let theirs = serde_json::to_string_pretty(&value).unwrap() + "\n";
        assert_eq!(String::from_utf8(ours).unwrap(), theirs);
        // Started three levels in: every line after the first indented six more spaces.
        let mut inner = Vec::new();
        let mut json = Json::new(&mut inner);
        json.value_at(3, &value).unwrap();
        json.finish().unwrap();
        let shifted = serde_json::to_string_pretty(&value)
            .unwrap()
            .replace('\n', "\n      ");
        assert_eq!(String::from_utf8(inner).unwrap(), shifted);
    }
}

#[test]
fn duplicate_targets_are_found_the_same_with_few_arrows_and_with_many() {
    // `a` goes to `b` three times (the second and third repeat the first) among `n + 1`
    // arrows (`-> exit` included): up to 16 a scan finds them, past 16 a table; both say the
    // same.
    let duplicates = |n: usize| {
        let mut text = String::from("journey t {\n  channel web digital\n  stage s {\n");
        let others: Vec<String> = (0..n - 3).map(|i| format!("c{i}")).collect();
        text.push_str("    touchpoint a on web { entry -> b 1% ");
        for o in &others {
            text.push_str(&format!("-> {o} 1% "));
        }
        text.push_str("-> b 1% -> b 1% -> exit }\n    touchpoint b on web { goal g }\n");
        for o in &others {
            text.push_str(&format!("    touchpoint {o} on web {{ -> b }}\n"));
        }
        text.push_str("  }\n}\n");
        let c = source(&text);
        let first_b = text.find("-> b").unwrap() as u32;
        // Each repeat, and the arrow it repeats (always the first one to `b`).
        c.findings
            .iter()
            .filter(|f| f.message.contains("to the same target"))
            .map(|f| (f.primary.span.start, f.secondary[0].span.start == first_b))
            .collect::<Vec<_>>()
    };
    for n in [5, 15, 16, 40] {
        let found = duplicates(n);
        assert_eq!(found.len(), 2, "{n} arrows: {found:?}");
        assert!(
            found.iter().all(|&(_, to_first)| to_first),
            "{n} arrows: {found:?}"
        );
    }
}

/// Every `.journey` under `dir`, recursively.
fn journeys_under(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.flatten().map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            journeys_under(&p, out);
        } else if p.extension().is_some_and(|e| e == "journey") {
            out.push(p);
        }
    }
}

/// Every `.journey` of `examples/` and `tests/` (and of `more` folders of the repository),
/// with its text.
fn repository_journeys(more: &[&str]) -> Vec<(std::path::PathBuf, String)> {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    for dir in ["examples", "tests"].iter().chain(more) {
        journeys_under(&root.join(dir), &mut files);
    }
    files
        .into_iter()
        .filter_map(|f| Some((std::fs::read_to_string(&f).ok()?, f)))
        .map(|(t, f)| (f, t))
        .collect()
}

#[test]
fn lean_resolution_gives_the_same_model_and_findings() {
    // Duplicate stages and touchpoints move the attribute lists of the touchpoints after
    // them (each list is found by its place among all the stages' touchpoints as written).
    let written = [
        "journey j {\n  stage a {\n    touchpoint t on web { entry 60% -> u 50% -> exit }\n    \
         touchpoint t on web { entry 40% }\n    touchpoint u on web { friction 10% -> v }\n  }\n  \
         stage a {\n    touchpoint w on web { -> exit }\n  }\n  stage b {\n    touchpoint v on \
         web { goal done -> exit }\n  }\n  channel web digital\n}\n",
        "journey j {\n  channel web digital\n  segment x { share 50% }\n  segment y { share 50% }\n  \
         stage a {\n    touchpoint t on web { entry duration 2m -> u 30% for x -> exit }\n    \
         touchpoint u on web { friction 20% for y -> t 10% -> exit }\n  }\n}\n",
    ];
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let files = repository_journeys(&[]);
    assert!(files.len() > 50, "{}", files.len());
    let mut texts: Vec<(std::path::PathBuf, String)> = written
        .iter()
        .map(|t| (root.join("examples/written.journey"), t.to_string()))
        .collect();
    texts.extend(files);
    let mut lean_ones = 0;
    for (path, text) in texts {
        let options = rooted(&path, &Options::default());
        let (Ok(full), Ok(lean)) = (
            resolve_source_with(&path, text.as_str(), &options, &Disk, false),
            resolve_source_with(&path, text.as_str(), &options, &Disk, true),
        ) else {
            continue;
        };
        let shown = path.display();
        assert_eq!(full.findings, lean.findings, "{shown}");
        assert_eq!(
            full.journey.as_ref().map(emit_json),
            lean.journey.as_ref().map(emit_json),
            "{shown}"
        );
        let scenarios = full
            .ast
            .as_ref()
            .and_then(|a| a.journey.as_ref())
            .is_some_and(|j| j.items.iter().any(|i| matches!(i, Item::Scenario(_))));
        if full.journey.is_some() && !scenarios {
            assert!(lean.ast.is_none(), "{shown}: the tree is dropped");
            lean_ones += 1;
        } else if scenarios {
            assert_eq!(
                full.ast, lean.ast,
                "{shown}: a journey with scenarios keeps its tree"
            );
        }
    }
    assert!(lean_ones > 20, "{lean_ones}");
}

#[test]
fn every_models_json_is_serde_jsons_byte_for_byte() {
    // `write_json` (the JSON writer of src/model/json.rs) against `emit_json`
    // (serde_json::to_string_pretty) on every journey of the repository: escapes, floats,
    // nulls and nesting as the models have them.
    let mut compared = 0;
    for (path, text) in repository_journeys(&["../shared/journeys"]) {
        let options = rooted(&path, &Options::default());
        let Ok(resolved) = resolve_source_with(&path, text.as_str(), &options, &Disk, false) else {
            continue;
        };
        let Some(j) = resolved.journey else {
            continue;
        };
        let mut ours = Vec::new();
        write_json(&j, &mut ours).unwrap();
        assert_eq!(
            String::from_utf8(ours).unwrap(),
            emit_json(&j),
            "{}",
            path.display()
        );
        compared += 1;
    }
    assert!(compared > 50, "{compared}");
}
