//! Unit tests of the graph rules: the documented examples, the samples, and the decisions
//! the rules' documentation states (per segment, once per trap, libraries, big inputs).

use super::*;
use crate::diagnostic::Level;
use crate::model::{self, Options};
use crate::rules::Rule;
use std::path::Path;

/// Resolves `text` (as `dir/test.journey`, `dir` the root) and checks it and its scenarios,
/// as `journeyc check` does.
fn findings_in(dir: &Path, text: &str) -> Vec<Finding> {
    let options = Options {
        root: Some(dir.to_path_buf()),
        scenario: None,
    };
    let compiled = model::resolve_source(dir.join("test.journey"), text, &options)
        .expect("the text is given, so nothing needs reading");
    session::Session::new(compiled)
        .expect("the scenarios exist")
        .findings()
}

fn findings(text: &str) -> Vec<Finding> {
    findings_in(Path::new("."), text)
}

fn codes(findings: &[Finding]) -> Vec<&'static str> {
    findings.iter().map(|f| f.rule.code()).collect()
}

fn of(findings: &[Finding], rule: Rule) -> Vec<&Finding> {
    findings.iter().filter(|f| f.rule == rule).collect()
}

/// The two ```journey blocks of a rule's documentation: the example and the fix.
fn snippets(doc: &str) -> (String, String) {
    let blocks: Vec<&str> = doc
        .split("```journey\n")
        .skip(1)
        .map(|b| b.split("```").next().unwrap_or(""))
        .collect();
    assert_eq!(blocks.len(), 2, "a rule's doc has an example and a fix");
    (blocks[0].to_string(), blocks[1].to_string())
}

#[test]
fn every_documented_example_fires_and_its_fix_does_not() {
    let dir = tempfile::tempdir().unwrap();
    // The bad-use fix names a library next to the file.
    std::fs::write(dir.path().join("channels.journey"), "channel web digital\n").unwrap();
    for rule in Rule::ALL {
        let doc = crate::check::docs::doc(rule);
        if rule.needs_log() {
            // `conform`'s rules fire on a log, not on a journey alone (tests/events_conform.rs).
            assert!(doc.contains("## Example\n") && doc.contains("## Use instead\n"));
            continue;
        }
        for heading in [
            "## What it does\n",
            "## Why is this bad?\n",
            "## Example\n",
            "## Use instead\n",
        ] {
            assert!(doc.contains(heading), "{} lacks {heading:?}", rule.code());
        }
        let (bad, good) = snippets(doc);
        let fired = findings_in(dir.path(), &bad);
        assert!(
            fired.iter().any(|f| f.rule == rule),
            "{}: the example does not fire: {:?}",
            rule.code(),
            codes(&fired)
        );
        let fixed = findings_in(dir.path(), &good);
        assert!(
            !fixed.iter().any(|f| f.rule == rule),
            "{}: the fix still fires: {:?}",
            rule.code(),
            fixed.iter().filter(|f| f.rule == rule).collect::<Vec<_>>()
        );
        assert!(
            !fixed.iter().any(|f| f.level == Level::Error),
            "{}: the fix has errors: {:?}",
            rule.code(),
            fixed
        );
    }
}

#[test]
fn samples_and_their_scenarios_have_no_error_from_check() {
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    for name in ["checkout", "onboarding", "support", "common"] {
        let path = examples.join(format!("{name}.journey"));
        let options = Options {
            root: Some(examples.clone()),
            scenario: None,
        };
        let compiled = model::resolve(&path, &options).unwrap();
        if compiled.library {
            continue;
        }
        let journey = compiled.journey.as_ref().expect("samples resolve");
        let errors: Vec<Finding> = check(journey)
            .into_iter()
            .filter(|f| f.level == Level::Error)
            .collect();
        assert!(errors.is_empty(), "{name}: {errors:?}");
        for scenario in compiled.scenario_names() {
            let (j, _) = compiled.scenario(&scenario).unwrap();
            let j = j.expect("sample scenarios resolve");
            let errors: Vec<Finding> = check(&j)
                .into_iter()
                .filter(|f| f.level == Level::Error)
                .collect();
            assert!(errors.is_empty(), "{name} with {scenario}: {errors:?}");
        }
    }
}

