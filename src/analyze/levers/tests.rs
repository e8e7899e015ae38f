//! Unit tests of the levers: every figure of every sample touchpoint against [`analyze`] run
//! on a journey modified here, independently of the chain arithmetic; sensitivities against
//! central differences of [`analyze`]; small journeys computed by hand.

use super::*;
use crate::analyze::{Analysis, analyze};
use crate::model::{self, Options};
use std::path::Path;

const EXACT: f64 = 1e-9;

fn journey(text: &str) -> Journey {
    let c = model::resolve_source("t.journey", text, &Options::default()).expect("resolves");
    c.journey
        .unwrap_or_else(|| panic!("does not resolve: {:#?}", c.findings))
}

/// Every sample journey and every scenario of it, by a readable key.
fn samples() -> Vec<(String, Journey)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("examples/")
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "journey"))
        .collect();
    files.sort();
    let mut out = Vec::new();
    for path in files {
        let options = Options {
            root: Some(dir.clone()),
            scenario: None,
        };
        let c = model::resolve(&path, &options).expect("reads");
        if c.library {
            continue;
        }
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        for s in c.scenario_names() {
            let (j, findings) = c.scenario(&s).expect("scenario");
            assert!(findings.is_empty(), "{name}:{s}: {findings:?}");
            out.push((format!("{name}:{s}"), j.expect("journey")));
        }
        out.push((name, c.journey.expect("sample resolves")));
    }
    assert!(out.len() >= 3, "{} samples", out.len());
    out
}

/// The conversion to `goal` of a population in an analysis.
fn conversion(a: &Analysis, goal: GoalId, segment: Option<SegmentId>) -> f64 {
    match segment {
        Some(s) => a.segments[s].goals[goal],
        None => a.all.goals[goal],
    }
}

// The journey where arriving at `t` ends the journey at once (`removed`: without the goal
// and without any trigger firing there; `t` keeps its place but does nothing and only
// exits), and the journey with `t`'s friction halved (`halved`).
use super::lifetime::{halved, removed};

/// `j` with ε of probability moved onto the transition of `t` to `target`, in every segment
/// of `segments` that has it, the others scaled down in proportion.
fn nudged(
    j: &Journey,
    t: TouchpointId,
    target: Target,
    segments: &[SegmentId],
    eps: f64,
) -> Journey {
    let mut m = j.clone();
    for &s in segments {
        let moves = &mut m.touchpoints[t].transitions[s];
        let Some(i) = moves.iter().position(|tr| tr.target == target) else {
            continue;
        };
        let p = moves[i].probability;
        for (l, tr) in moves.iter_mut().enumerate() {
            if l == i {
                tr.probability = p + eps;
            } else {
                tr.probability *= (1.0 - p - eps) / (1.0 - p);
            }
        }
    }
    m
}

#[track_caller]
fn near(got: f64, want: f64, tolerance: f64, what: &str) {
    assert!(
        (got - want).abs() <= tolerance,
        "{what}: got {got}, expected {want} (off by {:.2e})",
        (got - want).abs()
    );
}

/// Every population of a journey: all customers, then each segment.
fn populations(j: &Journey) -> Vec<Option<SegmentId>> {
    std::iter::once(None)
        .chain((0..j.segments.len()).map(Some))
        .collect()
}

#[test]
fn removal_and_friction_equal_a_reanalysis_of_the_modified_journey() {
    let mut checked = 0;
    for (key, j) in samples() {
        let base = analyze(&j).expect("analyzes");
        for goal in 0..j.goals.len() {
            let per_population: Vec<(Option<SegmentId>, Levers)> = populations(&j)
                .into_iter()
                .map(|segment| {
                    let options = LeverOptions {
                        goal: Some(goal),
                        segment,
                    };
                    (segment, levers(&j, &options).expect("levers"))
                })
                .collect();
            for (segment, l) in &per_population {
                let what = format!("{key} goal {} {segment:?}", j.goals[goal].name);
                near(l.baseline, conversion(&base, goal, *segment), EXACT, &what);
            }
            for t in 0..j.touchpoints.len() {
                let gone = analyze(&removed(&j, t)).expect("analyzes without t");
                let eased = analyze(&halved(&j, t)).expect("analyzes with half friction");
                for (segment, l) in &per_population {
                    let what = format!(
                        "{key} goal {} {segment:?} touchpoint {}",
                        j.goals[goal].name, j.touchpoints[t].name
                    );
                    let before = conversion(&base, goal, *segment);
                    let lever = &l.touchpoints[t];
                    near(
                        lever.removal,
                        before - conversion(&gone, goal, *segment),
                        EXACT,
                        &format!("{what}: removal"),
                    );
                    near(
                        lever.friction_gain,
                        conversion(&eased, goal, *segment) - before,
                        EXACT,
                        &format!("{what}: friction"),
                    );
                    checked += 1;
                }
            }
        }
    }
    assert!(checked > 200, "{checked}");
}

