//! The check-run reports, every format, on one run of two files: a journey with findings of
//! every level (one with a secondary label in the library it uses, one on a line with a
//! character outside the BMP) and the clean library itself. Snapshots show what users see;
//! the SARIF log is validated against the official 2.1.0 schema, offline, and the JSON report
//! against its published schema, by the reference JSON Schema validator (Python's
//! `jsonschema`, with format checking; `.ci/run` installs it, and without it the tests fail
//! saying so). It runs out of process: the Rust `jsonschema` crate cost `.ci/run` over three
//! minutes of its fifteen to build (docs/testing.md).

use journeyc::diagnostic::{self, Finding, Level};
use journeyc::model::{self, Options};
use journeyc::report::{self, FileReport, Format, Summary};
use journeyc::rules::Rule;
use journeyc::source::{FileId, SourceMap, Span};
use serde_json::Value;
use std::path::Path;

const SHOP: &str = "tests/fixtures/report/shop.journey";
const LIBRARY: &str = "tests/fixtures/report/lib/channels.journey";

/// The span of the `nth` occurrence of `needle` in file `id`.
fn span(sources: &SourceMap, id: FileId, needle: &str, nth: usize) -> Span {
    let text = &sources.get(id).text;
    let (start, _) = text
        .match_indices(needle)
        .nth(nth)
        .unwrap_or_else(|| panic!("`{needle}` #{nth} not in the fixture"));
    Span::new(id, start, start + needle.len())
}

fn file_report(path: &str) -> FileReport {
    let compiled = model::resolve(Path::new(path), &Options::default()).expect("fixture reads");
    FileReport {
        sources: compiled.sources,
        main: compiled.main,
        library: compiled.library,
        findings: compiled.findings,
    }
}

/// The run: the resolver's findings plus the graph rules' findings made by hand, so that these
/// tests do not depend on the checker's wording.
fn run() -> Vec<FileReport> {
    let mut shop = file_report(SHOP);
    assert!(!shop.library);
    // The resolver's own finding: `web` declared in the journey and in the library.
    assert_eq!(
        shop.findings.iter().map(|f| f.rule).collect::<Vec<_>>(),
        [Rule::DuplicateName],
        "{:#?}",
        shop.findings
    );
    assert!(shop.findings[0].secondary[0].span.file != shop.main);
    let s = &shop.sources;
    let m = shop.main;
    let mut found = vec![
        Finding::new(
            Rule::ContextBreak,
            span(s, m, "-> help 10%", 0),
            "customers moving from `basket` (web) to `help` (phone) lose their context",
        )
        .label("web → phone")
        .with(span(s, m, "on web", 1), "`basket` is on web")
        .with(span(s, m, "on phone", 0), "`help` is on phone")
        .help("add both channels to one `context` line, or move `help` to a channel that shares context with web"),
        Finding::new(
            Rule::ContextBreak,
            span(s, m, "-> paid 50%", 0),
            "customers moving from `help` (phone) to `paid` (email) lose their context",
        )
        .label("phone → email"),
        Finding::new(
            Rule::SingleChannelStage,
            span(s, m, "browse", 0),
            "stage `browse` is served by web only, in a journey of 3 channels",
        )
        .label("web only"),
        Finding::new(
            Rule::ChannelGap,
            span(s, m, "buy", 0),
            "stage `buy` offers none of the channels `everyone` prefers: 0% of visits, on web, phone or email",
        )
        .label("no preferred channel"),
    ];
    // A configured level: J0401 raised to error, as `--deny channel-gap` would.
    found[3].level = Level::Error;
    shop.findings.append(&mut found);
    diagnostic::sort(&mut shop.findings);

    let library = file_report(LIBRARY);
    assert!(library.library);
    assert!(library.findings.is_empty(), "{:#?}", library.findings);
    vec![shop, library]
}

/// Output with the tool version replaced, so snapshots survive a release.
fn rendered(format: Format) -> String {
    report::render(format, &run(), false).replace(env!("CARGO_PKG_VERSION"), "[VERSION]")
}

