//! HookGuard: exact, constant-time webhook signatures for PHP.
//!
//! The core (every module but [`php`]) is plain Rust with no PHP types:
//! - [`scheme`]: the senders' signature schemes, as data;
//! - [`check`] and [`sign`]: verifying and producing signatures;
//! - [`headers`], [`keys`], [`encoding`], [`mac`] (with [`hmac_sha256`]): the pieces they share;
//! - [`reason`]: the stable reason codes;
//! - [`limiter`]: the rate limiter shared by every PHP worker process.
//!
//! [`php`] is the thin ext-php-rs binding that exposes it as `hookguard_*`.

pub mod check;
pub mod encoding;
pub mod headers;
pub mod hmac_sha256;
pub mod keys;
pub mod limiter;
pub mod mac;
pub mod reason;
pub mod scheme;
pub mod sign;

pub mod php;