#[test]
fn sensitivities_equal_central_differences() {
    let eps = 1e-6;
    let mut checked = 0;
    for (key, j) in samples() {
        let goal = j.primary_goal.expect("samples have goals");
        for segment in populations(&j) {
            let l = levers(
                &j,
                &LeverOptions {
                    goal: None,
                    segment,
                },
            )
            .expect("levers");
            let segments: Vec<SegmentId> =
                segment.map_or_else(|| (0..j.segments.len()).collect(), |s| vec![s]);
            for (t, lever) in l.touchpoints.iter().enumerate() {
                for tr in &lever.transitions {
                    let Some(got) = tr.sensitivity else {
                        assert!(tr.segments.iter().all(|s| s.probability == 1.0));
                        continue;
                    };
                    let movable: Vec<SegmentId> = segments
                        .iter()
                        .copied()
                        .filter(|&s| {
                            tr.segments
                                .iter()
                                .any(|side| side.segment == s && side.probability < 1.0)
                        })
                        .collect();
                    let at = |e: f64| {
                        let a = analyze(&nudged(&j, t, tr.target, &movable, e)).expect("analyzes");
                        conversion(&a, goal, segment)
                    };
                    let want = (at(eps) - at(-eps)) / (2.0 * eps);
                    let what = format!(
                        "{key} {segment:?} {} -> {:?}",
                        j.touchpoints[t].name, tr.target
                    );
                    near(got, want, 1e-6, &what);
                    checked += 1;
                }
            }
        }
    }
    assert!(checked > 50, "{checked}");
}

#[test]
fn per_segment_sensitivities_add_up_by_share() {
    for (key, j) in samples() {
        let all = levers(&j, &LeverOptions::default()).expect("levers");
        let each: Vec<Levers> = (0..j.segments.len())
            .map(|s| {
                let options = LeverOptions {
                    goal: None,
                    segment: Some(s),
                };
                levers(&j, &options).expect("levers")
            })
            .collect();
        for (t, lever) in all.touchpoints.iter().enumerate() {
            let removal: f64 = each
                .iter()
                .enumerate()
                .map(|(s, l)| j.segments[s].share * l.touchpoints[t].removal)
                .sum();
            near(lever.removal, removal, 1e-12, &key);
            for tr in &lever.transitions {
                for side in &tr.segments {
                    let own = each[side.segment].touchpoints[t]
                        .transitions
                        .iter()
                        .find(|x| x.target == tr.target)
                        .and_then(|x| x.sensitivity);
                    assert_eq!(own, side.sensitivity, "{key}");
                }
            }
        }
    }
}

/// a → b 50% | c 10% | exit; b has friction 10% (patience 50%) → c 80% | exit; c is the goal.
const FUNNEL: &str = "journey t {
   channel web digital
   segment only { share 100% patience 50% }
   stage s {
     touchpoint a on web { entry -> b 50% -> c 10% -> exit }
     touchpoint b on web { friction 20% -> c 80% -> exit }
     touchpoint c on web { goal buy }
   }
 }";

