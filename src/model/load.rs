//! Reading files and their `use`s: UTF-8 and BOM handling, paths confined to the root,
//! cycles reported with their chain, each library included once.

use super::rules::bad_use;
use crate::ast::{self, Item};
use crate::diagnostic::Finding;
use crate::source::{FileId, SourceFile, SourceMap};
use crate::syntax;
use std::path::{Component, Path, PathBuf};

/// Why a file could not be read at all (exit 2: there is nothing to diagnose).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ReadError {
    /// The file could not be opened or read.
    #[error("cannot read `{path}`: {reason}")]
    Io {
        /// The path as given.
        path: String,
        /// The operating system's reason.
        reason: String,
    },
    /// The bytes are not UTF-8.
    #[error("`{path}` is not UTF-8 text (invalid byte at offset {offset}); save it as UTF-8")]
    NotUtf8 {
        /// The path as given.
        path: String,
        /// First invalid byte.
        offset: usize,
    },
    /// Over the size limit (`--max-file-size`).
    #[error(
        "cannot read `{path}`: it is {}, over the {} limit; raise it with --max-file-size",
        size_words(*size),
        size_words(*limit)
    )]
    TooBig {
        /// The path as given.
        path: String,
        /// Bytes seen (at least limit + 1).
        size: u64,
        /// The limit.
        limit: u64,
    },
}

/// The default largest file journeyc reads: 64 MiB (see `docs/security.md`).
pub const DEFAULT_MAX_FILE_SIZE: u64 = 64 * 1024 * 1024;

static MAX_FILE_SIZE: std::sync::atomic::AtomicU64 =
    std::sync::atomic::AtomicU64::new(DEFAULT_MAX_FILE_SIZE);

/// Sets the largest file [`read_bytes`] accepts for the rest of the process
/// (`--max-file-size`).
pub fn set_max_file_size(bytes: u64) {
    MAX_FILE_SIZE.store(bytes, std::sync::atomic::Ordering::Relaxed);
}

/// The largest file [`read_bytes`] accepts.
pub fn max_file_size() -> u64 {
    MAX_FILE_SIZE.load(std::sync::atomic::Ordering::Relaxed)
}

/// A size for people: `1.2 GB`, `64 MiB`, `812 bytes`.
pub fn size_words(bytes: u64) -> String {
    const MIB: u64 = 1024 * 1024;
    if bytes >= MIB && bytes % MIB == 0 {
        format!("{} MiB", bytes / MIB)
    } else if bytes >= 1_000_000_000 {
        format!("{:.1} GB", bytes as f64 / 1e9)
    } else if bytes >= 1_000_000 {
        format!("{:.1} MB", bytes as f64 / 1e6)
    } else if bytes >= 10_000 {
        format!("{:.1} kB", bytes as f64 / 1e3)
    } else {
        format!("{bytes} bytes")
    }
}

/// What a file that is not a regular file is, in words ("a FIFO").
pub fn kind_words(kind: std::fs::FileType) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt as _;
        if kind.is_fifo() {
            return "a FIFO";
        }
        if kind.is_char_device() {
            return "a character device";
        }
        if kind.is_block_device() {
            return "a block device";
        }
        if kind.is_socket() {
            return "a socket";
        }
    }
    if kind.is_dir() {
        "a directory"
    } else if kind.is_symlink() {
        "a symbolic link"
    } else {
        "not a regular file"
    }
}

