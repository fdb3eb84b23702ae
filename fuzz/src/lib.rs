//! HookGuard's fuzz targets as plain functions over bytes.
//!
//! Each `targets::*::run` asserts invariants (a reference model, a round
//! trip, or that only the secret decides `ok`), not just "no panic". The
//! same functions run under libFuzzer (`fuzz_targets/`, nightly) and, on
//! stable, in the main crate's tests/fuzz_corpus.rs (which includes these
//! files by path), so CI needs no nightly build.
//!
//! Inputs are readable records (see [`input`]), so `seed` can write the
//! corpus from `tests/vectors.json` and a crash reads as text.

pub mod input;
pub mod reference;
pub mod targets;
