//! HookGuard's fuzz targets as plain functions over bytes.
//!
//! Each `targets::*::run` asserts invariants (a reference model, a round
//! trip, or that only the secret decides `ok`), not just "no panic". The
//! same functions run under libFuzzer (`fuzz_targets/`, nightly) and over
//! the saved corpora on stable (`replay`), so CI needs no nightly build.
//!
//! Inputs are readable records (see [`input`]), so `seed` can write the
//! corpus from `tests/vectors.json` and a crash reads as text.

pub mod input;
pub mod reference;
pub mod targets;

/// Every target, by the name its corpus directory and fuzz binary carry.
pub const TARGETS: [(&str, fn(&[u8])); 7] = [
    ("timestamp", targets::timestamp::run),
    ("encoding", targets::encoding::run),
    ("headers", targets::headers::run),
    ("secret", targets::secret::run),
    ("layout", targets::layout::run),
    ("check", targets::check::run),
    ("sign", targets::sign::run),
];