#[test]
fn checkout_warnings_are_the_expected_ones() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/checkout.journey");
    let compiled = model::resolve(&path, &Options::default()).unwrap();
    let found = check(compiled.journey.as_ref().unwrap());
    // Five written transitions cross channels outside `context web, email`.
    assert_eq!(of(&found, Rule::ContextBreak).len(), 5, "{found:?}");
    // Loyal members (store, phone) meet a web/email-only purchase stage.
    let gaps = of(&found, Rule::ChannelGap);
    assert_eq!(gaps.len(), 1);
    assert!(gaps[0].message.contains("`purchase`") && gaps[0].message.contains("`loyal`"));
    assert_eq!(found.len(), 6, "{found:?}");
}

#[test]
fn goal_unreachable_names_the_segments_but_not_everyone() {
    let per_segment = findings(
        "journey j { channel web digital
           segment a { share 50% }  segment b { share 30% }  segment c { share 20% }
           stage s {
             touchpoint home on web { entry  -> buy 50% for a  -> exit }
             touchpoint buy on web { goal purchase }
           } }",
    );
    let f = of(&per_segment, Rule::GoalUnreachable);
    assert_eq!(f.len(), 1, "{per_segment:?}");
    assert_eq!(
        f[0].message,
        "segments `b`, `c` cannot reach the primary goal `purchase`"
    );
    assert_eq!(f[0].secondary.len(), 2);

    let everyone = findings(
        "journey j { channel web digital
           stage s {
             touchpoint home on web { entry  -> exit }
             touchpoint buy on web { goal purchase }
           } }",
    );
    let f = of(&everyone, Rule::GoalUnreachable);
    assert_eq!(
        f[0].message,
        "the primary goal `purchase` cannot be reached from any entry"
    );
    assert!(f[0].secondary.is_empty());
}

#[test]
fn a_trigger_return_makes_its_target_reachable() {
    let found = findings(
        "journey j { channel web digital
           stage s {
             touchpoint home on web { entry  friction 20%  -> exit }
             touchpoint offer on web { goal purchase }
           }
           trigger t { on abandon at home  via web  -> offer 10% } }",
    );
    assert!(of(&found, Rule::Unreachable).is_empty(), "{found:?}");
    assert!(of(&found, Rule::GoalUnreachable).is_empty(), "{found:?}");
}

#[test]
fn a_trap_shared_by_every_segment_is_reported_once() {
    let found = findings(
        "journey j { channel web digital
           segment a { share 50% }  segment b { share 50% }
           stage s {
             touchpoint home on web { entry  -> loop1 50%  -> done }
             touchpoint loop1 on web { -> loop2 }
             touchpoint loop2 on web { -> loop1 }
             touchpoint spin on web { -> spin }
             touchpoint done on web { goal ok }
           } }",
    );
    let traps = of(&found, Rule::Trap);
    assert_eq!(traps.len(), 2, "{traps:?}");
    assert_eq!(
        traps[0].message,
        "trap: `loop1` and `loop2` lead only to each other; customers who reach them never leave"
    );
    assert_eq!(
        traps[1].message,
        "trap: `spin` leads only back to itself; customers who reach it never leave"
    );
}

#[test]
fn a_trap_of_one_segment_names_it() {
    let found = findings(
        "journey j { channel web digital
           segment a { share 50% }  segment b { share 50% }
           stage s {
             touchpoint home on web { entry  -> help 50%  -> done }
             touchpoint help on web { -> help for a  -> exit for b }
             touchpoint done on web { goal ok }
           } }",
    );
    let traps = of(&found, Rule::Trap);
    assert_eq!(traps.len(), 1, "{found:?}");
    assert_eq!(
        traps[0].message,
        "trap: `help` leads only back to itself; customers who reach it never leave (segment `a`)"
    );
}

