use super::*;
use crate::rules::Rule;

/// Formats `text`, checks that formatting the result changes nothing, returns the result.
fn fmt(text: &str) -> String {
    let out = match format_source(text) {
        Ok(out) => out,
        Err(f) => panic!("did not format: {}", f.message),
    };
    let again = format_source(&out).expect("the output parses");
    assert_eq!(again, out, "not idempotent; first pass:\n{out}");
    out
}

#[test]
fn a_one_line_touchpoint_becomes_one_attribute_per_line() {
    let out = fmt("journey j { stage s { touchpoint a on web { entry -> b 50% -> exit } } }");
    assert_eq!(
        out,
        "journey j {\n  stage s {\n    touchpoint a on web {\n      entry\n      -> b 50%\n      -> exit\n    }\n  }\n}\n"
    );
}

#[test]
fn words_are_separated_by_one_space_and_tokens_kept_as_written() {
    let out = fmt("journey j{horizon   1.5h
        channel web digital{cost 2.50}
        stage s{touchpoint a \"A\"on web{entry 0.35 duration 2m .. 6m friction 35%\"x\"
        -> b 10% for x ,y -> exit}}
        kpi conversion ( g ) for x>=0.03 kpi cost_per_conversion<=4.0}");
    assert_eq!(
        out,
        "journey j {
  horizon 1.5h

  channel web digital { cost 2.50 }

  stage s {
    touchpoint a \"A\" on web {
      entry 0.35
      duration 2m..6m
      friction 35% \"x\"
      -> b 10% for x, y
      -> exit
    }
  }

  kpi conversion(g) for x >= 0.03
  kpi cost_per_conversion <= 4.0
}
"
    );
}

#[test]
fn labels_are_re_escaped() {
    let out = fmt(r#"journey j "say \"hi\" \\ bye" { owner "\\" }"#);
    assert_eq!(
        out,
        "journey j \"say \\\"hi\\\" \\\\ bye\" {\n  owner \"\\\\\"\n}\n"
    );
}

#[test]
fn emotion_is_always_signed() {
    let out =
        fmt("journey j { stage s { touchpoint a on web { emotion 1 emotion -2 emotion 0 } } }");
    assert!(
        out.contains("emotion +1\n      emotion -2\n      emotion +0\n"),
        "{out}"
    );
}

#[test]
fn crlf_becomes_lf_and_the_bom_is_dropped() {
    let out = fmt("\u{feff}# head\r\njourney j {\r\n\r\n\r\n  owner \"x\"  # why\r\n}\r\n\r\n");
    assert_eq!(out, "# head\njourney j {\n  owner \"x\"  # why\n}\n");
}

#[test]
fn a_lone_cr_ends_a_comment_line() {
    let out = fmt("# head\rjourney j {  # why\r  owner \"x\"\r}\r");
    assert_eq!(out, "# head\njourney j {  # why\n  owner \"x\"\n}\n");
}

#[test]
fn an_empty_file_stays_empty_and_output_ends_with_one_newline() {
    assert_eq!(fmt(""), "");
    assert_eq!(fmt(" \n\r\n\t\n"), "");
    assert_eq!(fmt("\u{feff}"), "");
    assert_eq!(fmt("journey j { }"), "journey j {}\n");
    assert_eq!(fmt("  # only\n\n\n\n"), "# only\n");
    assert_eq!(fmt("# a\n\n\n# b"), "# a\n\n# b\n");
}

#[test]
fn a_syntax_error_is_the_j0001_finding() {
    let err = format_source("journey j { owner }").unwrap_err();
    assert_eq!(err.rule, Rule::Syntax);
    // Offsets are into the text without its BOM, like `SourceFile`'s.
    let err = format_source("\u{feff}journey j { owner }").unwrap_err();
    assert_eq!(err.primary.span.start, 18);
}

#[test]
fn blank_lines_collapse_and_never_follow_an_opening_brace_or_precede_a_closing_one() {
    let out = fmt("journey j {\n\n\n  owner \"a\"\n\n\n\n  horizon 1d\n\n  kpi nps > 0\n\n\n}\n");
    assert_eq!(
        out,
        "journey j {\n  owner \"a\"\n\n  horizon 1d\n\n  kpi nps > 0\n}\n"
    );
    let out = fmt(
        "journey j {\n  stage s {\n\n    touchpoint a on w {\n\n      entry\n\n      -> exit\n\n    }\n\n  }\n}",
    );
    assert_eq!(
        out,
        "journey j {\n  stage s {\n    touchpoint a on w {\n      entry\n\n      -> exit\n    }\n  }\n}\n"
    );
}

#[test]
fn top_level_groups_are_separated_by_one_blank_line() {
    let text = "use \"lib.journey\"
journey j {
  owner \"a\"
  channel w digital
  channel x human
  segment s { share 50% }
  segment t { share 50% }
  stage a { touchpoint p on w { entry -> exit } }
  stage b { touchpoint q on w { -> exit } }
  trigger r { via w }
  trigger u { via w }
  kpi nps > 0
  kpi pains < 1
  scenario m {}
  scenario n {}
  context w
}";
    assert_eq!(
        fmt(text),
        "use \"lib.journey\"

journey j {
  owner \"a\"

  channel w digital
  channel x human

  segment s {
    share 50%
  }
  segment t {
    share 50%
  }

  stage a {
    touchpoint p on w {
      entry
      -> exit
    }
  }

  stage b {
    touchpoint q on w {
      -> exit
    }
  }

  trigger r {
    via w
  }
  trigger u {
    via w
  }

  kpi nps > 0
  kpi pains < 1

  scenario m {}
  scenario n {}

  context w
}
"
    );
}

#[test]
fn the_forced_blank_line_goes_before_leading_comments_unless_the_author_has_one() {
    let out = fmt("journey j {\n  kpi nps > 0\n  # the plan\n  scenario m {}\n}");
    assert_eq!(
        out,
        "journey j {\n  kpi nps > 0\n\n  # the plan\n  scenario m {}\n}\n"
    );
    let out = fmt("journey j {\n  kpi nps > 0\n  # kpi pains < 1\n\n  scenario m {}\n}");
    assert_eq!(
        out,
        "journey j {\n  kpi nps > 0\n  # kpi pains < 1\n\n  scenario m {}\n}\n"
    );
}

#[test]
fn comments_keep_their_place() {
    let text = "# top
journey j { # opens
  # before owner
  owner \"a\" # after owner
  stage s {
    touchpoint t on w {
      entry
      # before the end of t
    }
    # before the end of s
  }
  # before the end of j
}
# end of file";
    assert_eq!(
        fmt(text),
        "# top
journey j {  # opens
  # before owner
  owner \"a\"  # after owner

  stage s {
    touchpoint t on w {
      entry
      # before the end of t
    }
    # before the end of s
  }
  # before the end of j
}
# end of file
"
    );
}

#[test]
fn comments_inside_a_joined_line_end_it_or_precede_it() {
    let out = fmt(
        "journey j { stage s { touchpoint t on w {\n -> exit # a\n 10% # b\n -> x # c\n for # d\n a\n } } }",
    );
    assert_eq!(
        out,
        "journey j {
  stage s {
    touchpoint t on w {
      # a
      -> exit 10%  # b
      # c
      -> x for a  # d
    }
  }
}
"
    );
    let out = fmt("channel w # one\n digital # two\n { cost 1 }\n");
    assert_eq!(out, "# one\nchannel w digital { cost 1 }  # two\n");
}

