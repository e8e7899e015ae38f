//! Unit tests of the shared graph description: percentages, per-segment labels, and what a
//! small journey becomes (nodes, edges, exits, triggers, findings attached to the right thing).

use super::*;
use crate::model::{self, Options};

fn resolved(text: &str) -> (Journey, Vec<Finding>) {
    let compiled = model::resolve_source("test.journey", text, &Options::default())
        .expect("the text is given");
    let journey = compiled.journey.expect("the journey resolves");
    let mut findings = compiled.findings;
    findings.extend(crate::check::check(&journey));
    (journey, findings)
}

fn edge<'g>(g: &'g Graph, from: &str, to: &str) -> &'g Edge {
    g.edges
        .iter()
        .find(|e| e.from == from && e.to == to && e.kind != EdgeKind::Trigger)
        .unwrap_or_else(|| panic!("no edge {from} -> {to}"))
}

#[test]
fn percent_trims_and_never_rounds_a_chance_to_nothing() {
    assert_eq!(percent(0.35), "35%");
    assert_eq!(percent(0.125), "12.5%");
    assert_eq!(percent(1.0 / 3.0), "33.33%");
    assert_eq!(percent(1.0 - 0.35 - 0.10), "55%");
    assert_eq!(percent(1.0), "100%");
    assert_eq!(percent(0.0), "0%");
    assert_eq!(percent(0.00001), "<0.01%");
}

#[test]
fn segments_that_agree_give_one_percentage() {
    let names = ["bargain", "loyal"];
    assert_eq!(
        segment_label(&names, &[Some(0.35), Some(0.35)]).as_deref(),
        Some("35%")
    );
    // Float noise of the remainder rule is not a difference.
    assert_eq!(
        segment_label(&names, &[Some(0.55), Some(1.0 - 0.35 - 0.10)]).as_deref(),
        Some("55%")
    );
    assert_eq!(
        segment_label(&["everyone"], &[Some(0.7)]).as_deref(),
        Some("70%")
    );
}

#[test]
fn segments_that_differ_are_named_and_missing_ones_omitted() {
    let names = ["bargain", "loyal"];
    assert_eq!(
        segment_label(&names, &[Some(0.55), Some(0.65)]).as_deref(),
        Some("bargain 55% / loyal 65%")
    );
    assert_eq!(
        segment_label(&names, &[Some(0.1), None]).as_deref(),
        Some("bargain 10%")
    );
    assert_eq!(
        segment_label(&names, &[None, Some(0.1)]).as_deref(),
        Some("loyal 10%")
    );
    assert_eq!(segment_label(&names, &[None, None]), None);
}

#[test]
fn segments_with_equal_chances_are_grouped_in_segment_order() {
    let names = ["digital_native", "traditional", "small_business"];
    assert_eq!(
        segment_label(&names, &[Some(0.6), Some(0.5), Some(0.5)]).as_deref(),
        Some("digital_native 60% / traditional, small_business 50%")
    );
    assert_eq!(
        segment_label(&names, &[Some(0.5), Some(0.6), Some(0.5)]).as_deref(),
        Some("digital_native, small_business 50% / traditional 60%")
    );
    // Two of three with one chance, the third without the edge: not "everyone".
    assert_eq!(
        segment_label(&names, &[None, Some(0.1), Some(0.1)]).as_deref(),
        Some("traditional, small_business 10%")
    );
}

const SMALL: &str = r#"
journey small "Small \"one\"" {
  channel web digital
  channel phone human
  segment a { share 50%  prefers web  patience 70% }
  segment b { share 50%  prefers web  patience 70% }
  stage first "First step" {
    touchpoint start "Start" on web {
      entry 60%
      -> call 20% for a
      -> buy 30%
      -> exit
    }
    touchpoint side on web {
      entry
      -> buy 0%
      -> exit
    }
  }
  stage second {
    touchpoint call "Call" on phone {
      moment_of_truth
      friction 10%
      -> buy 50%
      -> exit
    }
    touchpoint buy "Buy" on web { goal sale value 12.5 }
  }
  trigger back { on abandon at call, call after 1h via web -> start 20% }
}
"#;

