//! Unit tests of the simulator: tiny journeys whose figures are computed by hand here, each
//! estimate within 4 standard errors of its exact value (the seed is fixed, so these tests
//! are deterministic); bounds, segments, determinism and shards.

use super::*;
use crate::model::{self, Options};

fn journey(text: &str) -> Journey {
    let c = model::resolve_source("t.journey", text, &Options::default()).expect("resolves");
    c.journey
        .unwrap_or_else(|| panic!("does not resolve: {:#?}", c.findings))
}

fn run(j: &Journey, customers: u64) -> (Figures, Vec<Figures>) {
    let settings = Settings {
        customers,
        seed: 7,
        threads: 2,
        ..Settings::default()
    };
    let r = simulate(j, &settings, None).expect("simulates");
    let all = Figures::new(&r.frame, &r.tally.total());
    let segs = r
        .tally
        .segments
        .iter()
        .map(|t| Figures::new(&r.frame, t))
        .collect();
    (all, segs)
}

/// The estimate is within 4 standard errors (read from its 95% interval) of `want`.
#[track_caller]
fn near(e: Estimate, want: f64) {
    let se = e.half_width() / stats::Z95;
    assert!(
        (e.value - want).abs() <= 4.0 * se + 1e-9,
        "estimate {e:?} is more than 4 standard errors ({se:.2e}) from {want}"
    );
    assert!(e.low <= e.value && e.value <= e.high, "{e:?}");
}

/// The estimate is exactly `want` (no customer differs; a proportion's Wilson interval
/// still has a width).
#[track_caller]
fn exactly(e: Estimate, want: f64) {
    assert!((e.value - want).abs() < 1e-9, "{e:?} != {want}");
}

fn tp(j: &Journey, f: &Figures, name: &str) -> figures::TouchpointFigures {
    f.touchpoints[j.touchpoint(name).expect("touchpoint")].clone()
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
    let (f, _) = run(&j, 200_000);
    near(f.conversion.unwrap(), 0.6);
    near(f.touches, 1.6);
    near(f.cost_per_customer.unwrap(), 0.8);
    near(f.cost_per_conversion.unwrap(), 0.8 / 0.6);
    near(f.revenue_per_customer.unwrap(), 18.0);
    // Profit: revenue − cost per customer, 18 − 0.8, with its own interval.
    near(f.profit.unwrap(), 18.0 - 0.8);
    near(f.sentiment, 1.2);
    // Promoters are the converted (sentiment +2); nobody is a detractor.
    near(f.nps, 60.0);
    exactly(f.pains, 0.0);
    // Every converted customer spent exactly the 2 minutes at `a`.
    exactly(f.time_to_convert[0].unwrap(), 120.0);
    exactly(f.time_to_convert[1].unwrap(), 120.0);
    exactly(f.time_to_convert[3].unwrap(), 120.0);
    near(tp(&j, &f, "b").reach, 0.6);
    near(tp(&j, &f, "a").drop_off.unwrap(), 0.4);
    exactly(tp(&j, &f, "b").drop_off.unwrap(), 0.0);
    near(f.outcomes[tally::ending::LEFT], 0.4);
    near(f.outcomes[tally::ending::COMPLETED], 0.6);
    exactly(f.outcomes[tally::ending::ABANDONED], 0.0);
    near(f.funnel[0], 1.0);
}

#[test]
fn friction_with_patience() {
    // A pain point at `a` with chance 40%; patience 70% (the default): 12% abandon there.
    let j = journey(
        "journey t {
           channel web digital
           stage s {
             touchpoint a on web { entry friction 40% -> b }
             touchpoint b on web { goal buy }
           }
         }",
    );
    let (f, _) = run(&j, 200_000);
    near(f.conversion.unwrap(), 0.88);
    near(f.pains, 0.4);
    near(f.sentiment, -0.4);
    near(f.outcomes[tally::ending::ABANDONED], 0.12);
    near(tp(&j, &f, "a").pains, 0.4);
    near(tp(&j, &f, "a").ended[tally::ending::ABANDONED], 0.12);
    near(tp(&j, &f, "a").drop_off.unwrap(), 0.12);
    // Detractors: a pain point leaves sentiment −1 (40%); nobody is a promoter.
    near(f.nps, -40.0);
}