#[test]
fn a_comment_after_a_one_line_block_goes_to_its_header() {
    let out = fmt("journey j { stage s { touchpoint a on w { entry -> exit } # the entry\n } }");
    assert_eq!(
        out,
        "journey j {\n  stage s {\n    touchpoint a on w {  # the entry\n      entry\n      -> exit\n    }\n  }\n}\n"
    );
    let out = fmt("journey j {\n  stage s {\n  }  # empty\n  scenario a {\n    # todo\n  }\n}");
    assert_eq!(
        out,
        "journey j {\n  stage s {}  # empty\n\n  scenario a {\n    # todo\n  }\n}\n"
    );
}

#[test]
fn settings_and_segment_attributes_line_up_their_values() {
    let out = fmt("journey j {
  owner \"a\"
  description \"b\"
  horizon 1d
  context_loss 5%
  max_steps 10
  max_steps 20

  owner \"c\"
  segment s { share 10% patience 50% }
  segment t { share 90% prefers w }
}");
    assert_eq!(
        out,
        "journey j {
  owner       \"a\"
  description \"b\"
  horizon     1d
  context_loss 5%
  max_steps 10
  max_steps 20

  owner \"c\"

  segment s {
    share    10%
    patience 50%
  }
  segment t {
    share   90%
    prefers w
  }
}
"
    );
}

#[test]
fn a_comment_line_breaks_a_column_run() {
    let out = fmt(
        "channel a digital\nchannel long human { cost 1 }\n# break\nchannel b physical { cost 2 }\n",
    );
    assert_eq!(
        out,
        "channel a    digital\nchannel long human { cost 1 }\n# break\nchannel b physical { cost 2 }\n"
    );
}

#[test]
fn end_of_line_comments_of_adjacent_lines_line_up() {
    let out = fmt(
        "journey j {\n  context a, bb # one\n  context_loss 1% # two\n  primary_goal g\n  max_steps 3 # three\n}",
    );
    assert_eq!(
        out,
        "journey j {\n  context a, bb    # one\n  context_loss 1%  # two\n  primary_goal g\n  max_steps 3  # three\n}\n"
    );
}

#[test]
fn scenario_items_are_laid_out_like_the_journey_s() {
    let out = fmt(
        "journey j { scenario s \"S\" { remove touchpoint a remove trigger t channel w { cost 1 } channel x physical touchpoint b \"B\" { entry } touchpoint c on w { -> exit } context w context_loss 1% } }",
    );
    assert_eq!(
        out,
        "journey j {
  scenario s \"S\" {
    remove touchpoint a
    remove trigger t
    channel w { cost 1 }
    channel x physical
    touchpoint b \"B\" {
      entry
    }
    touchpoint c on w {
      -> exit
    }
    context w
    context_loss 1%
  }
}
"
    );
}

#[test]
fn hashes_inside_labels_are_not_comments() {
    let out = fmt("journey j \"#1 \\\" # not\" { # yes \"quoted\"\n}");
    assert_eq!(out, "journey j \"#1 \\\" # not\" {  # yes \"quoted\"\n}\n");
}

#[test]
fn a_long_chain_formats_without_recursion() {
    let mut text = String::from("journey j {\n  stage s {\n");
    for i in 0..20_000 {
        text.push_str(&format!(
            "    touchpoint t{i} on w {{ -> t{} 50% # c{i}\n -> exit }}\n",
            i + 1
        ));
    }
    text.push_str("  }\n}\n");
    let out = fmt(&text);
    assert_eq!(out.lines().count(), 20_000 * 4 + 4);
    assert!(
        out.contains("    touchpoint t7 on w {\n      -> t8 50%  # c7\n      -> exit\n    }\n")
    );
}