#[test]
fn context_breaks_skip_zero_transitions_and_no_loss() {
    let text = |loss: &str| {
        format!(
            "journey j {{ channel web digital  channel phone human  {loss}
               stage s {{
                 touchpoint home on web {{ entry  -> call 0%  -> buy 50%  -> exit }}
                 touchpoint call on phone {{ -> buy }}
                 touchpoint buy on web {{ goal ok }}
               }}
               trigger t {{ on exit at home  via phone  -> buy 5% }} }}"
        )
    };
    let found = findings(&text(""));
    let breaks = of(&found, Rule::ContextBreak);
    // call → buy crosses channels; home → call is 0%, so absent; the trigger's message
    // arrives by phone at a web touchpoint.
    assert_eq!(breaks.len(), 2, "{breaks:?}");
    assert!(
        breaks[0]
            .message
            .starts_with("`call` on `phone` → `buy` on `web`")
    );
    assert!(breaks[1].message.starts_with("trigger `t` via `phone`"));
    let silent = findings(&text("context_loss 0%"));
    assert!(of(&silent, Rule::ContextBreak).is_empty(), "{silent:?}");
}

#[test]
fn unused_channels_of_a_library_are_not_reported() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("lib.journey"),
        "channel web digital\nchannel fax digital\n",
    )
    .unwrap();
    let found = findings_in(
        dir.path(),
        "use \"lib.journey\"
         journey j { channel telex digital
           stage s { touchpoint home on web { entry  -> exit } } }",
    );
    let unused = of(&found, Rule::UnusedChannel);
    assert_eq!(unused.len(), 1, "{found:?}");
    assert_eq!(unused[0].message, "channel `telex` is not used");
}

#[test]
fn single_channel_stages_only_in_multichannel_journeys() {
    let one = findings(
        "journey j { channel web digital
           stage a { touchpoint home on web { entry  -> buy 10%  -> exit } }
           stage b { touchpoint buy on web { goal ok } } }",
    );
    assert!(of(&one, Rule::SingleChannelStage).is_empty());
    let two = findings(
        "journey j { channel web digital  channel app digital  context web, app
           stage a { touchpoint home on web { entry  -> buy 10%  -> exit }
                     touchpoint tab on app { -> buy } }
           stage b { touchpoint buy on web { goal ok } } }",
    );
    let f = of(&two, Rule::SingleChannelStage);
    assert_eq!(f.len(), 1, "{two:?}");
    assert_eq!(f[0].message, "stage `b` is served by channel `web` only");
    assert_eq!(f[0].level, Level::Info);
}

#[test]
fn channel_gaps_skip_everyone_and_stages_not_reached() {
    let found = findings(
        "journey j { channel web digital  channel store physical  context web, store
           segment a { share 50%  prefers store }  segment b { share 50% }
           stage s1 { touchpoint home on web { entry  -> buy 10% for b  -> exit } }
           stage s2 { touchpoint buy on web { goal ok } } }",
    );
    let gaps = of(&found, Rule::ChannelGap);
    // `a` reaches s1 only; `b` has no `prefers`.
    assert_eq!(gaps.len(), 1, "{found:?}");
    assert_eq!(
        gaps[0].message,
        "stage `s1` offers none of the channels segment `a` prefers"
    );
    assert_eq!(gaps[0].primary.message, "only `web` here");
}

