//! One module per fuzz target; each `run(data)` panics on a broken invariant.

pub mod check;
pub mod encoding;
pub mod headers;
pub mod layout;
pub mod secret;
pub mod sign;
pub mod timestamp;

/// A target: it panics when `data` breaks one of its invariants.
pub type Run = fn(data: &[u8]);

/// Every target, by the name its corpus directory and fuzz binary carry.
pub const ALL: [(&str, Run); 7] = [
    ("timestamp", timestamp::run),
    ("encoding", encoding::run),
    ("headers", headers::run),
    ("secret", secret::run),
    ("layout", layout::run),
    ("check", check::run),
    ("sign", sign::run),
];