#[test]
fn summary_of_the_run() {
    let files = run();
    let summary = Summary::of(&files);
    assert_eq!(
        (
            summary.files,
            summary.errors,
            summary.warnings,
            summary.infos
        ),
        (2, 2, 2, 1)
    );
    assert_eq!(summary.line(), "2 files: 2 errors, 2 warnings, 1 info");
}

#[test]
fn human_snapshot() {
    let out = rendered(Format::Human);
    // The library's declaration cannot be shown by miette (another file): it is a note.
    assert!(
        out.contains("note: first declared in tests/fixtures/report/lib/channels.journey:2:9"),
        "{out}"
    );
    assert!(out.ends_with("2 files: 2 errors, 2 warnings, 1 info\n"));
    insta::assert_snapshot!("human", out);
}

#[test]
fn json_snapshot() {
    let out = rendered(Format::Json);
    let doc: Value = serde_json::from_str(&out).expect("valid JSON");
    assert_eq!(doc["version"], 1);
    assert_eq!(doc["files"][1]["kind"], "library");
    insta::assert_snapshot!("json", out);
}

/// A JSON Schema (draft 7), checked by Python's `jsonschema` with format checking.
struct Validator {
    schema: tempfile::NamedTempFile,
}

impl Validator {
    /// Refuses (panics on) a schema that is not a valid draft-7 schema.
    fn new(schema: &Value) -> Validator {
        let file = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(file.path(), schema.to_string()).unwrap();
        let v = Validator { schema: file };
        v.errors(&Value::Null); // checks the schema itself
        v
    }

    /// Every error of `doc`, as "message at /json/pointer".
    fn errors(&self, doc: &Value) -> Vec<String> {
        const SCRIPT: &str = r#"
import json, sys
try:
    import jsonschema
except ImportError:
    sys.exit(3)
schema = json.load(open(sys.argv[1]))
doc = json.load(open(sys.argv[2]))
cls = jsonschema.Draft7Validator
try:
    cls.check_schema(schema)
except jsonschema.SchemaError as e:
    print(e.message)
    sys.exit(4)
v = cls(schema, format_checker=cls.FORMAT_CHECKER)
for e in v.iter_errors(doc):
    print(e.message + " at /" + "/".join(str(p) for p in e.absolute_path))
"#;
        let doc_file = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(doc_file.path(), doc.to_string()).unwrap();
        let out = std::process::Command::new("python3")
            .args(["-c", SCRIPT])
            .arg(self.schema.path())
            .arg(doc_file.path())
            .output()
            .expect("python3 runs");
        let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
        match out.status.code() {
            Some(0) => stdout.lines().map(str::to_string).collect(),
            Some(3) => panic!(
                "Python's jsonschema is not installed: pip install 'jsonschema[format-nongpl]' \
                 (.ci/run installs it)"
            ),
            Some(4) => panic!("not a valid draft-7 schema: {stdout}"),
            _ => panic!(
                "the validator failed: {}{stdout}",
                String::from_utf8_lossy(&out.stderr)
            ),
        }
    }

    fn is_valid(&self, doc: &Value) -> bool {
        self.errors(doc).is_empty()
    }
}

#[test]
fn json_matches_its_published_schema() {
    let schema: Value =
        serde_json::from_str(include_str!("../docs/check-report.schema.json")).unwrap();
    let validator = Validator::new(&schema);
    let out: Value = serde_json::from_str(&report::render(Format::Json, &run(), false)).unwrap();
    let errors = validator.errors(&out);
    assert!(errors.is_empty(), "{errors:#?}");
    // The schema is strict enough to notice a broken document.
    let mut broken = out.clone();
    broken["files"][0]["findings"][0]["location"]["line"] = Value::from(0);
    assert!(!validator.is_valid(&broken));
}

