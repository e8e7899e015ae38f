//! Unit tests of the exact analysis: tiny journeys whose figures are computed by hand here.

use super::*;
use crate::model::{self, Metric, Options, Target, Transition};

fn journey(text: &str) -> Journey {
    let c = model::resolve_source("t.journey", text, &Options::default()).expect("resolves");
    c.journey
        .unwrap_or_else(|| panic!("does not resolve: {:#?}", c.findings))
}

#[track_caller]
fn close(got: f64, want: f64) {
    assert!(
        (got - want).abs() <= 1e-12 * want.abs().max(1.0),
        "got {got}, expected {want}"
    );
}

#[track_caller]
fn some_close(got: Option<f64>, want: f64) {
    close(got.expect("a value"), want);
}

fn tp<'a>(j: &Journey, a: &'a Analysis, name: &str) -> &'a TouchpointFigures {
    &a.all.touchpoints[j.touchpoint(name).expect("touchpoint")]
}

#[test]
fn two_touchpoints() {
    let j = journey(
        "journey t {
           channel web digital { cost 0.5 }
           stage s {
             touchpoint a on web { entry duration 2m -> b 60% -> exit }
             touchpoint b on web { goal buy value 30 emotion +2 }
           }
         }",
    );
    let a = analyze(&j).unwrap();
    some_close(a.all.conversion, 0.6);
    close(a.all.touches, 1.6);
    close(a.all.cost_per_customer, 0.8);
    some_close(a.all.cost_per_conversion, 0.8 / 0.6);
    close(a.all.revenue_per_customer, 18.0);
    close(a.all.profit, 18.0 - 0.8);
    close(a.all.sentiment, 1.2);
    close(a.all.pains, 0.0);
    some_close(a.all.time_to_convert.mean, 120.0);
    close(tp(&j, &a, "b").reach, 0.6);
    some_close(tp(&j, &a, "a").drop_off, 0.4);
    some_close(tp(&j, &a, "b").drop_off, 0.0);
    close(a.all.outcomes.left, 0.4);
    close(a.all.outcomes.completed, 0.6);
    close(a.all.outcomes.abandoned, 0.0);
    assert_eq!(a.all.nps, None);
    assert_eq!(a.all.time_to_convert.p90, None);
}

#[test]
fn friction_with_patience() {
    let j = journey(
        "journey t {
           channel web digital
           segment only { share 100% patience 60% }
           stage s {
             touchpoint a on web { entry friction 25% -> b }
             touchpoint b on web { goal done }
           }
         }",
    );
    let a = analyze(&j).unwrap();
    // A pain point with chance 25%, survived with 60%: 10% abandon.
    some_close(a.all.conversion, 0.9);
    close(a.all.pains, 0.25);
    close(a.all.sentiment, -0.25);
    close(tp(&j, &a, "a").ended.abandoned, 0.1);
    some_close(tp(&j, &a, "a").drop_off, 0.1);
    close(a.all.outcomes.completed, 0.9);
}

#[test]
fn context_break() {
    let j = journey(
        "journey t {
           channel web digital
           channel email digital
           channel phone human
           context web, email
           context_loss 40%
           segment only { share 100% patience 50% }
           stage s {
             touchpoint a on web { entry 40% -> m }
             touchpoint m on email { entry 30% -> b }
             touchpoint b on phone { entry 30% friction 10% -> c }
             touchpoint c on phone { goal done }
           }
         }",
    );
    let a = analyze(&j).unwrap();
    // web → email shares context; email → phone does not (70% of customers arrive at b
    // that way); an entry never loses context (30%); phone → phone neither.
    // Across the break: context pain 40%, kept 1 − 0.4·0.5 = 0.8; then friction.
    let across = 0.8 * (1.0 - 0.1 * 0.5);
    let direct = 1.0 - 0.1 * 0.5;
    some_close(a.all.conversion, 0.7 * across + 0.3 * direct);
    close(a.all.pains, 0.7 * (0.4 + 0.8 * 0.1) + 0.3 * 0.1);
    close(tp(&j, &a, "m").visits, 0.7);
    close(
        tp(&j, &a, "b").ended.abandoned,
        0.7 * (1.0 - across) + 0.3 * (1.0 - direct),
    );
}

