//! Issue #11 item 5: `merge` trusts nothing in its shard files. Shards of two versions of a
//! journey (same names, other probabilities) are refused by their fingerprints; damaged
//! files (an index out of range, a touchpoint removed, a goal or KPI pointing nowhere, counts
//! that do not add up or exceed the population) are refused with the file's name and what is
//! wrong — never a panic in a renderer, never a figure like "conversion 20000000000003.54%".

mod common;

use common::{journeyc, journeyc_in};
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
