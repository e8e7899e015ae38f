//! Rule levels for a run: the defaults, then the repository's `journeyc.toml`, then the
//! command line (`--allow/--warn/--deny RULE`, by code or name; `--deny warnings`).
//!
//! ```toml
//! # journeyc.toml, at the root of the repository
//! [rules]
//! context-break = "allow"        # or "info", "warning", "error"; codes work too: J0402
//! J0404 = "warning"
//!
//! [check]
//! deny-warnings = true           # every warning fails the run
//! exclude = ["generated/**"]     # files a directory walk skips (globs from this file's folder)
//!
//! [per-file."legacy/**"]         # levels for the files these globs match
//! context-break = "allow"
//! ```
//!
//! Precedence, lowest first: the rules' defaults, `[rules]`, the `[per-file]` tables matching
//! the checked file (in written order), the command line.

use super::Failure;
use crate::diagnostic::{Level, RuleLevels};
use crate::names;
use crate::rules::Rule;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The config file's name.
pub const FILE_NAME: &str = "journeyc.toml";

/// Flags that change rule levels, shared by every command that reports findings.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct LevelArgs {
    /// Do not report RULE (a code like J0402 or a name like context-break).
    #[arg(long, value_name = "RULE")]
    pub allow: Vec<String>,
    /// Report RULE as a warning.
    #[arg(long, value_name = "RULE")]
    pub warn: Vec<String>,
    /// Report RULE as an error; `--deny warnings` makes every warning fail the run.
    #[arg(long, value_name = "RULE")]
    pub deny: Vec<String>,
    /// Use this configuration file instead of looking for journeyc.toml.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct ConfigFile {
    #[serde(default)]
    rules: BTreeMap<String, String>,
    #[serde(default)]
    check: CheckSection,
    /// Glob → rule → level. Where several tables match a file they apply in the sort order
    /// of their globs, a later one over an earlier (docs/ci.md).
    #[serde(default)]
    per_file: BTreeMap<String, BTreeMap<String, String>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct CheckSection {
    #[serde(default)]
    deny_warnings: bool,
    #[serde(default)]
    exclude: Vec<String>,
}

/// A rule and the level a setting gives it (`None`: allowed).
type RuleLevel = (Rule, Option<Level>);

/// A run's configuration: rule levels (per file when `[per-file]` tables say so) and the
/// files a directory walk skips.
#[derive(Debug, Clone)]
pub struct Config {
    /// Levels without any `[per-file]` table (`[rules]` and the command line).
    pub levels: RuleLevels,
    /// The folder of `journeyc.toml`, which globs are relative to.
    base: PathBuf,
    exclude: globset::GlobSet,
    per_file: Vec<(globset::GlobMatcher, Vec<RuleLevel>)>,
    /// `[rules]` then the command line, to re-apply over a `[per-file]` table.
    file_rules: Vec<RuleLevel>,
    command_line: Vec<RuleLevel>,
}

impl Config {
    /// `path` relative to the config's folder, with forward slashes (`None`: outside it).
    fn relative(&self, path: &Path) -> Option<String> {
        let abs = crate::model::normalize(&crate::model::absolute(path));
        let rel = abs.strip_prefix(&self.base).ok()?;
        Some(rel.to_string_lossy().replace('\\', "/"))
    }

    /// Whether a directory walk skips `path`.
    pub fn excluded(&self, path: &Path) -> bool {
        !self.exclude.is_empty()
            && self
                .relative(path)
                .is_some_and(|r| self.exclude.is_match(&r))
    }

    /// The levels for findings of the checked file `path`.
    pub fn levels_for(&self, path: &Path) -> RuleLevels {
        let Some(rel) = self.relative(path) else {
            return self.levels.clone();
        };
        let tables: Vec<&Vec<RuleLevel>> = self
            .per_file
            .iter()
            .filter(|(m, _)| m.is_match(&rel))
            .map(|(_, t)| t)
            .collect();
        if tables.is_empty() {
            return self.levels.clone();
        }
        let mut levels = self.levels.clone();
        for (r, l) in self.file_rules.iter().chain(tables.into_iter().flatten()) {
            levels.set(*r, *l);
        }
        for (r, l) in &self.command_line {
            levels.set(*r, *l);
        }
        levels
    }
}

fn glob(pattern: &str, origin: &str) -> Result<globset::Glob, Failure> {
    globset::GlobBuilder::new(pattern)
        .literal_separator(true)
        .build()
        .map_err(|e| Failure(format!("{origin}: bad glob `{pattern}`: {e}")))
}

fn rule(key: &str, origin: &str) -> Result<Rule, Failure> {
    rule_or(key, origin, &[])
}

/// [`rule`], with `extra` words the suggestion may name too (`warnings` for `--deny`).
fn rule_or(key: &str, origin: &str, extra: &[&str]) -> Result<Rule, Failure> {
    Rule::lookup(key).ok_or_else(|| {
        let all: Vec<&str> = Rule::ALL
            .iter()
            .flat_map(|r| [r.code(), r.name()])
            .chain(extra.iter().copied())
            .collect();
        let hint = names::suggest(key, all.iter().copied())
            .map(|s| format!(" (did you mean `{s}`?)"))
            .unwrap_or_default();
        Failure(format!(
            "{origin}: unknown rule `{key}`{hint}; `journeyc explain --list` lists the rules"
        ))
    })
}