#[test]
fn docs_example_matches_the_schema() {
    let docs = include_str!("../docs/ci.md");
    let section = docs
        .split("## JSON output schema")
        .nth(1)
        .expect("docs/ci.md has the schema section");
    let example = section
        .split("```json\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("the section has a json example");
    let example: Value = serde_json::from_str(example).expect("the example is JSON");
    let schema: Value =
        serde_json::from_str(include_str!("../docs/check-report.schema.json")).unwrap();
    let errors = Validator::new(&schema).errors(&example);
    assert!(errors.is_empty(), "{errors:#?}");
}

#[test]
fn sarif_snapshot() {
    insta::assert_snapshot!("sarif", rendered(Format::Sarif));
}

/// The official SARIF 2.1.0 schema, byte for byte (its `language` patterns' stray `]`, a known
/// erratum, is a literal `]` to Python's regular expressions; we write no `language`).
fn sarif_validator() -> Validator {
    Validator::new(&serde_json::from_str(include_str!("data/sarif-schema-2.1.0.json")).unwrap())
}

#[test]
fn sarif_is_valid_against_the_official_schema() {
    let validator = sarif_validator();
    let out: Value = serde_json::from_str(&report::render(Format::Sarif, &run(), false)).unwrap();
    let errors = validator.errors(&out);
    assert!(errors.is_empty(), "{errors:#?}");

    // And the validation has teeth: each of these breaks the schema.
    type Breakage = (&'static str, fn(&mut Value));
    let breakages: [Breakage; 4] = [
        ("unknown level", |v| {
            v["runs"][0]["results"][0]["level"] = Value::from("fatal")
        }),
        ("line 0", |v| {
            v["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] =
                Value::from(0)
        }),
        ("no message", |v| {
            v["runs"][0]["results"][0]
                .as_object_mut()
                .unwrap()
                .remove("message");
        }),
        ("wrong version", |v| v["version"] = Value::from("2.0.0")),
    ];
    for (what, breaks) in breakages {
        let mut broken = out.clone();
        breaks(&mut broken);
        assert!(!validator.is_valid(&broken), "{what} passed the schema");
    }
}

#[test]
fn sarif_of_an_empty_run_is_valid() {
    let out: Value = serde_json::from_str(&report::render(Format::Sarif, &[], false)).unwrap();
    assert!(sarif_validator().is_valid(&out));
    assert_eq!(out["runs"][0]["results"], Value::Array(vec![]));
}

#[test]
fn sarif_fingerprints_are_stable_and_unique() {
    let a: Value = serde_json::from_str(&report::render(Format::Sarif, &run(), false)).unwrap();
    let b: Value = serde_json::from_str(&report::render(Format::Sarif, &run(), false)).unwrap();
    let prints = |v: &Value| -> Vec<String> {
        v["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["partialFingerprints"]["primaryLocationLineHash"].to_string())
            .collect()
    };
    assert_eq!(prints(&a), prints(&b));
    let mut unique = prints(&a);
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), prints(&a).len());
}

#[test]
fn sarif_columns_are_utf16_code_units() {
    let out: Value = serde_json::from_str(&report::render(Format::Sarif, &run(), false)).unwrap();
    // `on phone` after "📞 Help line": 📞 is one character but two UTF-16 code units.
    let related = &out["runs"][0]["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["message"]["text"].as_str().unwrap().contains("to `help`"))
        .unwrap()["relatedLocations"][1]["physicalLocation"]["region"];
    let json: Value = serde_json::from_str(&report::render(Format::Json, &run(), false)).unwrap();
    let chars = &json["files"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["message"].as_str().unwrap().contains("to `help`"))
        .unwrap()["labels"][1]["location"];
    assert_eq!(related["startLine"], chars["line"]);
    assert_eq!(
        related["startColumn"].as_u64().unwrap(),
        chars["column"].as_u64().unwrap() + 1
    );
}

#[test]
fn github_snapshot() {
    let out = rendered(Format::Github);
    assert!(out.lines().all(|l| l.starts_with("::")), "{out}");
    insta::assert_snapshot!("github", out);
}

#[test]
fn gitlab_snapshot() {
    let out = rendered(Format::Gitlab);
    let issues: Value = serde_json::from_str(&out).expect("valid JSON");
    assert_eq!(issues.as_array().unwrap().len(), 5);
    insta::assert_snapshot!("gitlab", out);
}