#[test]
fn a_funnel_by_hand() {
    let j = journey(FUNNEL);
    let l = levers(&j, &LeverOptions::default()).unwrap();
    let tp = |name: &str| &l.touchpoints[j.touchpoint(name).unwrap()];
    // b is passed with 1 − 0.2 · 0.5 = 0.9: C = 0.5 · 0.9 · 0.8 + 0.1.
    near(l.baseline, 0.46, 1e-15, "baseline");
    near(tp("a").removal, 0.46, 1e-15, "removal a (the only entry)");
    near(tp("b").removal, 0.36, 1e-15, "removal b");
    near(tp("c").removal, 0.46, 1e-15, "removal c (the goal)");
    let (a, b, c) = (0, 1, 2);
    near(l.relative(b).unwrap(), 0.36 / 0.46, 1e-15, "relative b");
    near(l.share(a).unwrap(), 0.46 / 1.28, 1e-15, "share a");
    near(l.share(b).unwrap(), 0.36 / 1.28, 1e-15, "share b");
    // Friction 10%: b is passed with 0.95, so C = 0.5 · 0.95 · 0.8 + 0.1 = 0.48.
    near(tp("b").friction_gain, 0.02, 1e-15, "friction b");
    assert_eq!(tp("a").friction_gain, 0.0);
    // From a: to b is worth 0.72, to c 1, exit 0. Moving ε to b takes 0.1/0.5 ε from c
    // and 0.4/0.5 ε from exit: 0.72 − 0.2 = 0.52.
    let sens = |t: &TouchpointLevers, to: &str| {
        let target = j.touchpoint(to).map_or(Target::Exit, Target::Touchpoint);
        t.transitions
            .iter()
            .find(|x| x.target == target)
            .and_then(|x| x.sensitivity)
            .unwrap()
    };
    near(sens(tp("a"), "b"), 0.52, 1e-15, "a -> b");
    near(
        sens(tp("a"), "c"),
        (0.5 * 0.28 + 0.4) / 0.9,
        1e-15,
        "a -> c",
    );
    near(
        sens(tp("a"), "exit"),
        -(0.36 + 0.1) / 0.6,
        1e-15,
        "a -> exit",
    );
    // At b (visited by half, passed by 0.9 of them): c is worth 1, exit 0.
    near(sens(tp("b"), "c"), 0.45, 1e-15, "b -> c");
    near(sens(tp("b"), "exit"), -0.45, 1e-15, "b -> exit");
    assert!(tp("c").transitions.is_empty());
    assert_eq!(l.best(a).unwrap().target, Target::Touchpoint(c));
    assert_eq!(l.best(c), None);
    // a and c tie at 0.46 and keep stage order.
    assert_eq!(l.ranked(LeverSort::Removal), [a, c, b]);
    assert_eq!(l.ranked(LeverSort::Friction), [b, a, c]);
    assert_eq!(l.ranked(LeverSort::Sensitivity), [a, b, c]);
}

#[test]
fn a_loop_by_hand() {
    // Half enter at a, half at b; a (friction 40%, patience 50%: passed with 0.8) → b;
    // b → a 50% | c 30% | exit. h_b = 0.5 · 0.8 · h_b + 0.3 = 0.5, h_a = 0.4: C = 0.45.
    let j = journey(
        "journey t {
           channel web digital
           segment only { share 100% patience 50% }
           stage s {
             touchpoint a on web { entry 50% friction 40% -> b }
             touchpoint b on web { entry 50% -> a 50% -> c 30% -> exit }
             touchpoint c on web { goal buy }
           }
         }",
    );
    let l = levers(&j, &LeverOptions::default()).unwrap();
    let (a, b, c) = (0, 1, 2);
    near(l.baseline, 0.45, 1e-15, "baseline");
    // Without a only the entries at b that go straight to c convert: 0.5 · 0.3.
    near(l.touchpoints[a].removal, 0.45 - 0.15, 1e-15, "removal a");
    near(l.touchpoints[b].removal, 0.45, 1e-15, "removal b");
    near(l.touchpoints[c].removal, 0.45, 1e-15, "removal c");
    // Friction 20%: a is passed with 0.9, h_b = 0.3 / 0.55 = 6/11, h_a = 0.9 · 6/11,
    // C' = 0.5 · (5.4 + 6) / 11 = 5.7 / 11.
    near(
        l.touchpoints[a].friction_gain,
        5.7 / 11.0 - 0.45,
        1e-15,
        "friction a",
    );
    // Visits of b: v_b = 0.5 + 0.8 · v_a, v_a = 0.5 + 0.5 · v_b, so v_b = 1.5. Moving ε
    // to c takes 5/7 ε from a (worth 0.4) and 2/7 ε from exit (worth 0).
    let to_c = l.touchpoints[b]
        .transitions
        .iter()
        .find(|x| x.target == Target::Touchpoint(c))
        .unwrap();
    near(
        to_c.sensitivity.unwrap(),
        1.5 * (0.5 * 0.6 + 0.2) / 0.7,
        1e-14,
        "b -> c",
    );
    // a's only transition has no sensitivity.
    assert_eq!(l.touchpoints[a].transitions[0].sensitivity, None);
    assert_eq!(l.best(a), None);
}

