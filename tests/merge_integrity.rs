//! Issue #11 item 5: `merge` trusts nothing in its shard files. Shards of two versions of a
//! journey (same names, other probabilities) are refused by their fingerprints; damaged
//! files (an index out of range, a touchpoint removed, a goal or KPI pointing nowhere, counts
//! that do not add up or exceed the population) are refused with the file's name and what is
//! wrong — never a panic in a renderer, never a figure like "conversion 20000000000003.54%".

use crate::common;

use common::{journeyc, journeyc_in};
use journeyc::model::{self, Options};
use journeyc::report::simulation::{self, Computed, read_shard, shard_json};
use journeyc::sim::{self, Settings, Shard, simulate};
use serde_json::Value;
use std::path::Path;

const CHECKOUT: &str = include_str!("../examples/checkout.journey");

/// Writes the K/3 shards of `file` (in `dir`) and returns their paths.
fn shards(dir: &Path, file: &str, count: u32) -> Vec<String> {
    (1..=count)
        .map(|k| {
            let (code, out, err) = journeyc_in(
                dir,
                &[
                    "simulate",
                    file,
                    "-n",
                    "3000",
                    "--seed",
                    "7",
                    "--shard",
                    &format!("{k}/{count}"),
                ],
            );
            assert_eq!(code, 0, "{err}");
            let path = dir.join(format!("{file}.{k}.json"));
            std::fs::write(&path, out).unwrap();
            path.to_string_lossy().into_owned()
        })
        .collect()
}

fn merge(paths: &[String]) -> (i32, String, String) {
    let mut args = vec!["merge"];
    args.extend(paths.iter().map(String::as_str));
    journeyc(&args)
}

#[test]
fn shards_of_two_versions_of_a_journey_do_not_blend() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("old.journey"), CHECKOUT).unwrap();
    // Same names, other probabilities: nothing in the totals' shape differs.
    let new = CHECKOUT.replacen("friction 25%", "friction 5%", 1);
    assert_ne!(new, CHECKOUT);
    std::fs::write(d.join("new.journey"), new).unwrap();
    let old = shards(d, "old.journey", 2);
    let new = shards(d, "new.journey", 2);
    let (code, out, err) = merge(&[old[0].clone(), new[1].clone()]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(out.is_empty(), "{out}");
    assert!(err.contains("fingerprints differ"), "{err}");
    // Another seed, another population, another shard count: refused too.
    let (code, out, _) = journeyc_in(
        d,
        &[
            "simulate",
            "old.journey",
            "-n",
            "3000",
            "--seed",
            "8",
            "--shard",
            "2/2",
        ],
    );
    assert_eq!(code, 0);
    std::fs::write(d.join("seed8.json"), out).unwrap();
    let (code, _, err) = merge(&[
        old[0].clone(),
        d.join("seed8.json").to_string_lossy().into(),
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("another seed") || err.contains("fingerprints differ"),
        "{err}"
    );
    // The two shards of one version merge.
    let (code, _, err) = merge(&old);
    assert_eq!(code, 0, "{err}");
}

#[test]
fn duplicates_and_gaps_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("c.journey"), CHECKOUT).unwrap();
    let s = shards(d, "c.journey", 3);
    let (code, _, err) = merge(&[s[0].clone(), s[1].clone(), s[1].clone(), s[2].clone()]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("are both shard 2/3"), "{err}");
    let (code, _, err) = merge(&[s[0].clone(), s[2].clone()]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("shards missing: 2/3"), "{err}");
}

/// Each damage done to shard 1/3, and a word of the error it must give.
type Damage = (&'static str, fn(&mut Value), &'static str);

#[test]
fn damaged_shards_are_refused_before_anything_is_rendered() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("c.journey"), CHECKOUT).unwrap();
    let s = shards(d, "c.journey", 3);
    let good: Value = serde_json::from_str(&std::fs::read_to_string(&s[0]).unwrap()).unwrap();
    let cases: [Damage; 13] = [
        (
            "index 0",
            |v| v["run"]["shard"]["index"] = 0.into(),
            "shard 0/3",
        ),
        (
            "index 7 of 3",
            |v| v["run"]["shard"]["index"] = 7.into(),
            "shard 7/3",
        ),
        (
            "a touchpoint removed",
            |v| {
                v["run"]["frame"]["touchpoints"]
                    .as_array_mut()
                    .unwrap()
                    .pop();
            },
            "damaged",
        ),
        (
            "primary_goal 99",
            |v| v["run"]["frame"]["primary_goal"] = 99.into(),
            "primary goal 99",
        ),
        (
            "an extra goal",
            |v| {
                v["run"]["frame"]["goals"]
                    .as_array_mut()
                    .unwrap()
                    .push("extra".into())
            },
            "shape",
        ),
        (
            "a KPI about segment 99",
            |v| v["run"]["frame"]["kpis"][0]["segment"] = 99.into(),
            "segment that does not exist",
        ),
        (
            "a goal reached 10^15 times",
            |v| v["run"]["tally"]["segments"][0]["goals"][0] = 1_000_000_000_000_000u64.into(),
            "more than the",
        ),
        (
            "outcomes that do not add up",
            |v| {
                let o = &mut v["run"]["tally"]["segments"][0]["outcomes"][0];
                *o = (o.as_u64().unwrap() + 1).into();
            },
            "endings add up to",
        ),
        (
            "customers that are not the slice",
            |v| {
                let c = &mut v["run"]["tally"]["segments"][0]["customers"];
                *c = (c.as_u64().unwrap() + 1).into();
            },
            "damaged",
        ),
        (
            "a stage reached by more customers than ran",
            |v| v["run"]["tally"]["segments"][0]["stages"][0] = 4_000_000u64.into(),
            "more than the",
        ),
        (
            "an older format",
            |v| v["version"] = 1.into(),
            "format version 1",
        ),
        (
            "a fingerprint that is not a hash",
            |v| v["fingerprint"] = "x".into(),
            "not a SHA-256",
        ),
        (
            "another run's fingerprint",
            |v| v["fingerprint"] = "0".repeat(64).into(),
            "fingerprints differ",
        ),
    ];
    for (what, damage, says) in cases {
        let mut v = good.clone();
        damage(&mut v);
        let bad = d.join("bad.json");
        std::fs::write(&bad, serde_json::to_string(&v).unwrap()).unwrap();
        for format in ["table", "json", "csv"] {
            let (code, out, err) = journeyc(&[
                "merge",
                "--format",
                format,
                bad.to_str().unwrap(),
                &s[1],
                &s[2],
            ]);
            assert_eq!(code, 2, "{what}: {out}{err}");
            assert!(out.is_empty(), "{what}: printed {out}");
            assert!(!err.contains("panicked"), "{what}: {err}");
            assert!(err.contains(says), "{what}: expected `{says}` in {err}");
            assert!(
                err.contains("bad.json"),
                "{what}: the file is not named: {err}"
            );
        }
    }
}