const TRIGGER: &str = "journey t {
   channel web digital
   channel email digital { cost 1 }
   context web, email
   segment only { share 100% patience 0% }
   stage s {
     touchpoint a on web { entry duration 10m friction 50% -> b }
     touchpoint b on web { goal buy }
   }
   trigger remind { on abandon at a after 1h via email limit LIMIT -> a 50% }
 }";

#[test]
fn trigger_with_limit_1() {
    let j = journey(&TRIGGER.replace("LIMIT", "1"));
    let a = analyze(&j).unwrap();
    // Half pass a; half abandon, the reminder fires and brings back half of them (25%),
    // who pass with 50%: 0.5 + 0.125. The others abandon at the limit.
    some_close(a.all.conversion, 0.625);
    close(tp(&j, &a, "a").visits, 1.25);
    close(tp(&j, &a, "a").reach, 1.0);
    some_close(tp(&j, &a, "a").drop_off, 0.375);
    close(a.all.pains, 0.625);
    close(a.all.cost_per_customer, 0.5);
    let r = a.all.triggers[0];
    close(r.firings, 0.5);
    close(r.returns, 0.25);
    close(r.brought_back, 0.25);
    // 0.5 convert after 10m; 0.125 after 10m + 1h + 10m.
    some_close(
        a.all.time_to_convert.mean,
        (0.5 * 600.0 + 0.125 * 4800.0) / 0.625,
    );
}

#[test]
fn trigger_with_limit_2_brings_back_fewer_than_it_returns() {
    let j = journey(&TRIGGER.replace("LIMIT", "2"));
    let a = analyze(&j).unwrap();
    some_close(a.all.conversion, 0.5 + 0.125 + 0.03125);
    close(tp(&j, &a, "a").visits, 1.3125);
    let r = a.all.triggers[0];
    close(r.firings, 0.625);
    close(r.returns, 0.3125);
    close(r.brought_back, 0.25);
}

#[test]
fn a_trigger_with_limit_0_never_fires() {
    let j = journey(&TRIGGER.replace("LIMIT", "0"));
    let a = analyze(&j).unwrap();
    some_close(a.all.conversion, 0.5);
    close(a.all.triggers[0].firings, 0.0);
    close(a.all.cost_per_customer, 0.0);
}

#[test]
fn a_goal_at_two_touchpoints_counts_customers_once() {
    let j = journey(
        "journey t {
           channel web digital
           primary_goal buy
           stage s {
             touchpoint a on web { entry goal look -> b 50% -> exit }
             touchpoint b on web { -> c }
             touchpoint c on web { goal look -> d 50% -> exit }
             touchpoint d on web { goal buy }
           }
         }",
    );
    let a = analyze(&j).unwrap();
    // Everyone looks at a; half of them look again at c: 1, not 1.5.
    close(a.all.goals[j.goal("look").unwrap()], 1.0);
    some_close(a.all.conversion, 0.25);
}

#[test]
fn abandon_then_exit_triggers_are_tried_in_order_when_leaving() {
    let j = journey(
        "journey t {
           channel web digital
           stage s { touchpoint a on web { entry -> exit } }
           trigger x { on abandon at a via web limit 1 -> a 100% }
           trigger y { on exit at a via web limit 1 -> a 100% }
         }",
    );
    let a = analyze(&j).unwrap();
    // Leaving fires x (an abandon trigger is a candidate when leaving), then y, then none.
    close(tp(&j, &a, "a").visits, 3.0);
    close(tp(&j, &a, "a").reach, 1.0);
    close(a.all.triggers[0].firings, 1.0);
    close(a.all.triggers[1].firings, 1.0);
    close(a.all.outcomes.left, 1.0);
    assert_eq!(a.all.conversion, None);
}