#[test]
fn context_break_between_channels() {
    // web → phone loses context: a pain point with chance 30%, patience 50%: 15% abandon
    // at `b` — after achieving its goal (step 1 comes before the pain points).
    let text = |context: &str| {
        format!(
            "journey t {{
               channel web digital
               channel phone human
               {context}
               segment all {{ share 100% patience 50% }}
               stage s {{
                 touchpoint a on web {{ entry -> b }}
                 touchpoint b on phone {{ goal help }}
               }}
             }}"
        )
    };
    let j = journey(&text(""));
    let (f, _) = run(&j, 200_000);
    exactly(f.conversion.unwrap(), 1.0);
    near(tp(&j, &f, "b").ended[tally::ending::ABANDONED], 0.15);
    near(f.pains, 0.3);
    near(f.outcomes[tally::ending::ABANDONED], 0.15);
    // Sharing context: no pain point at all.
    let (f, _) = run(&journey(&text("context web, phone")), 50_000);
    exactly(f.conversion.unwrap(), 1.0);
    exactly(f.pains, 0.0);
}

#[test]
fn trigger_with_limit_one() {
    // Patience 0: every pain point abandons. Half pass `a` the first time; the others get the
    // email (limit 1), 40% come back and half of those pass: 0.5 + 0.5 · 0.4 · 0.5 = 0.6.
    let j = journey(
        "journey t {
           channel web digital { cost 1 }
           channel email digital { cost 0.1 }
           context_loss 0%
           segment all { share 100% patience 0% }
           stage s {
             touchpoint a on web { entry friction 50% -> b }
             touchpoint b on web { goal buy }
           }
           trigger nudge { on abandon at a after 1h via email limit 1 -> a 40% }
         }",
    );
    let (f, _) = run(&j, 200_000);
    near(f.conversion.unwrap(), 0.6);
    let t = &f.triggers[0];
    near(t.firings, 0.5);
    near(t.brought_back, 0.2);
    assert!((t.returns - 0.2).abs() < 0.01, "{}", t.returns);
    near(t.conversion_after.unwrap(), 0.5);
    // Visits: a once, a again for the 20% brought back, b for the 60% converted.
    near(f.touches, 1.8);
    // Cost: a visit costs 1, b 1, the email 0.1 per firing.
    near(f.cost_per_customer.unwrap(), 1.8 + 0.05);
    near(f.outcomes[tally::ending::ABANDONED], 0.4);
    // Converted after the email: 1h waited.
    let (p50, p99) = (f.time_to_convert[1].unwrap(), f.time_to_convert[3].unwrap());
    exactly(p50, 0.0);
    exactly(p99, 3600.0);
}

#[test]
fn horizon_times_out_moves_but_not_exits() {
    let j = journey(
        "journey t {
           channel web digital
           horizon 1d
           stage s {
             touchpoint a on web { entry 50% duration 2d -> b }
             touchpoint c on web { entry duration 2d -> exit }
             touchpoint b on web { goal buy }
           }
         }",
    );
    let (f, _) = run(&j, 20_000);
    exactly(f.conversion.unwrap(), 0.0);
    near(f.outcomes[tally::ending::TIMED_OUT], 0.5);
    near(f.outcomes[tally::ending::LEFT], 0.5);
    near(tp(&j, &f, "a").ended[tally::ending::TIMED_OUT], 0.5);
    // Without the horizon, the same customers convert.
    let settings = Settings {
        customers: 20_000,
        ignore_horizon: true,
        ..Settings::default()
    };
    let r = simulate(&j, &settings, None).unwrap();
    let f = Figures::new(&r.frame, &r.tally.total());
    near(f.conversion.unwrap(), 0.5);
    assert!(r.frame.horizon_ignored);
}

#[test]
fn max_steps_ends_a_loop_stuck() {
    let j = journey(
        "journey t {
           channel web digital
           max_steps 10
           stage s { touchpoint a on web { entry -> a } }
         }",
    );
    let (f, _) = run(&j, 1_000);
    exactly(f.outcomes[tally::ending::STUCK], 1.0);
    exactly(f.touches, 10.0);
    exactly(tp(&j, &f, "a").visits, 10.0);
    exactly(tp(&j, &f, "a").reach, 1.0);
    assert!(f.conversion.is_none(), "no goal, no conversion");
}

