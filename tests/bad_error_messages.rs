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
