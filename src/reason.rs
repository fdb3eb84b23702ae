//! The answer to "is this delivery authentic?": `ok` or one stable reason code.
//!
//! The codes are a public contract (plugins log them and map them to HTTP
//! statuses), so they never change spelling. None of them says anything about
//! the expected signature.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reason {
    Ok,
    /// The signature header is absent or empty.
    MissingSignature,
    /// The signature header is present but holds no signature of the scheme's
    /// form (bad prefix, bad hex/base64, wrong length, no `v1` entry).
    MalformedSignature,
    /// A timestamped scheme's timestamp is absent.
    MissingTimestamp,
    /// The timestamp is not a plain decimal number of seconds.
    MalformedTimestamp,
    /// The message id a scheme signs (Standard Webhooks `webhook-id`) is absent.
    MissingId,
    /// The timestamp is more than `tolerance` seconds in the past.
    TimestampTooOld,
    /// The timestamp is more than `tolerance` seconds in the future.
    TimestampInFuture,
    /// Well-formed, but no signature matches any secret.
    SignatureMismatch,
}

impl Reason {
    pub const ALL: [Reason; 9] = [
        Reason::Ok,
        Reason::MissingSignature,
        Reason::MalformedSignature,
        Reason::MissingTimestamp,
        Reason::MalformedTimestamp,
        Reason::MissingId,
        Reason::TimestampTooOld,
        Reason::TimestampInFuture,
        Reason::SignatureMismatch,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Reason::Ok => "ok",
            Reason::MissingSignature => "missing_signature",
            Reason::MalformedSignature => "malformed_signature",
            Reason::MissingTimestamp => "missing_timestamp",
            Reason::MalformedTimestamp => "malformed_timestamp",
            Reason::MissingId => "missing_id",
            Reason::TimestampTooOld => "timestamp_too_old",
            Reason::TimestampInFuture => "timestamp_in_future",
            Reason::SignatureMismatch => "signature_mismatch",
        }
    }

    pub fn is_ok(self) -> bool {
        self == Reason::Ok
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_lists_every_code_once_ok_first() {
        let codes = Reason::ALL.map(Reason::code);
        assert_eq!(codes[0], "ok");
        let mut unique = codes.to_vec();
        unique.sort_unstable();
        unique.dedup();
        assert_eq!(unique.len(), codes.len());
        // A new variant must join ALL: this match stops compiling without it.
        for reason in Reason::ALL {
            match reason {
                Reason::Ok
                | Reason::MissingSignature
                | Reason::MalformedSignature
                | Reason::MissingTimestamp
                | Reason::MalformedTimestamp
                | Reason::MissingId
                | Reason::TimestampTooOld
                | Reason::TimestampInFuture
                | Reason::SignatureMismatch => {}
            }
        }
    }
}