#[test]
fn segments_by_share_with_their_own_transitions() {
    let j = journey(
        "journey t {
           channel web digital
           segment x { share 30% }
           segment y { share 70% }
           stage s {
             touchpoint a on web { entry -> b 100% for x -> exit }
             touchpoint b on web { goal buy }
           }
         }",
    );
    let (f, segs) = run(&j, 100_000);
    near(f.conversion.unwrap(), 0.3);
    exactly(segs[0].conversion.unwrap(), 1.0);
    exactly(segs[1].conversion.unwrap(), 0.0);
    assert_eq!(segs[0].customers + segs[1].customers, 100_000);
    near(stats::proportion(segs[0].customers, 100_000).unwrap(), 0.3);
}

#[test]
fn uniform_durations_average_their_midpoint() {
    let j = journey(
        "journey t {
           channel web digital
           stage s {
             touchpoint a on web { entry duration 1h..3h -> b }
             touchpoint b on web { goal buy }
           }
         }",
    );
    let (f, _) = run(&j, 100_000);
    near(f.time_to_convert[0].unwrap(), 7200.0);
    let p90 = f.time_to_convert[2].unwrap();
    assert!((p90.value - 10_080.0).abs() / 10_080.0 < 0.01, "{p90:?}");
}

#[test]
fn output_does_not_depend_on_threads_or_shards() {
    let j = journey(
        "journey t {
           channel web digital
           channel phone human { cost 3 }
           horizon 2h
           stage s {
             touchpoint a on web { entry 60% duration 1m..5m friction 20% -> b 50% -> c 30% -> exit }
             touchpoint c on phone { entry duration 10m..50m -> a 40% -> b 30% -> exit }
             touchpoint b on web { goal buy value 10 }
           }
           trigger again { on abandon at a after 30m via phone limit 2 -> c 50% }
         }",
    );
    let at = |threads, shard| {
        let s = Settings {
            customers: 10_007,
            seed: 3,
            threads,
            shard,
            ignore_horizon: false,
        };
        simulate(&j, &s, None).unwrap()
    };
    let one = at(1, None);
    assert_eq!(one.tally, at(2, None).tally);
    assert_eq!(one.tally, at(8, None).tally);
    let shards: Vec<(String, Run)> = (1..=3)
        .map(|k| {
            let shard = Shard { index: k, count: 3 };
            (format!("shard {k}"), at(2, Some(shard)))
        })
        .rev()
        .collect();
    let merged = merge(shards).unwrap();
    assert_eq!(merged, one);
}

#[test]
fn merging_refuses_what_does_not_fit() {
    let j = journey(
        "journey t { channel web digital stage s { touchpoint a on web { entry -> exit } } }",
    );
    let shard = |index, count, seed| {
        let s = Settings {
            customers: 100,
            seed,
            shard: Some(Shard { index, count }),
            ..Settings::default()
        };
        (format!("{index}/{count}"), simulate(&j, &s, None).unwrap())
    };
    let missing = merge(vec![shard(1, 3, 0), shard(3, 3, 0)]).unwrap_err();
    assert_eq!(missing, MergeError::Missing("2/3".into()));
    let twice = merge(vec![shard(1, 2, 0), shard(1, 2, 0), shard(2, 2, 0)]).unwrap_err();
    assert!(matches!(twice, MergeError::Duplicate(..)), "{twice:?}");
    let seeds = merge(vec![shard(1, 2, 0), shard(2, 2, 1)]).unwrap_err();
    assert!(
        matches!(seeds, MergeError::Mismatch(_, _, "another seed")),
        "{seeds:?}"
    );
    let (name, mut forged) = shard(1, 2, 0);
    forged.shard = Some(Shard {
        index: 1,
        count: u64::MAX,
    });
    assert!(matches!(
        merge(vec![(name, forged)]).unwrap_err(),
        MergeError::BadShard(..)
    ));
    let whole = simulate(&j, &Settings::default(), None).unwrap();
    assert!(matches!(
        merge(vec![("whole".into(), whole)]).unwrap_err(),
        MergeError::NotAShard(_)
    ));
}

