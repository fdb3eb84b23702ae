//! `Headers`: finds what the reference lookup finds for every name a scheme
//! reads, in every shape PHP hands headers over in, with or without the
//! `Headers::only` filter the extension uses for `$_SERVER`.
//!
//! Input: field 0 is the wanted name (or a scheme label, to use its
//! headers); every further field is a header, `name 0x1F value`.

use hookguard::headers::Headers;

use crate::input::{fields, header_pair, scheme, schemes, shaped_bytes};
use crate::reference;

pub fn run(data: &[u8]) {
    let fields = fields(data);
    let Some((wanted, rest)) = fields.split_first() else { return };
    let pairs: Vec<_> = rest.iter().map(|f| header_pair(f)).collect();
    let wanted = String::from_utf8_lossy(wanted);
    let mut names: Vec<String> = scheme(&wanted).header_names().iter().map(|n| n.to_string()).collect();
    if !schemes().iter().any(|s| s.label == wanted) {
        names.push(wanted.into_owned());
    }
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();

    let mut all = Headers::new();
    let mut only = Headers::only(&refs);
    for (n, v) in &pairs {
        all.push(n, v);
        only.push(n, v);
    }
    for name in &names {
        let expected = reference::header(&pairs, name);
        assert_eq!(all.get(name), expected, "get({name:?})");
        assert_eq!(only.get(name), expected, "only(..).get({name:?})");
        let every: Vec<_> =
            pairs.iter().filter(|(n, _)| reference::name_matches(n, name)).map(|(_, v)| reference::trim(v)).collect();
        assert_eq!(all.get_all(name).collect::<Vec<_>>(), every, "get_all({name:?})");
        if let Some(v) = expected {
            assert!(!v.is_empty() && v == reference::trim(v));
        }
        // The scheme asks in its own spelling; any shape of that spelling finds the same.
        for shape in 2..5 {
            let asked = String::from_utf8(shaped_bytes(name.as_bytes(), shape).expect("not the $_SERVER shape"))
                .expect("ASCII case only");
            assert_eq!(all.get(&asked), expected, "shape {shape} of {name:?}");
        }
    }
}