#[test]
fn completing_tries_only_exit_triggers() {
    let j = journey(
        "journey t {
           channel web digital
           stage s {
             touchpoint a on web { entry -> b }
             touchpoint b on web { goal done }
           }
           trigger x { on abandon at b via web limit 1 -> a 100% }
           trigger y { on exit at b via web limit 1 -> a 50% }
         }",
    );
    let a = analyze(&j).unwrap();
    close(a.all.triggers[0].firings, 0.0);
    close(a.all.triggers[1].firings, 1.0);
    close(tp(&j, &a, "a").visits, 1.5);
    close(tp(&j, &a, "b").visits, 1.5);
    // Converted on the first visit of b: a second one earns no conversion.
    some_close(a.all.conversion, 1.0);
}

#[test]
fn a_loop_has_reach_below_visits() {
    let j = journey(
        "journey t {
           channel web digital
           primary_goal buy
           stage s {
             touchpoint a on web { entry -> b 50% -> exit }
             touchpoint b on web { goal browse value 10 -> a 50% -> c }
             touchpoint c on web { goal buy }
           }
         }",
    );
    let a = analyze(&j).unwrap();
    // a → b → a closes with 25%: visits(a) = 1/(1 − 0.25); h(a) = 0.5·(0.5·h(a) + 0.5).
    some_close(a.all.conversion, 1.0 / 3.0);
    close(tp(&j, &a, "a").visits, 4.0 / 3.0);
    close(tp(&j, &a, "a").reach, 1.0);
    close(tp(&j, &a, "b").visits, 2.0 / 3.0);
    close(tp(&j, &a, "b").reach, 0.5);
    close(tp(&j, &a, "c").reach, 1.0 / 3.0);
    close(a.all.goals[j.goal("browse").unwrap()], 0.5);
    close(a.all.revenue_per_customer, 20.0 / 3.0);
    some_close(tp(&j, &a, "a").drop_off, 2.0 / 3.0);
    some_close(tp(&j, &a, "b").drop_off, 0.0);
}

#[test]
fn a_loop_across_a_context_break_has_two_states_per_touchpoint() {
    let j = journey(
        "journey t {
           channel web digital
           channel phone human
           context_loss 50%
           segment only { share 100% patience 50% }
           stage s {
             touchpoint a on web { entry -> b 80% -> exit }
             touchpoint b on phone { -> a 50% -> exit }
           }
         }",
    );
    let a = analyze(&j).unwrap();
    // b is always reached across a break (kept 75%); a is entered without one, and
    // re-entered across one. V_b = 0.8 + 0.8·0.75·V_a', V_a' = 0.75·0.5·V_b.
    let vb = 0.8 / (1.0 - 0.8 * 0.75 * 0.375);
    let va2 = 0.375 * vb;
    close(tp(&j, &a, "b").visits, vb);
    close(tp(&j, &a, "b").reach, 0.8);
    close(tp(&j, &a, "a").visits, 1.0 + va2);
    close(tp(&j, &a, "a").reach, 1.0);
    close(a.all.pains, 0.5 * (vb + va2));
    some_close(tp(&j, &a, "a").drop_off, 0.2 + 0.4 * va2);
    some_close(tp(&j, &a, "b").drop_off, 0.625 * vb / 0.8);
    assert_eq!(a.all.conversion, None);
}

#[test]
fn a_self_loop() {
    let j = journey(
        "journey t {
           channel web digital
           stage s {
             touchpoint a on web { entry -> a 50% -> b }
             touchpoint b on web { goal done }
           }
         }",
    );
    let a = analyze(&j).unwrap();
    close(tp(&j, &a, "a").visits, 2.0);
    close(tp(&j, &a, "a").reach, 1.0);
    some_close(a.all.conversion, 1.0);
}

