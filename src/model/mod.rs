//! Resolve: a `.journey` file and the libraries it uses → one [`Journey`].
//!
//! [`resolve`] reads the file, parses it ([`crate::syntax::parse`]), loads its `use`s (relative
//! to the using file, confined to the root, cycles reported), applies a scenario when asked
//! (see [`Options::scenario`]) and resolves names, defaults, units and per-segment transitions.
//! Problems become J0001–J0205 findings; the journey is returned only when there is no error.

mod emit;
pub mod figure;
mod json;
mod load;
mod resolve;
pub mod rules;
mod scenario;
mod types;

pub use emit::{emit_json, emit_yaml, metric_name, write_json, write_yaml};
pub use json::{Json, pretty_to};
pub use load::{
    DEFAULT_MAX_FILE_SIZE, Disk, Files, ReadError, absolute, io_reason, kind_words, max_file_size,
    normalize, read_bytes, read_text, set_max_file_size, size_words, text_of,
};
pub use resolve::{SUM_TOLERANCE, trim};
pub use types::*;

use crate::ast::{self, Item};
use crate::diagnostic::Finding;
use crate::names;
use crate::source::{FileId, SourceFile, SourceMap};
use std::path::{Path, PathBuf};

/// How to resolve.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Directory `use` paths must stay inside (default: [`default_root`] of the file).
    pub root: Option<PathBuf>,
    /// The scenario to apply, if any.
    pub scenario: Option<String>,
}

/// Why a file could not be resolved at all (as opposed to findings about it).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ResolveError {
    /// The file could not be read.
    #[error(transparent)]
    Read(#[from] ReadError),
    /// `--scenario` names a scenario the file does not declare.
    #[error("{file} declares no scenario `{name}`{}", known_list(name, .known))]
    UnknownScenario {
        /// The scenario asked for.
        name: String,
        /// The file.
        file: String,
        /// The scenarios it declares.
        known: Vec<String>,
    },
    /// A scenario was asked of a library file.
    #[error("{file} is a library (no journey), so it has no scenario `{name}`")]
    ScenarioOfLibrary {
        /// The scenario asked for.
        name: String,
        /// The file.
        file: String,
    },
}

fn known_list(name: &str, known: &[String]) -> String {
    if known.is_empty() {
        return " (it declares none)".into();
    }
    if let Some(s) = names::suggest(name, known.iter().map(String::as_str)) {
        return format!("; did you mean `{s}`?");
    }
    let list: Vec<String> = known.iter().map(|k| format!("`{k}`")).collect();
    format!("; its scenarios: {}", list.join(", "))
}

/// A resolved file: its sources, what it is, the journey when it resolved cleanly, findings.
#[derive(Debug, Clone)]
pub struct Compiled {
    /// Every file read (the main one first, then its libraries).
    pub sources: SourceMap,
    /// The main file.
    pub main: FileId,
    /// The main file's syntax tree, when it parsed.
    pub ast: Option<ast::File>,
    /// True when the main file is a library (no journey).
    pub library: bool,
    /// The journey (with the scenario applied, when one was asked for), when it has no error.
    pub journey: Option<Journey>,
    /// J0001–J0205 findings, from the main file and its libraries.
    pub findings: Vec<Finding>,
    /// The libraries' items: the baseline's items are these, then the journey's own, read
    /// from [`Compiled::ast`] rather than copied.
    libs: Vec<Item>,
    /// Findings of loading the libraries (repeated for every scenario applied).
    load_findings: Vec<Finding>,
}

