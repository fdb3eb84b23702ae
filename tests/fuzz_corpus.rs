//! The fuzz targets (fuzz/src/, included here by path) on the stable
//! toolchain, with no libFuzzer and no nightly build:
//! - every saved input (fuzz/corpus/ and the crashes kept in
//!   fuzz/regressions/) still passes its target's invariants;
//! - `HOOKGUARD_FUZZ_SECONDS=N cargo test --release --test fuzz_corpus --
//!   --ignored` mutates the saved inputs blindly for N seconds per target
//!   (tests/fuzz/run does, in CI). Coverage-guided fuzzing is scripts/fuzz.

#[allow(dead_code)]
#[path = "../fuzz/src/input.rs"]
mod input;
#[allow(dead_code)]
#[path = "../fuzz/src/reference.rs"]
mod reference;
#[path = "../fuzz/src/targets/mod.rs"]
mod targets;

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use proptest::prelude::Rng;
use proptest::test_runner::{RngAlgorithm, TestRng};

const FUZZ: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fuzz");

fn saved(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    for dir in ["corpus", "regressions"] {
        let Ok(entries) = std::fs::read_dir(Path::new(FUZZ).join(dir).join(target)) else { continue };
        for e in entries {
            let path = e.expect("dir entry").path();
            let data = std::fs::read(&path).expect("read input");
            out.push((path, data));
        }
    }
    out.sort();
    out
}

#[test]
fn every_saved_input_keeps_its_invariants() {
    let mut failed = Vec::new();
    for (target, run) in targets::ALL {
        let inputs = saved(target);
        assert!(!inputs.is_empty(), "no saved inputs for {target}: run scripts/fuzz");
        for (path, data) in inputs {
            if catch_unwind(AssertUnwindSafe(|| run(&data))).is_err() {
                failed.push(path.display().to_string());
            }
        }
    }
    assert!(failed.is_empty(), "inputs that broke an invariant:\n  {}", failed.join("\n  "));
}

/// A number below `n`.
fn below(rng: &mut TestRng, n: usize) -> usize {
    (rng.next_u64() % n.max(1) as u64) as usize
}

/// The words in fuzz/dict (libFuzzer's format: one quoted string a line).
fn dictionary() -> Vec<Vec<u8>> {
    let text = std::fs::read_to_string(Path::new(FUZZ).join("dict")).expect("fuzz/dict");
    text.lines()
        .filter_map(|l| l.strip_prefix('"')?.strip_suffix('"'))
        .map(|w| {
            let mut out = Vec::new();
            let mut rest = w.as_bytes();
            while let Some((&c, tail)) = rest.split_first() {
                match (c, tail) {
                    (b'\\', [b'x', h, l, more @ ..]) => {
                        out.push(u8::from_str_radix(std::str::from_utf8(&[*h, *l]).expect("hex"), 16).expect("hex"));
                        rest = more;
                    }
                    _ => {
                        out.push(c);
                        rest = tail;
                    }
                }
            }
            out
        })
        .collect()
}

/// One to four of libFuzzer's simpler mutations, or a splice with `other`.
fn mutate(rng: &mut TestRng, input: &[u8], other: &[u8], dict: &[Vec<u8>]) -> Vec<u8> {
    let mut m = input.to_vec();
    for _ in 0..1 + below(rng, 4) {
        let at = below(rng, m.len() + 1);
        let last = m.len().saturating_sub(1);
        match below(rng, 7) {
            0 if !m.is_empty() => m[at.min(last)] ^= 1 << below(rng, 8),
            1 if !m.is_empty() => m[at.min(last)] = rng.next_u64() as u8,
            2 => m.insert(at, rng.next_u64() as u8),
            3 if at < m.len() => {
                let end = (at + 1 + below(rng, 8)).min(m.len());
                m.drain(at..end);
            }
            4 => {
                let word = &dict[below(rng, dict.len())];
                m.splice(at..at, word.iter().copied());
            }
            5 if !other.is_empty() => {
                let from = below(rng, other.len());
                m.truncate(at);
                m.extend_from_slice(&other[from..]);
            }
            _ if at < m.len() => m[at] = [b'\x1e', b'\x1f', b' ', b'0', b'=', b','][below(rng, 6)],
            _ => m.push(rng.next_u64() as u8),
        }
    }
    m
}

#[test]
#[ignore = "CI runs it from tests/fuzz/run; scripts/fuzz is the real fuzzer"]
fn mutated_inputs_keep_their_invariants() {
    let seconds: u64 = std::env::var("HOOKGUARD_FUZZ_SECONDS").ok().and_then(|s| s.parse().ok()).unwrap_or(2);
    let seed = std::env::var("HOOKGUARD_FUZZ_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| SystemTime::now().duration_since(UNIX_EPOCH).expect("clock").as_nanos() as u64 | 1);
    println!("mutating saved inputs for {seconds} s per target, HOOKGUARD_FUZZ_SEED={seed}");
    let mut rng = TestRng::from_seed(RngAlgorithm::XorShift, &[seed.to_le_bytes(), seed.to_le_bytes()].concat());
    let dict = dictionary();
    for (target, run) in targets::ALL {
        let inputs: Vec<Vec<u8>> = saved(target).into_iter().map(|(_, d)| d).collect();
        let end = Instant::now() + Duration::from_secs(seconds);
        let mut count = 0u64;
        while Instant::now() < end {
            for _ in 0..256 {
                let input = &inputs[below(&mut rng, inputs.len())];
                let other = &inputs[below(&mut rng, inputs.len())];
                let mutant = mutate(&mut rng, input, other, &dict);
                if catch_unwind(AssertUnwindSafe(|| run(&mutant))).is_err() {
                    let dir = Path::new(FUZZ).join("artifacts").join(target);
                    std::fs::create_dir_all(&dir).expect("artifacts dir");
                    let path = dir.join(format!("mutant-{seed}-{count}"));
                    std::fs::write(&path, &mutant).expect("write the failing input");
                    panic!("{target}: a mutated input broke an invariant; saved as {}", path.display());
                }
                count += 1;
            }
        }
        println!("{target:>10}: {count} mutated inputs, {} saved inputs", inputs.len());
    }
}