#[test]
fn segments_mix_as_ratios_of_totals() {
    let j = journey(
        "journey t {
           channel web digital { cost 1 }
           segment lo { share 25% patience 100% }
           segment hi { share 75% patience 100% }
           stage s {
             touchpoint a on web { entry -> b 20% for lo -> b 60% for hi -> exit }
             touchpoint b on web { goal buy }
           }
           kpi conversion for lo >= 30%
           kpi cost_per_conversion <= 4
           kpi nps >= 0
           kpi p90(time_to_convert) <= 1d
           kpi drop_off(a) <= 10%
         }",
    );
    let a = analyze(&j).unwrap();
    some_close(a.segments[0].conversion, 0.2);
    some_close(a.segments[1].conversion, 0.6);
    some_close(a.all.conversion, 0.5);
    close(a.all.cost_per_customer, 1.5);
    // 1.5 / 0.5, not the mean of 6 and 2.67.
    some_close(a.all.cost_per_conversion, 3.0);
    some_close(tp(&j, &a, "a").drop_off, 0.5);
    let values: Vec<Option<f64>> = j.kpis.iter().map(|k| a.kpi_value(&j, k)).collect();
    some_close(values[0], 0.2);
    some_close(values[1], 3.0);
    assert_eq!(values[2], None);
    assert_eq!(values[3], None);
    some_close(values[4], 0.5);
}

#[test]
fn a_ring_larger_than_a_dense_block() {
    // 200 touchpoints in one loop: one sparse block of the solver.
    let n = 200;
    let mut text = String::from("journey t { channel web digital stage s {\n");
    for k in 0..n {
        let next = (k + 1) % n;
        let entry = if k == 0 { "entry" } else { "" };
        text += &format!("touchpoint t{k} on web {{ {entry} -> t{next} 99% -> exit }}\n");
    }
    text += "} }";
    let j = journey(&text);
    let a = analyze(&j).unwrap();
    let lap = 0.99f64.powi(n);
    for k in [0, 1, 57, 199] {
        let f = &a.all.touchpoints[k];
        close(f.visits, 0.99f64.powi(k as i32) / (1.0 - lap));
        close(f.reach, 0.99f64.powi(k as i32));
    }
    assert!(n as usize > solve::DENSE_MAX);
}

#[test]
fn a_trap_is_refused() {
    let j = journey(
        "journey t {
           channel web digital
           stage s {
             touchpoint a on web { entry -> b }
             touchpoint b on web { -> a }
           }
         }",
    );
    match analyze(&j) {
        Err(AnalyzeError::NeverEnds { touchpoints, .. }) => assert_eq!(touchpoints, ["a", "b"]),
        other => panic!("expected NeverEnds, got {other:?}"),
    }
}

#[test]
fn a_trap_nobody_enters_is_no_error() {
    let j = journey(
        "journey t {
           channel web digital
           segment only { share 100% patience 0% }
           stage s {
             touchpoint a on web { entry friction 100% -> b }
             touchpoint b on web { -> c }
             touchpoint c on web { -> b }
           }
         }",
    );
    let a = analyze(&j).unwrap();
    close(a.all.outcomes.abandoned, 1.0);
    close(tp(&j, &a, "b").reach, 0.0);
    assert_eq!(tp(&j, &a, "b").drop_off, None);
}

#[test]
fn too_many_states_is_refused() {
    let j = journey(&TRIGGER.replace("LIMIT", "3"));
    match analyze_within(&j, 3) {
        Err(e @ AnalyzeError::TooManyStates { .. }) => {
            assert!(e.to_string().contains("remind (limit 3)"), "{e}");
        }
        other => panic!("expected TooManyStates, got {other:?}"),
    }
}