#[test]
fn nobody_converting_gives_no_relative_figures() {
    // Everyone abandons at a; halving its friction lets half of them through (the states
    // past a were never explored: the lever re-analyses that touchpoint).
    let j = journey(
        "journey t {
           channel web digital
           segment only { share 100% patience 0% }
           stage s {
             touchpoint a on web { entry friction 100% -> b 50% -> exit }
             touchpoint b on web { goal buy }
           }
         }",
    );
    let l = levers(&j, &LeverOptions::default()).unwrap();
    assert_eq!(l.baseline, 0.0);
    for t in 0..2 {
        assert_eq!(l.touchpoints[t].removal, 0.0);
        assert_eq!(l.relative(t), None);
        assert_eq!(l.share(t), None);
    }
    near(l.touchpoints[0].friction_gain, 0.25, 1e-15, "friction a");
    // Nobody carries on at a, so moving mass between its transitions changes nothing.
    assert_eq!(l.touchpoints[0].transitions[0].sensitivity, Some(0.0));
}

#[test]
fn triggers_count_in_removal_and_friction() {
    // A reminder brings back a third of those who abandon at a (friction 50%, patience 0).
    let j = journey(
        "journey t {
           channel web digital
           segment only { share 100% patience 0% }
           stage s {
             touchpoint a on web { entry friction 50% -> b }
             touchpoint b on web { goal buy }
           }
           trigger remind { on abandon at a via web limit 1 -> a 40% }
         }",
    );
    let l = levers(&j, &LeverOptions::default()).unwrap();
    // C = 0.5 + 0.5 · 0.4 · 0.5 = 0.6; at 25%: 0.75 + 0.25 · 0.4 · 0.75 = 0.825.
    near(l.baseline, 0.6, 1e-15, "baseline");
    near(l.touchpoints[0].friction_gain, 0.225, 1e-15, "friction a");
    near(l.touchpoints[0].removal, 0.6, 1e-15, "removal a");
}

#[test]
fn a_goal_that_is_not_primary() {
    let j = journey(
        "journey t {
           channel web digital
           primary_goal buy
           stage s {
             touchpoint a on web { entry -> b 50% -> exit }
             touchpoint b on web { goal look -> c 40% -> exit }
             touchpoint c on web { goal buy }
           }
         }",
    );
    let look = j.goal("look").unwrap();
    let l = levers(
        &j,
        &LeverOptions {
            goal: Some(look),
            segment: None,
        },
    )
    .unwrap();
    assert_eq!(l.goal, look);
    near(l.baseline, 0.5, 1e-15, "baseline");
    near(l.touchpoints[1].removal, 0.5, 1e-15, "removal b");
    // c comes after look: it changes nothing for it.
    assert_eq!(l.touchpoints[2].removal, 0.0);
    assert_eq!(l.touchpoints[1].transitions[0].sensitivity, Some(0.0));
}

#[test]
fn refusals() {
    let no_goal = journey(
        "journey t {
           channel web digital
           stage s { touchpoint a on web { entry -> exit } }
         }",
    );
    assert_eq!(
        levers(&no_goal, &LeverOptions::default()).unwrap_err(),
        AnalyzeError::NoGoal
    );
    let trap = journey(
        "journey t {
           channel web digital
           stage s {
             touchpoint a on web { entry -> b 50% -> c }
             touchpoint b on web { -> a }
             touchpoint c on web { goal done -> b }
           }
         }",
    );
    assert!(matches!(
        levers(&trap, &LeverOptions::default()),
        Err(AnalyzeError::NeverEnds { .. })
    ));
    let j = journey(FUNNEL);
    match levers_within(&j, &LeverOptions::default(), 2) {
        Err(AnalyzeError::TooManyStates { segment, .. }) => assert_eq!(segment, "only"),
        other => panic!("expected TooManyStates, got {other:?}"),
    }
}

#[test]
fn a_generated_journey_agrees_with_reanalysis_on_its_cycles() {
    // Loops back, a trigger returning to t1, two segments: the low-rank path on the
    // touchpoints of cycles, every touchpoint checked.
    let text = crate::generate::realistic(120, 3);
    let j = journey(&text);
    let base = analyze(&j).unwrap();
    let l = levers(&j, &LeverOptions::default()).unwrap();
    let goal = j.primary_goal.unwrap();
    // 120 steps of 85% leave a conversion near 1e-10: compare relative to it.
    let tolerance = EXACT * l.baseline;
    assert!(l.baseline > 0.0);
    near(l.baseline, base.all.goals[goal], tolerance, "baseline");
    for t in 0..j.touchpoints.len() {
        let gone = analyze(&removed(&j, t)).unwrap().all.goals[goal];
        let eased = analyze(&halved(&j, t)).unwrap().all.goals[goal];
        let name = &j.touchpoints[t].name;
        near(l.touchpoints[t].removal, l.baseline - gone, tolerance, name);
        near(
            l.touchpoints[t].friction_gain,
            eased - l.baseline,
            tolerance,
            name,
        );
    }
}