#[test]
fn a_small_journey_becomes_nodes_edges_exits_and_triggers() {
    let (j, _) = resolved(SMALL);
    let g = Graph::new(&j, Vec::<Finding>::new());
    assert_eq!(g.title, ["Small \"one\" (small)"]);
    let ids: Vec<&str> = g.nodes.iter().map(|n| n.id.as_str()).collect();
    assert_eq!(ids, ["tp_start", "tp_side", "tp_call", "tp_buy"]);
    assert_eq!(g.nodes[0].lines, ["Start", "start · web"]);
    assert_eq!(g.nodes[1].lines, ["side", "web"], "no name repeated");
    assert_eq!(g.nodes[2].lines, ["★ Call", "call · phone", "friction 10%"]);
    assert!(g.nodes[2].moment_of_truth);
    assert_eq!(
        g.nodes[3].lines,
        ["Buy", "buy · web", "⚑ sale · value 12.5"]
    );
    assert!(g.nodes[3].goal);

    assert_eq!(g.clusters[0].title, ["First step (first)"]);
    assert_eq!(g.clusters[0].exit.as_deref(), Some("exit_first"));
    assert_eq!(g.clusters[1].exit.as_deref(), Some("exit_second"));

    assert_eq!(edge(&g, START_ID, "tp_start").lines, ["60%"]);
    assert_eq!(edge(&g, START_ID, "tp_side").lines, ["40%"]);
    assert_eq!(edge(&g, "tp_start", "tp_call").lines[0], "a 20%");
    assert_eq!(edge(&g, "tp_start", "tp_buy").lines, ["30%"]);
    // The remainder rule, per segment: a keeps 50%, b 70%.
    assert_eq!(edge(&g, "tp_start", "exit_first").lines, ["a 50% / b 70%"]);
    // A 0% transition counts as absent: not drawn.
    assert!(
        !g.edges
            .iter()
            .any(|e| e.from == "tp_side" && e.to == "tp_buy")
    );
    assert_eq!(edge(&g, "tp_side", "exit_first").lines, ["100%"]);

    // One edge per watched touchpoint, even when named twice.
    let triggers: Vec<&Edge> = g
        .edges
        .iter()
        .filter(|e| e.kind == EdgeKind::Trigger)
        .collect();
    assert_eq!(triggers.len(), 1);
    assert_eq!(
        (triggers[0].from.as_str(), triggers[0].to.as_str()),
        ("tp_call", "tp_start")
    );
    assert_eq!(triggers[0].lines[0], "back: on abandon, returns 20%");

    let legend: Vec<&str> = g.legend.iter().map(|l| l.name.as_str()).collect();
    assert_eq!(legend, ["web", "phone"]);
}

#[test]
fn findings_attach_to_what_their_spans_point_at() {
    let (j, findings) = resolved(SMALL);
    let g = Graph::new(&j, &findings);
    // web → phone and phone → web lose context: the transitions carry J0402, not the nodes.
    let to_call = edge(&g, "tp_start", "tp_call");
    assert_eq!(to_call.marks.codes, ["J0402"]);
    assert_eq!(to_call.lines, ["a 20%", "⚠ J0402"]);
    assert!(to_call.marks.messages[0].starts_with("J0402: `start` on `web` → `call` on `phone`"));
    assert!(g.nodes[0].marks.is_empty());
    assert_eq!(edge(&g, "tp_call", "tp_buy").marks.codes, ["J0402"]);
    // Stage `second` offers phone and web; both segments prefer web: no gap. Stage `first`
    // is web only in a two-channel journey: J0404 is an info, which the caller filters out;
    // here every finding is given, so it shows.
    assert_eq!(g.clusters[0].marks.codes, ["J0404"]);
}

