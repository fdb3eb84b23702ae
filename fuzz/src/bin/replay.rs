//! Runs every saved input of every fuzz target once (the corpora and the
//! regressions of crashes found), on the stable toolchain: the fuzzers'
//! invariants as a regression suite. Exits non-zero naming each failing file.
//!
//! Usage: replay <dir>...   (each holding one subdirectory per target)

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;

use hookguard_fuzz::TARGETS;

fn main() {
    let dirs: Vec<String> = std::env::args().skip(1).collect();
    if dirs.is_empty() {
        eprintln!("usage: replay <corpus dir>...");
        std::process::exit(2);
    }
    let mut failed = Vec::new();
    for (target, run) in TARGETS {
        let mut count = 0;
        for dir in &dirs {
            let Ok(entries) = std::fs::read_dir(Path::new(dir).join(target)) else { continue };
            let mut paths: Vec<_> = entries.map(|e| e.expect("dir entry").path()).collect();
            paths.sort();
            for path in paths {
                let data = std::fs::read(&path).expect("read input");
                count += 1;
                if catch_unwind(AssertUnwindSafe(|| run(&data))).is_err() {
                    failed.push(path.display().to_string());
                }
            }
        }
        println!("{target:>10}: {count} inputs");
    }
    if !failed.is_empty() {
        eprintln!("replay: {} inputs broke an invariant:\n  {}", failed.len(), failed.join("\n  "));
        std::process::exit(1);
    }
}