#[test]
fn shards_parse_and_slice_the_population() {
    let s: Shard = "2/3".parse().unwrap();
    assert_eq!(s.range(10), (3, 6));
    let all: Vec<(u64, u64)> = (1..=3)
        .map(|k| Shard { index: k, count: 3 }.range(10))
        .collect();
    assert_eq!(all, vec![(0, 3), (3, 6), (6, 10)]);
    assert!("0/3".parse::<Shard>().is_err());
    assert!("4/3".parse::<Shard>().is_err());
    assert!("x".parse::<Shard>().is_err());
    assert!("1/1000000000".parse::<Shard>().is_err(), "N is bounded");
}

#[test]
fn zero_customers_is_an_error() {
    let j = journey(
        "journey t { channel web digital stage s { touchpoint a on web { entry -> exit } } }",
    );
    let s = Settings {
        customers: 0,
        ..Settings::default()
    };
    assert_eq!(
        simulate(&j, &s, None).unwrap_err(),
        SimulateError::NoCustomers
    );
}

/// `n` goal touchpoints `b0…` reached from the entry `a` with chances 1/(n+1) each, and
/// `exit` with the rest: a move table of `n + 1` outcomes.
fn fan_out(n: usize) -> Journey {
    let share = 100.0 / (n + 1) as f64;
    let moves: String = (0..n).map(|i| format!(" -> b{i} {share:.6}%")).collect();
    let targets: String = (0..n)
        .map(|i| format!("touchpoint b{i} on web {{ goal g{i} value {i} }}\n"))
        .collect();
    journey(&format!(
        "journey t {{
           channel web digital {{ cost 1 }}
           stage s {{
             touchpoint a on web {{ entry {moves} -> exit }}
             {targets}
           }}
         }}"
    ))
}

#[test]
fn long_move_tables_pick_by_their_probabilities() {
    // Six and twenty outcomes: past the four a hop inlines (a scan of the table), and past
    // the sixteen scanned (a binary search).
    for n in [5, 19] {
        let j = fan_out(n);
        let (f, _) = run(&j, 200_000);
        let p = 1.0 / (n + 1) as f64;
        for i in 0..n {
            near(tp(&j, &f, &format!("b{i}")).reach, p);
        }
        near(f.outcomes[tally::ending::LEFT], p);
        near(
            f.revenue_per_customer.unwrap(),
            p * (0..n).sum::<usize>() as f64,
        );
    }
}

/// Every variant of the walk — saturating totals or not, stage and goal bits or stamps, the
/// set a customer reached counted as one number or stage by stage — counts exactly the same.
#[test]
fn every_variant_of_the_walk_counts_the_same() {
    let examples = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let options = Options {
        root: Some(examples.clone()),
        scenario: None,
    };
    let mut journeys: Vec<(String, Journey)> = ["checkout", "onboarding", "support"]
        .iter()
        .map(|name| {
            let path = examples.join(format!("{name}.journey"));
            let j = model::resolve(&path, &options).expect("reads").journey;
            (name.to_string(), j.expect("resolves"))
        })
        .collect();
    journeys.push(("fan-out".into(), fan_out(7)));
    // No goal at all, so no primary goal: nobody converts on any path.
    journeys.push((
        "no goal".into(),
        journey(
            "journey t {
               channel web digital { cost 1 }
               stage s {
                 touchpoint a on web { entry friction 20% -> b 70% -> exit }
                 touchpoint b on web { emotion +1 }
               }
             }",
        ),
    ));
    for (n, seed) in [(200, 3), (600, 5)] {
        let text = crate::generate::realistic(n, seed);
        let j = model::resolve_source("g.journey", text, &Options::default())
            .expect("reads")
            .journey
            .expect("resolves");
        journeys.push((format!("generated {n}"), j));
    }
    let settings = Settings {
        customers: 20_000,
        seed: 11,
        threads: 1,
        ..Settings::default()
    };
    let mut seen = std::collections::BTreeSet::new();
    for (name, j) in &journeys {
        let fast = compile::Tables::new(j, false);
        seen.insert((fast.bounded, fast.narrow, fast.combos));
        let want = simulate_tables(j, fast.clone(), &settings, None)
            .expect("simulates")
            .tally;
        for (bounded, narrow, combos) in [
            (false, true, true),
            (true, true, false),
            (true, false, false),
            (false, false, false),
        ] {
            let mut t = fast.clone();
            t.bounded &= bounded;
            t.narrow &= narrow;
            t.combos &= combos && t.narrow;
            let got = simulate_tables(j, t, &settings, None)
                .expect("simulates")
                .tally;
            assert!(
                got == want,
                "{name}: the walk with bounded {bounded}, narrow {narrow}, combos {combos} \
                 counts differently"
            );
        }
    }
    // The journeys themselves choose each fast path somewhere.
    assert!(seen.contains(&(true, true, true)), "{seen:?}");
    assert!(seen.contains(&(true, true, false)), "{seen:?}");
    assert!(seen.contains(&(true, false, false)), "{seen:?}");
}

