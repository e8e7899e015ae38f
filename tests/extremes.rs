//! Numbers at the extremes (issue #11): sums within the one tolerance of the language are
//! accepted by `check` and solved by every exact command; sums past it are J0202.

mod common;
use common::journeyc_in;
use std::path::Path;

/// A journey whose touchpoint `a` has three transitions of `p` percent each, and a scenario.
fn thirds(dir: &Path, p: &str) -> String {
    let text = format!(
        "journey j {{\n  channel web digital\n  stage s {{\n    touchpoint a on web {{\n      entry\n      -> x {p}%\n      -> y {p}%\n      -> exit {p}%\n    }}\n    touchpoint x on web {{ goal g }}\n    touchpoint y on web {{ -> a 50% -> exit }}\n  }}\n  scenario more {{\n    touchpoint y {{ -> a 60% -> exit }}\n  }}\n}}\n"
    );
    let name = format!("t{p}.journey");
    std::fs::write(dir.join(&name), text).unwrap();
    name
}

/// `check` accepts it, and `analyze`, `levers`, `simulate --exact`, `compare --exact` solve it.
fn all_solve(dir: &Path, file: &str) {
    let (code, out, err) = journeyc_in(dir, &["check", file]);
    assert_eq!(code, 0, "check {file}: {out}{err}");
    for args in [
        vec!["analyze", file],
        vec!["levers", file],
        vec!["simulate", "--exact", "--customers", "2000", file],
        vec!["compare", "--scenario", "more", "--customers", "2000", file],
    ] {
        let (code, out, err) = journeyc_in(dir, &args);
        assert_eq!(code, 0, "{args:?}: {out}{err}");
        assert!(!err.contains("not accurate"), "{args:?}: {err}");
    }
    let (_, out, _) = journeyc_in(dir, &["analyze", file]);
    assert!(out.contains("40.00%"), "conversion is 40%: {out}");
}

fn refused(dir: &Path, file: &str, sum: &str) {
    for cmd in ["check", "analyze"] {
        let (code, out, err) = journeyc_in(dir, &[cmd, file]);
        assert_eq!(code, 1, "{cmd} {file}: {out}{err}");
        let all = format!("{out}{err}");
        assert!(all.contains("J0202"), "{cmd} {file}: {all}");
        assert!(
            all.contains(&format!("add up to {sum}%")),
            "{cmd} {file}: {all}"
        );
    }
}

#[test]
fn three_thirds_at_several_precisions() {
    let dir = tempfile::tempdir().unwrap();
    // 99.99% is 10⁻⁴ off: past the tolerance of 10⁻⁶.
    let f = thirds(dir.path(), "33.33");
    refused(dir.path(), &f, "99.99");
    for p in ["33.3333", "33.33333", "33.333333", "33.33334"] {
        let f = thirds(dir.path(), p);
        all_solve(dir.path(), &f);
    }
}

#[test]
fn rows_just_inside_and_just_outside_the_tolerance() {
    let dir = tempfile::tempdir().unwrap();
    let row = |name: &str, a: &str, b: &str| {
        let text = format!(
            "journey j {{\n  channel web digital\n  stage s {{\n    touchpoint a on web {{\n      entry\n      -> x {a}%\n      -> exit {b}%\n    }}\n    touchpoint x on web {{ goal g }}\n  }}\n  scenario more {{\n    touchpoint x {{ emotion +1 }}\n  }}\n}}\n"
        );
        std::fs::write(dir.path().join(name), text).unwrap();
    };
    // Exactly 10⁻⁶ below and above 100%: inside.
    row("low_in.journey", "40", "59.9999");
    row("high_in.journey", "40", "60.0001");
    // 2·10⁻⁶ off: outside.
    row("low_out.journey", "40", "59.9998");
    row("high_out.journey", "40", "60.0002");
    for f in ["low_in.journey", "high_in.journey"] {
        let (code, out, err) = journeyc_in(dir.path(), &["check", f]);
        assert_eq!(code, 0, "check {f}: {out}{err}");
        for args in [
            vec!["analyze", f],
            vec!["levers", f],
            vec!["simulate", "--exact", "--customers", "2000", f],
            vec!["compare", "--scenario", "more", "--customers", "2000", f],
        ] {
            let (code, out, err) = journeyc_in(dir.path(), &args);
            assert_eq!(code, 0, "{args:?}: {out}{err}");
        }
    }
    refused(dir.path(), "low_out.journey", "99.9998");
    let (code, out, err) = journeyc_in(dir.path(), &["check", "high_out.journey"]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        format!("{out}{err}").contains("100.0002%, more than 100%"),
        "{out}{err}"
    );
}
