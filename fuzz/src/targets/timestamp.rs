//! `parse_timestamp`: accepts exactly plain decimal seconds (1 to 15 digits),
//! agrees with the reference, and reads back what a sender writes.

use hookguard::encoding::parse_timestamp;

use crate::reference;

pub fn run(data: &[u8]) {
    let parsed = parse_timestamp(data);
    assert_eq!(parsed, reference::timestamp(data), "parse_timestamp disagrees with the reference");
    if let Some(t) = parsed {
        assert!((0..10i64.pow(15)).contains(&t));
        assert_eq!(parse_timestamp(t.to_string().as_bytes()), Some(t), "a written timestamp reads back");
    }
}
