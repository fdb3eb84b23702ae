//! One module per fuzz target; each `run(data)` panics on a broken invariant.

pub mod check;
pub mod encoding;
pub mod headers;
pub mod layout;
pub mod secret;
pub mod sign;
pub mod timestamp;