/// Customers' visits, pain points and sentiment are counted by value when small (see
/// `engine::Scratch`) and one by one otherwise: both ways add up to the sums of what each
/// customer did, squares, promoters and detractors included.
#[test]
fn small_and_large_customer_totals_add_up_the_same() {
    // A loop that rubs half the time and never loses anyone to impatience: walks from one
    // visit to past a hundred, pain points past 8, emotion totals far below −32 and above 32.
    let j = journey(
        "journey t {
           max_steps 150
           channel web digital { cost 1 }
           segment calm \"Calm\" { share 50% patience 100% }
           segment glad \"Glad\" { share 50% patience 100% }
           stage s {
             touchpoint a on web { entry 50% friction 50% emotion -3 -> a 95% -> exit }
             touchpoint b on web { entry 50% emotion +3 -> b 95% -> exit }
           }
         }",
    );
    let t = compile::Tables::new(&j, false);
    let mut scratch = engine::Scratch::new(&t);
    let mut tally = tally::Counts::new(&t);
    let mut want = Tally::new(&t);
    let (mut long, mut painful, mut low, mut high) = (0, 0, 0, 0);
    for i in 0..20_000 {
        let start = engine::Start::new(&t, 5, i);
        let trace = engine::customer(&t, start, &mut scratch, &mut tally);
        let seg = &mut want.segments[scratch.segment()];
        seg.touches += trace.touches;
        seg.touches_sq += (trace.touches * trace.touches) as u128;
        seg.add_feelings(1, trace.pains, trace.sentiment);
        long += (trace.touches >= 64) as u32;
        painful += (trace.pains >= 8) as u32;
        low += (trace.sentiment + (trace.pains as i64) < -32) as u32;
        high += (trace.sentiment >= 32) as u32;
    }
    scratch.flush(&t, &mut tally);
    let tally = tally.into_tally();
    assert!(
        long > 0 && painful > 0 && low > 0 && high > 0,
        "{long} {painful} {low} {high}"
    );
    for (got, want) in tally.segments.iter().zip(&want.segments) {
        assert_eq!(
            (got.touches, got.touches_sq, got.pains, got.pains_sq),
            (want.touches, want.touches_sq, want.pains, want.pains_sq)
        );
        assert_eq!(
            (
                got.sentiment,
                got.sentiment_sq,
                got.promoters,
                got.detractors
            ),
            (
                want.sentiment,
                want.sentiment_sq,
                want.promoters,
                want.detractors
            )
        );
    }
}

#[test]
fn threads_are_clamped_to_the_work_and_a_ceiling() {
    use super::{MAX_THREADS, worker_threads};
    // Beyond the blocks: one thread per block at most.
    assert_eq!(worker_threads(100_000, 1), 1);
    assert_eq!(worker_threads(10_000, 5), 5);
    // Beyond the ceiling.
    assert_eq!(worker_threads(usize::MAX, u64::MAX), MAX_THREADS);
    // All cores, still at least one and at most the blocks.
    assert!((1..=3).contains(&worker_threads(0, 3)));
    assert_eq!(worker_threads(8, 0), 1);
    assert_eq!(worker_threads(3, 100), 3);
}