/// Reads a regular file, at most [`max_file_size`] bytes. Anything else — a FIFO, a device, a
/// socket, a directory — is refused without blocking: the file is opened non-blocking and the
/// opened handle's type is checked before a byte is read; the limit is enforced on the bytes
/// read, not on the size the file system claims (`/proc` files say 0).
pub fn read_bytes(path: &Path) -> Result<Vec<u8>, ReadError> {
    use std::io::Read as _;
    let shown = path.to_string_lossy().replace('\\', "/");
    let io = |e: std::io::Error| ReadError::Io {
        path: shown.clone(),
        reason: io_reason(&e),
    };
    let not_regular = |kind: std::fs::FileType| ReadError::Io {
        path: shown.clone(),
        reason: format!("it is {}, not a regular file", kind_words(kind)),
    };
    // A first look without opening: opening a device can have effects of its own. The handle
    // is checked again below, in case the file changed in between.
    let meta = std::fs::metadata(path).map_err(io)?;
    if !meta.is_file() {
        return Err(not_regular(meta.file_type()));
    }
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.custom_flags(libc::O_NONBLOCK);
    }
    let file = options.open(path).map_err(io)?;
    let meta = file.metadata().map_err(io)?;
    if !meta.is_file() {
        return Err(not_regular(meta.file_type()));
    }
    let limit = max_file_size();
    let too_big = |size: u64| ReadError::TooBig {
        path: shown.clone(),
        size,
        limit,
    };
    if meta.len() > limit {
        return Err(too_big(meta.len()));
    }
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    file.take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(io)?;
    if bytes.len() as u64 > limit {
        return Err(too_big(bytes.len() as u64));
    }
    Ok(bytes)
}

/// Reads a file as UTF-8 text ([`read_bytes`]: regular files only, size limited).
pub fn read_text(path: &Path) -> Result<String, ReadError> {
    let bytes = read_bytes(path)?;
    text_of(path, bytes)
}

/// Bytes as UTF-8 text; the error names `path`.
pub fn text_of(path: &Path, bytes: Vec<u8>) -> Result<String, ReadError> {
    String::from_utf8(bytes).map_err(|e| ReadError::NotUtf8 {
        path: path.to_string_lossy().replace('\\', "/"),
        offset: e.utf8_error().valid_up_to(),
    })
}

/// The OS error in plain words, without Rust's "(os error 2)" suffix.
pub fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        std::io::ErrorKind::IsADirectory => "it is a directory".into(),
        _ => {
            let s = e.to_string();
            match s.find(" (os error") {
                Some(i) => s[..i].to_string(),
                None => s,
            }
        }
    }
}

/// Removes `.` and resolves `..` without touching the file system.
pub fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            // `..` removes a name; at the top of an absolute path it stays there (`/..` is
            // `/`); at the start of a relative path (or after another `..`) it is kept.
            Component::ParentDir => match out.components().next_back() {
                Some(Component::Normal(_)) => {
                    out.pop();
                }
                Some(Component::RootDir | Component::Prefix(_)) => {}
                _ => out.push(".."),
            },
            other => out.push(other),
        }
    }
    out
}

/// Absolute form of a path (against the current directory), normalised.
pub fn absolute(path: &Path) -> PathBuf {
    if path.is_absolute() {
        normalize(path)
    } else {
        normalize(&std::env::current_dir().unwrap_or_default().join(path))
    }
}

/// Where the loader finds files: the file system ([`Disk`]), or another tree such as a git
/// revision held in memory (`journeyc diff REV:PATH`), which never touches the disk.
pub trait Files: Sync {
    /// The absolute form of a path, without following links.
    fn absolute(&self, path: &Path) -> PathBuf;
    /// The real location of an absolute path (links followed), or why there is none.
    fn canonical(&self, abs: &Path) -> std::io::Result<PathBuf>;
    /// The text at a real location.
    fn read(&self, canonical: &Path) -> Result<String, ReadError>;
}

/// The file system.
pub struct Disk;

impl Files for Disk {
    fn absolute(&self, path: &Path) -> PathBuf {
        absolute(path)
    }
    fn canonical(&self, abs: &Path) -> std::io::Result<PathBuf> {
        abs.canonicalize()
    }
    fn read(&self, canonical: &Path) -> Result<String, ReadError> {
        read_text(canonical)
    }
}

/// Loads the `use`s of a file, depth first, collecting library items in order.
pub(crate) struct Loader<'a> {
    pub sources: &'a mut SourceMap,
    files: &'a dyn Files,
    /// Absolute, canonical root.
    pub root: PathBuf,
    /// The root as given, absolute (it may differ from `root` through a link).
    given_root: PathBuf,
    pub findings: Vec<Finding>,
    pub items: Vec<Item>,
    loaded: Vec<PathBuf>,
    stack: Vec<(PathBuf, String)>,
}