#[test]
fn a_million_touchpoint_chain_does_not_overflow_the_stack() {
    let mut j = journey(
        "journey t {
           channel web digital
           stage s { touchpoint a on web { entry -> exit } }
         }",
    );
    let n = 1_000_000;
    let template = j.touchpoints[0].clone();
    j.touchpoints = (0..n)
        .map(|k| {
            let mut t = template.clone();
            t.name = format!("t{k}");
            t.entry = if k == 0 { 1.0 } else { 0.0 };
            t.transitions = vec![if k + 1 < n {
                vec![Transition {
                    target: Target::Touchpoint(k + 1),
                    probability: 1.0,
                    arrow: 0,
                }]
            } else {
                Vec::new()
            }];
            t
        })
        .collect();
    j.stages[0].touchpoints = (0..n).collect();
    let a = analyze(&j).unwrap();
    close(a.all.touches, n as f64);
    close(a.all.touchpoints[n - 1].reach, 1.0);
    close(a.all.outcomes.completed, 1.0);
}

/// LANGUAGE-2.md §2, closed form: one rated touchpoint with friction f and patience 100%
/// (nobody leaves after a pain point): csat = (1 − f)·P + f·Q; effort and ces likewise with
/// N and M; `csat(TP)` equals `csat` with one rated touchpoint.
#[test]
fn scores_of_one_rated_visit() {
    let (f, p, q, n, m) = (0.3, 0.8, 0.35, 2.0, 5.0);
    let j = journey(
        "journey t {
           channel web digital
           segment all { share 100% patience 100% }
           stage s {
             touchpoint a on web {
               entry friction 30% csat 80% pain 35% effort 2 pain 5
               -> b
             }
             touchpoint b on web { goal buy }
           }
         }",
    );
    let a = analyze(&j).unwrap();
    some_close(a.all.csat, (1.0 - f) * p + f * q);
    some_close(a.all.metric(Metric::CsatAt(0)), (1.0 - f) * p + f * q);
    assert_eq!(a.all.metric(Metric::CsatAt(1)), None, "`b` is not rated");
    some_close(a.all.effort, (1.0 - f) * n + f * m);
    some_close(a.all.ces, (1.0 - f) * n + f * m);
}

/// Two rated visits on average (a loop back with chance 1/2): csat is a ratio of expected
/// counts, effort a total per customer, ces effort per rated visit; with a context break
/// on the way back the second visit's pain chance is 1 − (1 − loss)(1 − f).
#[test]
fn scores_are_ratios_of_expectations_over_repeated_visits() {
    let j = journey(
        "journey t {
           channel web digital
           channel app digital
           context_loss 20%
           segment all { share 100% patience 100% }
           stage s {
             touchpoint a on web { entry friction 10% csat 90% pain 40% effort 1 pain 3 -> b }
             touchpoint b on app { -> a 50% -> exit }
           }
         }",
    );
    let a = analyze(&j).unwrap();
    // Visits to `a`: the first (pain chance 0.1) and a geometric number of returns across a
    // break (pain chance 1 − 0.8 · 0.9 = 0.28): expected returns 1 (0.5 / (1 − 0.5)).
    let (first, back) = (0.1, 1.0 - 0.8 * 0.9);
    let satisfied = (0.9 - 0.5 * first) + (0.9 - 0.5 * back);
    some_close(a.all.csat, satisfied / 2.0);
    let effort = (1.0 + 2.0 * first) + (1.0 + 2.0 * back);
    some_close(a.all.effort, effort);
    some_close(a.all.ces, effort / 2.0);
}

/// LANGUAGE-2.md §1, closed form: figures mix the segments' own attributes by share.
#[test]
fn per_segment_attributes_mix_by_share() {
    let j = journey(
        "journey t {
           channel web digital
           segment a { share 25% patience 100% }
           segment b { share 75% patience 0% }
           stage s {
             touchpoint x on web {
               entry friction 40% friction 0% for a cost 2 cost 10 for a
               -> y
             }
             touchpoint y on web { goal buy value 100 goal buy value 40 for b }
           }
         }",
    );
    let r = analyze(&j).unwrap();
    // Segment a: no friction, converts; b: friction 40%, patience 0 (leaves at every pain).
    some_close(r.segments[0].conversion, 1.0);
    some_close(r.segments[1].conversion, 0.6);
    close(r.all.cost_per_customer, 0.25 * 10.0 + 0.75 * 2.0);
    close(r.all.revenue_per_customer, 0.25 * 100.0 + 0.75 * 0.6 * 40.0);
    some_close(r.all.conversion, 0.25 + 0.75 * 0.6);
}

