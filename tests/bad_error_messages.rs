//! Messages we know are still poor (after PRQL's `bad_error_messages.rs`). Each test pins the
//! current wording; when a message gets better, the test fails — then update it and move the
//! case to the regular tests. Add a case here whenever a user meets a confusing message.

use journeyc::model::{Options, resolve_source};

fn first(text: &str) -> journeyc::diagnostic::Finding {
    let c = resolve_source("bad.journey", text, &Options::default()).unwrap();
    c.findings.into_iter().next().expect("a finding")
}

#[test]
fn a_missing_closing_brace_is_reported_at_the_end_of_the_file() {
    // Better: point at the block that is not closed (the stage opened on line 3).
    let text = "journey j {\n  channel web digital\n  stage s {\n    touchpoint a on web { entry goal g }\n\n  kpi conversion >= 3%\n}\n";
    let f = first(text);
    assert_eq!(f.message, "unexpected `kpi`; expected `touchpoint` or `}`");
    assert_eq!(f.primary.span.start as usize, text.find("kpi").unwrap());
}

// Cases fixed by issue 16; they stay here so the old wording cannot come back.

#[test]
fn a_metric_in_the_wrong_case_suggests_the_metric_not_a_declaration() {
    // Was: "declare `NPS` first (15 metrics are declared…)"; metrics cannot be declared.
    let text = "journey j {\n  channel web digital\n  stage s { touchpoint a on web { entry goal g } }\n  kpi NPS >= 10\n}\n";
    let f = first(text);
    assert_eq!(f.message, "unknown metric `NPS`");
    assert_eq!(f.help.as_deref(), Some("did you mean `nps`?"));
    let text = text.replace("NPS", "bogus");
    let help = first(&text).help.unwrap();
    assert!(help.starts_with("the ") && help.contains("`nps`"), "{help}");
    assert!(!help.contains("declare"), "{help}");
}

#[test]
fn deny_warning_suggests_warnings() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_journeyc"))
        .args(["check", "examples/checkout.journey", "--deny", "warning"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("did you mean `warnings`?"), "{err}");
}

#[test]
fn an_unquoted_friction_label_suggests_quotes_not_an_arrow() {
    // Was: "a transition is written with an arrow: `-> photo`".
    let text = "journey j {\n  channel web digital\n  stage s {\n    touchpoint a on web {\n      entry\n      friction 25% photo of ID rejected\n      -> exit\n    }\n  }\n}\n";
    let f = first(text);
    assert_eq!(f.primary.span.start as usize, text.find("photo").unwrap());
    assert_eq!(
        f.help.as_deref(),
        Some("a friction's label is written in quotes: `friction 25% \"photo of ID rejected\"`")
    );
}

#[test]
fn a_fractional_emotion_points_at_the_fraction() {
    // Was: "unexpected `-`" pointing at the sign.
    let text = "journey j {\n  channel web digital\n  stage s {\n    touchpoint a on web {\n      entry\n      emotion -1.5\n      -> exit\n    }\n  }\n}\n";
    let f = first(text);
    assert_eq!(f.message, "`-1.5` is not a whole number");
    let start = text.find(".5").unwrap();
    assert_eq!(
        (f.primary.span.start as usize, f.primary.span.end as usize),
        (start, start + 2)
    );
    assert_eq!(
        f.help.as_deref(),
        Some("emotion counts whole steps of sentiment: write `emotion -1` or `emotion -2`")
    );
}

#[test]
fn a_top_level_stage_suggests_wrapping_it_in_a_journey() {
    // Was: "unexpected `stage`" without a hint.
    for text in [
        "stage s {\n  touchpoint a on web { entry }\n}\n",
        "# comment\nuse \"common.journey\"\n\nstage s { }\n",
    ] {
        let f = first(text);
        let help = f.help.expect("a hint");
        assert!(
            help.starts_with("`stage` belongs inside a journey: wrap")
                && help.contains("`journey NAME { … }`"),
            "{help}"
        );
    }
}