impl<'a> Loader<'a> {
    pub fn new(sources: &'a mut SourceMap, files: &'a dyn Files, root: PathBuf) -> Loader<'a> {
        let given_root = files.absolute(&root);
        let root = files
            .canonical(&given_root)
            .unwrap_or_else(|_| given_root.clone());
        Loader {
            sources,
            files,
            root,
            given_root,
            findings: Vec::new(),
            items: Vec::new(),
            loaded: Vec::new(),
            stack: Vec::new(),
        }
    }

    /// Loads every `use` of `file` (whose AST is `ast`) and, recursively, theirs.
    pub fn load_uses(&mut self, file: FileId, ast: &ast::File) {
        let path = self.sources.get(file).path.clone();
        let abs = self.files.absolute(&path);
        let canonical = self.files.canonical(&abs).unwrap_or(abs);
        if !self.loaded.contains(&canonical) {
            self.loaded.push(canonical.clone());
        }
        self.stack
            .push((canonical, path.to_string_lossy().replace('\\', "/")));
        for u in &ast.uses {
            self.load_one(&path, u);
        }
        self.stack.pop();
    }

    fn load_one(&mut self, from: &Path, u: &ast::Use) {
        let base = from.parent().unwrap_or(Path::new(""));
        let shown_path = normalize(&base.join(&u.path.text));
        let shown = shown_path.to_string_lossy().replace('\\', "/");
        let abs = self.files.absolute(&shown_path);
        let span = u.path.span;
        let outside =
            |through_link: bool| bad_use::outside(span, &u.path.text, through_link, &self.root);
        // Inside as written: against the root as given or its real location, so that a root
        // reached through a link (`/tmp` → `/private/tmp`) is the same root.
        let inside = !u.path.text.is_empty()
            && (abs.starts_with(&self.root) || abs.starts_with(&self.given_root));
        if u.path.text.is_empty() {
            self.findings.push(outside(false));
            return;
        }
        // The real location (links followed) decides; nothing outside the root is read.
        let canonical = match self.files.canonical(&abs) {
            Ok(c) if c.starts_with(&self.root) => c,
            Ok(_) => {
                self.findings.push(outside(inside));
                return;
            }
            Err(_) if !inside => {
                self.findings.push(outside(false));
                return;
            }
            Err(e) => {
                self.findings
                    .push(bad_use::missing(span, &shown, &io_reason(&e)));
                return;
            }
        };
        if let Some(i) = self.stack.iter().position(|(p, _)| *p == canonical) {
            let mut chain: Vec<&str> = self.stack[i..].iter().map(|(_, s)| s.as_str()).collect();
            chain.push(&shown);
            self.findings.push(bad_use::cycle(span, &chain));
            return;
        }
        if self.loaded.contains(&canonical) {
            return; // a library used twice is included once
        }
        self.loaded.push(canonical.clone());
        let text = match self.files.read(&canonical) {
            Ok(t) => t,
            Err(e) => {
                self.findings.push(bad_use::unreadable(span, e.to_string()));
                return;
            }
        };
        let id = self.sources.add(SourceFile::new(shown_path.clone(), text));
        let parsed = match syntax::parse(id, &self.sources.get(id).text) {
            Ok(p) => p,
            Err(f) => {
                self.findings.push(*f);
                return;
            }
        };
        if let Some(j) = &parsed.journey {
            self.findings
                .push(bad_use::holds_journey(span, &shown, j.name.span));
            return;
        }
        self.stack.push((canonical, shown));
        for inner in &parsed.uses {
            self.load_one(&shown_path, inner);
        }
        self.stack.pop();
        self.items.extend(parsed.library);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalize_resolves_dots() {
        assert_eq!(normalize(Path::new("a/./b/../c")), PathBuf::from("a/c"));
        assert_eq!(normalize(Path::new("../x")), PathBuf::from("../x"));
        // Before, a second `..` popped the first: `../../x` became `x`.
        assert_eq!(normalize(Path::new("../../x")), PathBuf::from("../../x"));
        assert_eq!(
            normalize(Path::new("a/../../../x")),
            PathBuf::from("../../x")
        );
        assert_eq!(normalize(Path::new("/../x")), PathBuf::from("/x"));
        assert_eq!(normalize(Path::new("a/b/../..")), PathBuf::from(""));
    }
}