/// A worker keeps a record only for the segments its customers came from (issue #11: a
/// journey of 100,000 segments cost a record per segment × touchpoint per group of blocks),
/// and the totals do not depend on how the customers were split between workers.
#[test]
fn workers_count_only_the_segments_they_see_and_merge_to_the_same_totals() {
    let mut text = String::from("journey t {\n channel web digital\n");
    for k in 0..200 {
        // One segment takes almost everyone; the others a thousandth of a percent each.
        let share = if k == 0 { "99.801%" } else { "0.001%" };
        text += &format!(" segment s{k} {{ share {share} }}\n");
    }
    text += " stage s {\n  touchpoint a on web { entry -> b 50% -> exit }\n";
    text += "  touchpoint b on web { goal done }\n }\n}\n";
    let j = journey(&text);
    let t = compile::Tables::new(&j, false);
    let (mut scratch, mut one) = (engine::Scratch::new(&t), tally::Counts::new(&t));
    engine::walk(&t, 3, 0, 2_000, &mut scratch, &mut one);
    scratch.flush(&t, &mut one);
    let seen = one.records();
    assert!(
        (1..20).contains(&seen),
        "{seen} records for 2,000 customers"
    );
    // The same customers in three workers of uneven sizes, merged in another order.
    let mut parts: Vec<_> = [(0, 700), (700, 1_900), (1_900, 2_000)]
        .into_iter()
        .map(|(from, to)| {
            let (mut s, mut c) = (engine::Scratch::new(&t), tally::Counts::new(&t));
            engine::walk(&t, 3, from, to, &mut s, &mut c);
            s.flush(&t, &mut c);
            c
        })
        .collect();
    let mut merged = parts.pop().expect("three parts");
    for part in parts {
        merged.merge(part);
    }
    assert_eq!(merged.records(), seen);
    let (merged, one) = (merged.into_tally(), one.into_tally());
    assert_eq!(merged, one);
    assert_eq!(one.segments.len(), 200);
    assert_eq!(one.customers(), 2_000);
}

/// Flushing the scratch within a walk (as a worker does every 2³⁰ visits, so that a cell's
/// 64-bit sums cannot wrap) changes no total: here after every few visits, on a journey of
/// loops, triggers and pain points, with and without the stage-and-goal bits.
#[test]
fn flushing_within_a_walk_changes_no_total() {
    let j = journey(
        "journey t {
           channel web digital { cost 1 }
           channel email digital
           segment calm \"Calm\" { share 60% patience 90% }
           segment busy \"Busy\" { share 40% patience 50% }
           stage s {
             touchpoint a on web { entry friction 20% emotion -1 -> b 60% -> a 30% -> exit }
             touchpoint b on web { friction 10% -> c 50% -> a 30% -> exit }
           }
           stage t {
             touchpoint c on web { goal done value 5 }
           }
           trigger nudge {
             on abandon at a, b
             after 1d
             via email
             limit 2
             -> b 40%
           }
         }",
    );
    for narrow in [true, false] {
        let mut t = compile::Tables::new(&j, false);
        t.narrow &= narrow;
        let count = |every: u64| {
            let mut s = engine::Scratch::new(&t).flushing_every(every);
            let mut c = tally::Counts::new(&t);
            engine::walk(&t, 9, 0, 3_000, &mut s, &mut c);
            engine::walk(&t, 9, 3_000, 5_000, &mut s, &mut c);
            s.flush(&t, &mut c);
            c.into_tally()
        };
        let whole = count(u64::MAX);
        assert_eq!(whole.customers(), 5_000);
        for every in [1, 3, 7, 1_000] {
            assert_eq!(count(every), whole, "flushing every {every} visits");
        }
    }
}