#[test]
fn idle_triggers_say_why() {
    let base = |patience: &str, trigger: &str| {
        format!(
            "journey j {{ channel web digital  channel email digital
               segment a {{ share 100%  {patience} }}
               stage s {{
                 touchpoint home on web {{ entry  friction 10%  -> buy 50%  -> exit }}
                 touchpoint buy on web {{ -> done }}
                 touchpoint done on web {{ goal ok }}
               }}
               {trigger} }}"
        )
    };
    let patient = findings(&base(
        "patience 100%",
        "trigger t { on abandon at home  via web  -> home 10% }",
    ));
    let f = of(&patient, Rule::IdleTrigger);
    assert_eq!(f.len(), 1, "{patient:?}");
    assert!(
        f[0].message.contains("patience is 100%"),
        "{}",
        f[0].message
    );

    let exit = findings(&base(
        "",
        "trigger t { on exit at buy  via web  -> home 10% }",
    ));
    let f = of(&exit, Rule::IdleTrigger);
    assert_eq!(f.len(), 1, "{exit:?}");
    assert!(f[0].message.contains("no one leaves or completes at `buy`"));

    let completes = findings(&base(
        "",
        "trigger t { on exit at done  via web  -> home 10% }",
    ));
    assert!(
        of(&completes, Rule::IdleTrigger).is_empty(),
        "{completes:?}"
    );

    // `second` watches `buy`, where only `first`'s message (email → web) can cause a pain
    // point; `first` can fire, so `second` can too.
    let chained = findings(&base(
        "",
        "trigger first { on abandon at home  via email  -> buy 10% }
         trigger second { on abandon at buy  via web  -> home 10% }",
    ));
    assert!(of(&chained, Rule::IdleTrigger).is_empty(), "{chained:?}");
    let alone = findings(&base(
        "",
        "trigger second { on abandon at buy  via web  -> home 10% }",
    ));
    let f = of(&alone, Rule::IdleTrigger);
    assert_eq!(f.len(), 1, "{alone:?}");
    assert!(f[0].message.contains("no one can abandon at `buy`"));
}

#[test]
fn ten_thousand_touchpoints_check_quickly() {
    let text = crate::generate::realistic(10_000, 1);
    let compiled = model::resolve_source("big.journey", text, &Options::default()).unwrap();
    let journey = compiled.journey.expect("the generated journey resolves");
    let start = std::time::Instant::now();
    let found = check(&journey);
    let took = start.elapsed();
    let errors: Vec<&Finding> = found.iter().filter(|f| f.level == Level::Error).collect();
    assert!(errors.is_empty(), "{:?}", &errors[..errors.len().min(3)]);
    eprintln!(
        "check of 10,000 touchpoints: {took:?}, {} findings",
        found.len()
    );
    // A few milliseconds in release; the bound leaves room for a shared debug build.
    assert!(took.as_millis() < 500, "check took {took:?}");
}

#[test]
fn name_lists_read_as_sentences() {
    assert_eq!(joined(["a"], 8, "or"), "`a`");
    assert_eq!(joined(["a", "b"], 8, "or"), "`a` or `b`");
    assert_eq!(joined(["a", "b", "c"], 8, "and"), "`a`, `b` and `c`");
    assert_eq!(joined(["a", "b", "c"], 2, "and"), "`a`, `b` and 1 more");
    assert_eq!(name_list(["a", "b", "c"], 2), "`a`, `b`, and 1 more");
}

#[test]
fn checking_some_rules_gives_exactly_their_findings() {
    // Every rule's documented example fires it: each rule asked for alone must give the
    // findings of that rule that the whole check gives, in the same order, and nothing else.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("channels.journey"), "channel web digital\n").unwrap();
    let mut fired = 0;
    for documented in Rule::ALL.into_iter().filter(|r| !r.needs_log()) {
        let (bad, good) = snippets(crate::check::docs::doc(documented));
        for text in [bad, good] {
            let options = Options {
                root: Some(dir.path().to_path_buf()),
                scenario: None,
            };
            let compiled = model::resolve_source(dir.path().join("test.journey"), &text, &options)
                .expect("the text is given");
            let Some(journey) = compiled.journey.as_ref() else {
                continue;
            };
            let all = check(journey);
            for rule in Rule::ALL {
                let alone = check_rules(journey, |r| r == rule);
                let expected: Vec<&Finding> = of(&all, rule);
                assert_eq!(
                    alone.iter().collect::<Vec<_>>(),
                    expected,
                    "{}",
                    rule.code()
                );
                fired += alone.len();
            }
            let none = check_rules(journey, |_| false);
            assert!(none.is_empty());
        }
    }
    assert!(fired > 0);
}