/// LANGUAGE-2.md §3, closed forms: a journey converting with certainty, value V, whose
/// customers come back with chance r after a fixed delay d, discounted at i a year:
/// clv = V / (1 − r·e^(−δd)) with δ = ln(1 + i) / 365 days, purchases = cycles = 1/(1 − r),
/// retention(K) = r^(K − 1) (max_cycles 1000 leaves r¹⁰⁰⁰, nothing).
#[test]
fn lifetime_of_certain_conversion() {
    let (v, r, d, i) = (80.0, 0.4, 30.0 * 86_400.0, 0.08);
    let j = journey(
        "journey t {
           channel web digital
           stage s {
             touchpoint buy on web { entry goal purchase value 80 }
           }
           lifecycle {
             repeat 40% after 30d
             discount 8%
             max_cycles 1000
           }
           kpi retention(4) >= 1%
         }",
    );
    let a = analyze(&j).unwrap();
    let delta = (1.0f64 + i).ln() / (365.0 * 86_400.0);
    some_close(
        a.all.metric(Metric::Clv),
        v / (1.0 - r * (-delta * d).exp()),
    );
    some_close(a.all.metric(Metric::Cycles), 1.0 / (1.0 - r));
    some_close(a.all.metric(Metric::Purchases), 1.0 / (1.0 - r));
    some_close(a.all.metric(Metric::LifetimeRevenue), v / (1.0 - r));
    for k in 1..=4 {
        some_close(a.all.metric(Metric::Retention(k)), r.powi(k as i32 - 1));
    }
}

/// Without a lifecycle a customer has one cycle: cycles 1, purchases = conversion, clv =
/// profit (undiscounted), retention(1) = conversion, retention(2) = 0.
#[test]
fn one_cycle_without_a_lifecycle() {
    let j = journey(
        "journey t {
           channel web digital { cost 2 }
           stage s {
             touchpoint a on web { entry -> b 30% -> exit }
             touchpoint b on web { goal buy value 50 }
           }
         }",
    );
    let a = analyze(&j).unwrap();
    some_close(a.all.metric(Metric::Cycles), 1.0);
    some_close(a.all.metric(Metric::Purchases), 0.3);
    some_close(a.all.metric(Metric::Clv), a.all.profit);
    some_close(a.all.metric(Metric::Retention(1)), 0.3);
    some_close(a.all.metric(Metric::Retention(2)), 0.0);
}

/// A winback after a cycle without the goal, and a bound on cycles: with conversion p,
/// repeat r, winback w, at most m cycles, cycles = Σ_{k<m} cᵏ with c = p·r + (1 − p)·w.
#[test]
fn cycles_with_winback_and_a_bound() {
    let j = journey(
        "journey t {
           channel web digital
           stage s {
             touchpoint a on web { entry -> b 25% -> exit }
             touchpoint b on web { goal buy value 10 }
           }
           lifecycle {
             repeat 60% after 10d..20d
             winback 20%
             max_cycles 3
           }
         }",
    );
    let a = analyze(&j).unwrap();
    let c: f64 = 0.25 * 0.6 + 0.75 * 0.2;
    some_close(a.all.metric(Metric::Cycles), 1.0 + c + c * c);
    some_close(a.all.metric(Metric::Purchases), 0.25 * (1.0 + c + c * c));
    // Undiscounted: clv is lifetime revenue − cost.
    some_close(a.all.metric(Metric::Clv), 10.0 * 0.25 * (1.0 + c + c * c));
}