// Library level: thousands of single-number mutations of a valid shard (moved here from a unit
// test of `sim::validate`, which may not import `report`: docs/architecture.md, "Layers").

/// Shard `k` of 2 of the checkout example, with exact values, as a shard file.
fn shard_text(k: u64) -> String {
    let text = CHECKOUT;
    let c = model::resolve_source("checkout.journey", text, &Options::default()).unwrap();
    let journey = c.journey.unwrap();
    let settings = Settings {
        customers: 2000,
        seed: 3,
        threads: 1,
        shard: Some(Shard { index: k, count: 2 }),
        ..Settings::default()
    };
    let mut run = simulate(&journey, &settings, None).unwrap();
    run.exact = Some(journeyc::analyze::analyze(&journey).unwrap());
    shard_json(&run, &simulation::fingerprint(&journey, &run, true))
}

/// Paths of every number in a JSON value.
fn numbers(v: &Value, path: &mut Vec<Value>, out: &mut Vec<Vec<Value>>) {
    match v {
        Value::Number(_) => out.push(path.clone()),
        Value::Array(items) => {
            for (i, x) in items.iter().enumerate() {
                path.push(i.into());
                numbers(x, path, out);
                path.pop();
            }
        }
        Value::Object(map) => {
            for (k, x) in map {
                path.push(k.as_str().into());
                numbers(x, path, out);
                path.pop();
            }
        }
        _ => {}
    }
}

fn at<'a>(v: &'a mut Value, path: &[Value]) -> &'a mut Value {
    path.iter().fold(v, |v, p| match p {
        Value::Number(i) => &mut v[i.as_u64().unwrap() as usize],
        Value::String(k) => &mut v[k.as_str()],
        _ => unreachable!(),
    })
}

/// Thousands of single-number mutations of a valid shard: each is refused (read or merge
/// error) or merges into a run that every renderer prints without a panic, and whose
/// shares stay proportions.
#[test]
fn mutated_shards_are_refused_or_rendered_never_a_panic() {
    let (one, two) = (shard_text(1), shard_text(2));
    let good: Value = serde_json::from_str(&one).unwrap();
    let other = read_shard(&two).unwrap();
    let mut paths = Vec::new();
    numbers(&good, &mut Vec::new(), &mut paths);
    assert!(paths.len() > 500, "{}", paths.len());
    let values: [fn(&Value) -> Value; 9] = [
        |_| 0.into(),
        |_| 1.into(),
        |_| (-1).into(),
        |v| (v.as_f64().unwrap_or(0.0) + 1.0).into(),
        |v| (v.as_f64().unwrap_or(0.0) * 1e15).into(),
        |_| u64::MAX.into(),
        |_| i64::MIN.into(),
        |_| 1e300.into(),
        |_| 0.5.into(),
    ];
    let (mut refused, mut merged) = (0, 0);
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    for _ in 0..4000 {
        // splitmix64: a reproducible choice of number and mutation.
        state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^= z >> 31;
        let path = &paths[(z % paths.len() as u64) as usize];
        let make = values[((z >> 32) % values.len() as u64) as usize];
        let mut v = good.clone();
        let slot = at(&mut v, path);
        *slot = make(slot);
        let Ok(read) = read_shard(&serde_json::to_string(&v).unwrap()) else {
            refused += 1;
            continue;
        };
        if read.fingerprint != other.fingerprint {
            refused += 1;
            continue;
        }
        let runs = vec![
            ("a".to_string(), read.run),
            ("b".to_string(), other.run.clone()),
        ];
        let Ok(run) = sim::merge(runs) else {
            refused += 1;
            continue;
        };
        merged += 1;
        let c = Computed::new(&run);
        let texts = [
            simulation::table(&c, Some(100)),
            simulation::json(&c),
            simulation::csv(&c),
        ];
        assert!(texts.iter().all(|t| !t.is_empty()));
        let json: Value = serde_json::from_str(&texts[1]).unwrap();
        let conversion = &json["figures"]["all"]["conversion"]["estimate"];
        if let Some(p) = conversion.as_f64() {
            assert!((0.0..=1.0).contains(&p), "{path:?}: conversion {p}");
        }
    }
    // Both outcomes happen: the mutations reach the checks and the renderers.
    assert!(
        refused > 1000 && merged > 100,
        "refused {refused}, merged {merged}"
    );
}