/// Profit is revenue − cost per customer. Without goal values the walk does not count it
/// (it is −cost, read from the cost's sums): the same estimate as cost's, negated, and the
/// same exact value as `analyze`'s.
#[test]
fn profit_is_revenue_minus_cost_with_and_without_goal_values() {
    let exact = |j: &Journey| crate::analyze::analyze(j).expect("analyzes").all.profit;
    let valued = journey(
        "journey t {
           channel web digital { cost 2 }
           stage s {
             touchpoint a on web { entry -> a 30% -> b 50% -> exit }
             touchpoint b on web { goal buy value 10 }
           }
         }",
    );
    // Visits of a: 1/0.7; b reached with 0.5/0.7; cost 2 per visit.
    let (visits_a, reach_b) = (1.0 / 0.7, 0.5 / 0.7);
    let want = 10.0 * reach_b - 2.0 * (visits_a + reach_b);
    let (f, _) = run(&valued, 200_000);
    near(f.profit.unwrap(), want);
    assert!((exact(&valued) - want).abs() < 1e-9);
    let unvalued = journey(
        "journey t {
           channel web digital { cost 2 }
           stage s {
             touchpoint a on web { entry -> a 30% -> b 50% -> exit }
             touchpoint b on web { goal buy }
           }
         }",
    );
    let (f, _) = run(&unvalued, 200_000);
    let (p, c) = (f.profit.unwrap(), f.cost_per_customer.unwrap());
    assert_eq!((p.value, p.low, p.high), (-c.value, -c.high, -c.low));
    let want = -2.0 * (visits_a + reach_b);
    near(p, want);
    assert!((exact(&unvalued) - want).abs() < 1e-9);
}

/// A run's profit sums are revenue minus cost: `validate::check` accepts a real run and
/// refuses one whose profit was edited (a shard file changed by hand).
#[test]
fn validation_refuses_a_profit_that_is_not_revenue_minus_cost() {
    let j = journey(
        "journey t {
           channel web digital { cost 2 }
           stage s {
             touchpoint a on web { entry -> b 50% -> exit }
             touchpoint b on web { goal buy value 10 }
           }
         }",
    );
    let settings = Settings {
        customers: 5_000,
        seed: 3,
        ..Settings::default()
    };
    let mut r = simulate(&j, &settings, None).expect("simulates");
    validate::check(&r).expect("a real run is valid");
    r.tally.segments[0].profit.sum += 1;
    let e = validate::check(&r).expect_err("an edited profit");
    assert!(e.contains("profit"), "{e}");
}

/// A run's lifetime totals hang together (LANGUAGE-2.md §3): `validate::check` accepts a
/// real lifecycle run and refuses edited ones (a forged shard could otherwise report a
/// retention above 100%).
#[test]
fn validation_refuses_lifetime_totals_that_do_not_add_up() {
    let j = journey(
        "journey t {
           channel web digital { cost 2 }
           stage s {
             touchpoint a on web { entry -> b 50% -> exit }
             touchpoint b on web { goal buy value 10 }
           }
           lifecycle { repeat 50% after 30d winback 20% after 60d discount 5% }
         }",
    );
    let settings = Settings {
        customers: 5_000,
        seed: 3,
        ..Settings::default()
    };
    let r = simulate(&j, &settings, None).expect("simulates");
    validate::check(&r).expect("a real run is valid");
    let life = &r.tally.segments[0].life;
    assert_eq!(life.months[0], 5_000, "everyone starts a first cycle");
    assert_eq!(life.purchases_hist.iter().sum::<u64>(), 5_000);
    assert!(life.cycles.sum > 5_000, "some come back");
    let edits: [fn(&mut crate::sim::tally::Life); 4] = [
        |l| l.purchases_hist[0] += 1,
        |l| l.months[1] = 9_999,
        |l| l.purchases.sum = l.cycles.sum + 1,
        |l| l.cycles.sum = 10,
    ];
    for edit in edits {
        let mut forged = r.clone();
        edit(&mut forged.tally.segments[0].life);
        assert!(validate::check(&forged).is_err());
    }
    // Lifetime totals in a run of a journey without a lifecycle are forged too.
    let plain = journey(
        "journey t {
           channel web digital
           stage s { touchpoint a on web { entry goal g } }
         }",
    );
    let mut r = simulate(&plain, &settings, None).unwrap();
    r.tally.segments[0].life = life.clone();
    assert!(validate::check(&r).is_err());
}