#[test]
fn touchpoint_goal_stage_and_trigger_findings() {
    let text = r#"
journey f {
  channel web digital
  segment a { share 50%  prefers web  patience 70% }
  segment b { share 50%  prefers web  patience 100% }
  stage one {
    touchpoint s on web { entry -> l 20% -> g 30% for a -> d 10% -> exit }
    touchpoint d on web { }
    touchpoint l on web { -> m }
    touchpoint m on web { -> l }
    touchpoint g on web { goal win }
    touchpoint o on web { -> exit }
  }
  trigger t { on abandon at l after 1h via web -> s 10% }
}
"#;
    let (j, findings) = resolved(text);
    let g = Graph::new(&j, &findings);
    let codes = |id: &str| {
        g.nodes
            .iter()
            .find(|n| n.id == id)
            .map(|n| n.marks.codes.clone())
            .unwrap()
    };
    assert_eq!(codes("tp_d"), ["J0304"], "dead end");
    assert_eq!(codes("tp_l"), ["J0303"], "trap, first of the loop");
    assert_eq!(codes("tp_m"), ["J0303"], "trap, the rest of the loop");
    assert_eq!(codes("tp_g"), ["J0302"], "goal unreachable for b");
    assert_eq!(codes("tp_o"), ["J0301"], "unreachable");
    assert!(g.nodes.iter().find(|n| n.id == "tp_l").unwrap().marks.error);
    let trigger = g
        .edges
        .iter()
        .find(|e| e.kind == EdgeKind::Trigger)
        .unwrap();
    assert_eq!(trigger.marks.codes, ["J0501"]);
    assert_eq!(trigger.lines[1], "⚠ J0501");
    assert!(g.key.iter().any(|k| k.contains("findings")));
}

#[test]
fn a_scenario_is_named_in_the_title_and_colours_stay_put() {
    let text = r#"
journey s "S" {
  channel web digital
  channel app digital
  channel store physical
  stage one {
    touchpoint a on web { entry -> b 50% -> exit }
    touchpoint b on store { goal g }
  }
  trigger t { on exit at a after 1h via app -> a 10% }
  scenario web_only "Web only" { touchpoint b on web { } }
}
"#;
    let options = Options {
        root: None,
        scenario: Some("web_only".into()),
    };
    let compiled = model::resolve_source("test.journey", text, &options).unwrap();
    let j = compiled.journey.expect("resolves");
    let g = Graph::new(&j, Vec::<Finding>::new());
    assert_eq!(g.title, ["S (s)", "scenario: Web only (web_only)"]);
    // store is unused under the scenario; app is used by the trigger only.
    let legend: Vec<(&str, &str)> = g
        .legend
        .iter()
        .map(|l| (l.name.as_str(), colour(l.channel)))
        .collect();
    assert_eq!(legend, [("web", PALETTE[0]), ("app", PALETTE[1])]);
    assert!(!g.key.iter().any(|k| k.contains("findings")));
}

/// Attributes that differ by segment (LANGUAGE-2.md §1) are drawn with the segments whose
/// value differs: `friction 10% · a 2%`, and a friction only some segments meet shows too.
#[test]
fn per_segment_values_are_drawn_beside_the_unqualified_ones() {
    let text = SMALL
        .replace(
            "      friction 10%\n",
            "      friction 10%\n      friction 2% for a\n",
        )
        .replace(
            "goal sale value 12.5 }",
            "goal sale value 12.5 goal sale value 20 for b }",
        )
        .replace(
            "      entry 60%\n",
            "      entry 60%\n      friction 5% for b\n",
        );
    let (j, _) = resolved(&text);
    let g = Graph::new(&j, Vec::<Finding>::new());
    assert_eq!(g.nodes[0].lines[2], "friction 0% · b 5%");
    assert_eq!(g.nodes[2].lines[2], "friction 10% · a 2%");
    assert_eq!(g.nodes[3].lines[2], "⚑ sale · value 12.5 · b 20");
}