impl Compiled {
    /// The scenarios the journey declares.
    pub fn scenario_names(&self) -> Vec<String> {
        self.ast
            .as_ref()
            .and_then(|a| a.journey.as_ref())
            .map(|j| {
                j.items
                    .iter()
                    .filter_map(|i| {
                        if let Item::Scenario(s) = i {
                            Some(s.name.text.clone())
                        } else {
                            None
                        }
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Resolves the baseline with scenario `name` applied: the journey (when it has no error)
    /// and all findings of the changed journey.
    pub fn scenario(&self, name: &str) -> Result<(Option<Journey>, Vec<Finding>), ResolveError> {
        self.scenario_over(&self.items(), name)
    }

    /// Drops the syntax tree and the libraries' items, the largest structures after the
    /// model, for a caller done with them: scenarios and decision lines can no longer be
    /// resolved (an error, not a wrong answer) and [`Compiled::scenario_names`] is empty.
    pub fn drop_syntax(&mut self) {
        self.ast = None;
        self.libs = Vec::new();
    }

    /// The baseline's items: the libraries', then the journey's (none for a library).
    fn items(&self) -> Vec<&Item> {
        let own = self
            .ast
            .as_ref()
            .and_then(|a| a.journey.as_ref())
            .map(|j| &j.items[..])
            .unwrap_or_default();
        self.libs.iter().chain(own).collect()
    }

    /// The journey (with scenario `scenario`, if any) with `objective` and `constraint`
    /// lines given as text (`journeyc optimize --objective … --constraint …`): they replace
    /// the file's objective and, when any is given, all of its constraints. The text is
    /// added to the sources as `label`, so findings about it point into it.
    pub fn with_decision_lines(
        &mut self,
        label: &str,
        lines: &str,
        scenario: Option<&str>,
    ) -> Result<(Option<Journey>, Vec<Finding>), ResolveError> {
        let text = format!("journey command_line {{\n{lines}}}\n");
        let id = self
            .sources
            .add(SourceFile::new(PathBuf::from(label), text));
        let parsed = match syntax::parse_file(&self.sources, id) {
            Ok(f) => f,
            Err(f) => return Ok((None, vec![*f])),
        };
        let extra: Vec<Item> = parsed.journey.map(|j| j.items).unwrap_or_default();
        let objective = extra.iter().any(|i| matches!(i, Item::Objective(_)));
        let constraints = extra.iter().any(|i| matches!(i, Item::Constraint(_)));
        let mut items: Vec<&Item> = self
            .items()
            .into_iter()
            .filter(|i| match i {
                Item::Objective(_) => !objective,
                Item::Constraint(_) => !constraints,
                _ => true,
            })
            .collect();
        items.extend(&extra);
        match scenario {
            Some(name) => self.scenario_over(&items, name),
            None => {
                let j = self
                    .ast
                    .as_ref()
                    .and_then(|a| a.journey.as_ref())
                    .ok_or_else(|| ResolveError::ScenarioOfLibrary {
                        name: String::new(),
                        file: self.sources.get(self.main).display_path(),
                    })?;
                let head = resolve::Head {
                    name: &j.name,
                    label: j.label.as_ref(),
                    taken: None,
                };
                let (journey, more) = resolve::resolve_journey(
                    head,
                    &items,
                    &scenario_infos(j),
                    None,
                    &resolve::Removed::default(),
                    failed_use(&self.load_findings),
                );
                let mut all = self.load_findings.clone();
                all.extend(more);
                let ok = !all
                    .iter()
                    .any(|f| f.level == crate::diagnostic::Level::Error);
                Ok((if ok { journey } else { None }, all))
            }
        }
    }

    fn scenario_over(
        &self,
        base: &[&Item],
        name: &str,
    ) -> Result<(Option<Journey>, Vec<Finding>), ResolveError> {
        let file = self.sources.get(self.main).display_path();
        let Some(j) = self.ast.as_ref().and_then(|a| a.journey.as_ref()) else {
            return Err(ResolveError::ScenarioOfLibrary {
                name: name.into(),
                file,
            });
        };
        let Some(s) = j.items.iter().find_map(|i| match i {
            Item::Scenario(s) if s.name.text == name => Some(s),
            _ => None,
        }) else {
            return Err(ResolveError::UnknownScenario {
                name: name.into(),
                file,
                known: self.scenario_names(),
            });
        };
        let (items, removed, mut findings) = scenario::apply(base, s);
        let items: Vec<&Item> = items.iter().collect();
        let head = resolve::Head {
            name: &j.name,
            label: j.label.as_ref(),
            taken: None,
        };
        let (journey, more) = resolve::resolve_journey(
            head,
            &items,
            &scenario_infos(j),
            Some(name),
            &removed,
            failed_use(&self.load_findings),
        );
        findings.extend(more);
        let mut all = self.load_findings.clone();
        all.extend(findings);
        let ok = !all
            .iter()
            .any(|f| f.level == crate::diagnostic::Level::Error);
        Ok((if ok { journey } else { None }, all))
    }
}

fn scenario_infos(j: &ast::Journey) -> Vec<ScenarioInfo> {
    j.items
        .iter()
        .filter_map(|i| match i {
            Item::Scenario(s) => Some(ScenarioInfo {
                name: s.name.text.clone(),
                label: s
                    .label
                    .as_ref()
                    .map_or_else(|| s.name.text.clone(), |l| l.text.clone()),
            }),
            _ => None,
        })
        .collect()
}

/// The root of a file on disk when none is given: the nearest folder at or above the file's
/// that holds `journeyc.toml` or `.git` (the project the file belongs to), else the current
/// directory. The nearest marker is never above a nearer one, so a marker planted inside a
/// tree only narrows what its files may `use`.
pub fn default_root(path: &Path) -> PathBuf {
    let cwd = std::env::current_dir().unwrap_or_default();
    let file = if path.is_absolute() {
        path.to_path_buf()
    } else {
        cwd.join(path)
    };
    let mut dir = file.parent().map(normalize);
    while let Some(d) = dir {
        if d.join("journeyc.toml").exists() || d.join(".git").exists() {
            return d;
        }
        dir = d.parent().map(Path::to_path_buf);
    }
    cwd
}

/// `options` with the root filled in by [`default_root`] of `path` when it has none.
fn rooted(path: &Path, options: &Options) -> Options {
    Options {
        root: Some(options.root.clone().unwrap_or_else(|| default_root(path))),
        scenario: options.scenario.clone(),
    }
}

/// Reads and resolves a file (see the module documentation).
pub fn resolve(path: &Path, options: &Options) -> Result<Compiled, ResolveError> {
    resolve_in(path, &rooted(path, options), &Disk)
}

/// [`resolve`] for a caller that needs the model and the findings only, not the syntax
/// tree (`compile`, `check`, `graph`, `analyze`, `simulate`, `levers`): each touchpoint's
/// attributes are freed as soon as the touchpoint is resolved, so that a large journey's
/// syntax tree and model are never in memory whole together, and [`Compiled::ast`] is `None`
/// afterwards. The frees leave small holes in the heap, which glibc's allocator was slow to
/// work around (a third more time for `check`; the binary uses mimalloc, where they cost
/// nothing measurable: docs/performance.md). A journey that declares scenarios keeps its tree
/// (they are resolved from it) and resolves as with [`resolve`]; either way the model and the
/// findings are the same.
pub fn resolve_lean(path: &Path, options: &Options) -> Result<Compiled, ResolveError> {
    let options = rooted(path, options);
    let text = read_main(path, &Disk)?;
    resolve_source_with(path, text, &options, &Disk, true)
}

/// [`resolve`] in another tree of files (a git revision held in memory): the file and its
/// `use`s are read from `files`, and the root is a path in that tree.
pub fn resolve_in(
    path: &Path,
    options: &Options,
    files: &dyn Files,
) -> Result<Compiled, ResolveError> {
    let text = read_main(path, files)?;
    resolve_source_in(path, text, options, files)
}

/// The text of the main file.
fn read_main(path: &Path, files: &dyn Files) -> Result<String, ResolveError> {
    let abs = files.absolute(path);
    Ok(files
        .canonical(&abs)
        .map_err(|e| ReadError::Io {
            path: path.to_string_lossy().replace('\\', "/"),
            reason: io_reason(&e),
        })
        .and_then(|c| files.read(&c))?)
}

/// Resolves a file whose text is already read (`path` locates its `use`s and names it in
/// reports).
pub fn resolve_source(
    path: impl Into<PathBuf>,
    text: impl Into<String>,
    options: &Options,
) -> Result<Compiled, ResolveError> {
    let path = path.into();
    let options = rooted(&path, options);
    resolve_source_in(path, text, &options, &Disk)
}

/// [`resolve_source`] whose `use`s are read from `files`.
pub fn resolve_source_in(
    path: impl Into<PathBuf>,
    text: impl Into<String>,
    options: &Options,
    files: &dyn Files,
) -> Result<Compiled, ResolveError> {
    resolve_source_with(path, text, options, files, false)
}

/// [`resolve_source_in`]; `lean`: as [`resolve_lean`].
fn resolve_source_with(
    path: impl Into<PathBuf>,
    text: impl Into<String>,
    options: &Options,
    files: &dyn Files,
    lean: bool,
) -> Result<Compiled, ResolveError> {
    let mut sources = SourceMap::new();
    let main = sources.add(SourceFile::new(path.into(), text));
    let parsed = syntax::parse_file(&sources, main);
    let mut compiled = Compiled {
        sources,
        main,
        ast: None,
        library: false,
        journey: None,
        findings: Vec::new(),
        libs: Vec::new(),
        load_findings: Vec::new(),
    };
    let mut file = match parsed {
        Ok(f) => f,
        Err(f) => {
            compiled.findings.push(*f);
            return Ok(compiled);
        }
    };
    let root = options
        .root
        .clone()
        .unwrap_or_else(|| std::env::current_dir().unwrap_or_default());
    let mut loader = load::Loader::new(&mut compiled.sources, files, root);
    loader.load_uses(main, &file);
    let (libs, load_findings) = (
        std::mem::take(&mut loader.items),
        std::mem::take(&mut loader.findings),
    );
    compiled.load_findings = load_findings.clone();
    compiled.findings = load_findings;
    // Lean: the touchpoints' attributes go to the resolver, which frees each list once its
    // touchpoint is resolved; the tree (left without them) is dropped after resolving.
    let lean = lean
        && options.scenario.is_none()
        && file
            .journey
            .as_ref()
            .is_some_and(|j| !j.items.iter().any(|i| matches!(i, Item::Scenario(_))));
    let mut taken = match (&mut file.journey, lean) {
        (Some(j), true) => Some(resolve::Taken::from(&mut j.items)),
        _ => None,
    };
    // The syntax tree is kept whole (not a copy: it is the largest structure of a compile);
    // the resolver reads it from there.
    compiled.ast = Some(file);
    let Some(file) = compiled.ast.as_ref() else {
        return Ok(compiled);
    };

    match &file.journey {
        None => {
            compiled.library = true;
            let items: Vec<&Item> = libs.iter().chain(&file.library).collect();
            if let Some(name) = &options.scenario {
                let f = compiled.sources.get(main).display_path();
                return Err(ResolveError::ScenarioOfLibrary {
                    name: name.clone(),
                    file: f,
                });
            }
            let failed = failed_use(&compiled.findings);
            compiled
                .findings
                .extend(resolve::check_library(&items, failed));
        }
        Some(j) => {
            compiled.libs = libs;
            match &options.scenario {
                Some(name) => {
                    let (journey, findings) = compiled.scenario(name)?;
                    compiled.journey = journey;
                    compiled.findings = findings;
                }
                None => {
                    let head = resolve::Head {
                        name: &j.name,
                        label: j.label.as_ref(),
                        taken: taken.as_mut(),
                    };
                    let items = compiled.items();
                    let (journey, findings) = resolve::resolve_journey(
                        head,
                        &items,
                        &scenario_infos(j),
                        None,
                        &Default::default(),
                        failed_use(&compiled.findings),
                    );
                    compiled.journey = journey;
                    compiled.findings.extend(findings);
                }
            }
        }
    }
    if taken.is_some() {
        compiled.drop_syntax();
    }
    Ok(compiled)
}

/// The `use` that could not be loaded (its J0104), if any: unknown channels and segments
/// blame it (see `resolve::Resolver::unknown`).
fn failed_use(findings: &[Finding]) -> Option<crate::source::Span> {
    findings
        .iter()
        .find(|f| f.rule == crate::rules::Rule::BadUse)
        .map(|f| f.primary.span)
}

/// A duration for people: `45s`, `7m 23s`, `2h 5m`, `3d 4h`.
pub fn format_duration(seconds: f64) -> String {
    if !seconds.is_finite() {
        return "n/a".into();
    }
    let s = seconds.round().max(0.0) as u64;
    let (d, h, m, sec) = (s / 86_400, s % 86_400 / 3600, s % 3600 / 60, s % 60);
    match (d, h, m) {
        (0, 0, 0) => format!("{sec}s"),
        (0, 0, _) => {
            if sec == 0 {
                format!("{m}m")
            } else {
                format!("{m}m {sec}s")
            }
        }
        (0, _, _) => {
            if m == 0 {
                format!("{h}h")
            } else {
                format!("{h}h {m}m")
            }
        }
        _ => {
            if h == 0 {
                format!("{d}d")
            } else {
                format!("{d}d {h}h")
            }
        }
    }
}

use crate::syntax;

#[cfg(test)]
mod tests;