fn level(word: &str, origin: &str) -> Result<Option<Level>, Failure> {
    Ok(match word {
        "allow" | "off" => None,
        "info" => Some(Level::Info),
        "warning" | "warn" => Some(Level::Warning),
        "error" | "deny" => Some(Level::Error),
        _ => {
            return Err(Failure(format!(
                "{origin}: unknown level `{word}`; use allow, info, warning or error"
            )));
        }
    })
}

/// Finds `journeyc.toml`: in `start` or the nearest parent, stopping at a repository root
/// (a directory with `.git`).
pub fn find(start: &Path) -> Option<PathBuf> {
    let mut dir = crate::model::absolute(start);
    loop {
        let candidate = dir.join(FILE_NAME);
        if candidate.is_file() {
            return Some(candidate);
        }
        if dir.join(".git").exists() || !dir.pop() {
            return None;
        }
    }
}

/// The rule levels of this run (without `[per-file]` tables: see [`load`]).
pub fn levels(args: &LevelArgs, start: &Path) -> Result<RuleLevels, Failure> {
    Ok(load(args, start)?.levels)
}

/// The configuration of this run: `--config`, else the `journeyc.toml` [`find`] finds from
/// `start`, with the command line's levels over it.
pub fn load(args: &LevelArgs, start: &Path) -> Result<Config, Failure> {
    let mut levels = RuleLevels::default();
    let path = match &args.config {
        Some(p) => Some(p.clone()),
        None => find(start),
    };
    let mut config = Config {
        levels: RuleLevels::default(),
        base: crate::model::normalize(&crate::model::absolute(start)),
        exclude: globset::GlobSet::empty(),
        per_file: Vec::new(),
        file_rules: Vec::new(),
        command_line: Vec::new(),
    };
    if let Some(path) = path {
        let shown = path.display().to_string();
        let text = crate::model::read_text(&path)?;
        let file: ConfigFile = toml::from_str(&text)
            .map_err(|e| Failure(format!("{shown}: {}", e.to_string().trim_end())))?;
        for (key, word) in &file.rules {
            let (r, l) = (rule(key, &shown)?, level(word, &shown)?);
            levels.set(r, l);
            config.file_rules.push((r, l));
        }
        levels.set_deny_warnings(file.check.deny_warnings);
        let abs = crate::model::normalize(&crate::model::absolute(&path));
        if let Some(dir) = abs.parent() {
            config.base = dir.to_path_buf();
        }
        let mut set = globset::GlobSetBuilder::new();
        for pattern in &file.check.exclude {
            set.add(glob(pattern, &shown)?);
        }
        config.exclude = set
            .build()
            .map_err(|e| Failure(format!("{shown}: bad `exclude`: {e}")))?;
        for (pattern, table) in &file.per_file {
            let origin = format!("{shown} [per-file.\"{pattern}\"]");
            let mut rules = Vec::new();
            for (key, word) in table {
                rules.push((rule(key, &origin)?, level(word, &origin)?));
            }
            config
                .per_file
                .push((glob(pattern, &shown)?.compile_matcher(), rules));
        }
    }
    for (list, lvl) in [
        (&args.allow, None),
        (&args.warn, Some(Level::Warning)),
        (&args.deny, Some(Level::Error)),
    ] {
        for key in list {
            if key == "warnings" && lvl == Some(Level::Error) {
                levels.set_deny_warnings(true);
                continue;
            }
            let extra: &[&str] = if lvl == Some(Level::Error) {
                &["warnings"]
            } else {
                &[]
            };
            let r = rule_or(key, "command line", extra)?;
            levels.set(r, lvl);
            config.command_line.push((r, lvl));
        }
    }
    config.levels = levels;
    Ok(config)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_line_overrides_and_deny_warnings() {
        let args = LevelArgs {
            allow: vec!["J0402".into()],
            deny: vec!["warnings".into(), "single-channel-stage".into()],
            config: Some("/nonexistent/journeyc.toml".into()),
            ..Default::default()
        };
        assert!(
            levels(&args, Path::new(".")).is_err(),
            "a missing --config file is an error"
        );
        let args = LevelArgs {
            config: None,
            ..args
        };
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join(".git")).unwrap();
        std::fs::write(
            dir.path().join(FILE_NAME),
            "[rules]\nunreachable = \"error\"\n",
        )
        .unwrap();
        let l = levels(&args, dir.path()).unwrap();
        assert_eq!(l.level(Rule::ContextBreak), None);
        assert_eq!(l.level(Rule::SingleChannelStage), Some(Level::Error));
        assert_eq!(l.level(Rule::Unreachable), Some(Level::Error));
    }

    #[test]
    fn bad_config_is_a_clear_failure() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join(".git")).unwrap();
        std::fs::write(
            dir.path().join(FILE_NAME),
            "[rules]\ncontext-brake = \"allow\"\n",
        )
        .unwrap();
        let e = levels(&LevelArgs::default(), dir.path()).unwrap_err();
        assert!(e.0.contains("did you mean `context-break`"), "{e}");
        std::fs::write(dir.path().join(FILE_NAME), "[rules]\nJ0402 = \"loud\"\n").unwrap();
        assert!(
            levels(&LevelArgs::default(), dir.path())
                .unwrap_err()
                .0
                .contains("unknown level")
        );
        std::fs::write(dir.path().join(FILE_NAME), "[rulez]\n").unwrap();
        assert!(levels(&LevelArgs::default(), dir.path()).is_err());
    }
}
