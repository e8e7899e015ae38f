//! Compiles the generated parser and the external scanner (both C, committed under `src/`).

fn main() {
    let src = std::path::Path::new("src");
    let mut c = cc::Build::new();
    c.std("c11")
        .include(src)
        // Generated code: its unused parameters and sign comparisons are tree-sitter's own.
        .flag_if_supported("-Wno-unused-parameter")
        .flag_if_supported("-Wno-unused-but-set-variable")
        .flag_if_supported("-Wno-trigraphs");
    #[cfg(target_env = "msvc")]
    c.flag("-utf-8");
    for file in ["parser.c", "scanner.c"] {
        let path = src.join(file);
        println!("cargo:rerun-if-changed={}", path.display());
        c.file(path);
    }
    c.compile("tree-sitter-journey");
}
