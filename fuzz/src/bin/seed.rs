//! Writes the starting corpus of every fuzz target from tests/vectors.json
//! (each provider's published or recomputed delivery), into
//! `<dir>/<target>/seed-<vector>[-n]`. Idempotent: files are overwritten.
//!
//! Usage: seed [corpus dir, default fuzz/corpus]

use std::path::{Path, PathBuf};

use base64::Engine as _;
use hookguard::scheme::{Layout, Scheme, SignatureForm};
use hookguard_fuzz::input::{join, schemes, FIELD, ITEM};
use serde_json::Value;

struct Vector {
    name: String,
    label: &'static str,
    scheme: Scheme,
    options: Value,
    body: Vec<u8>,
    secret: Vec<u8>,
    now: i64,
    headers: Vec<(String, String)>,
}

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = std::env::args().nth(1).map_or_else(|| root.join("corpus"), PathBuf::from);
    let text = std::fs::read_to_string(root.join("../tests/vectors.json")).expect("tests/vectors.json");
    let json: Value = serde_json::from_str(&text).expect("vectors.json is JSON");
    let vectors: Vec<Vector> = json["vectors"].as_array().expect("a vectors list").iter().map(vector).collect();
    let mut written = 0;
    for v in &vectors {
        for (target, inputs) in seeds(v) {
            let dir = out.join(target);
            std::fs::create_dir_all(&dir).expect("corpus dir");
            for (n, input) in inputs.iter().enumerate() {
                std::fs::write(dir.join(format!("seed-{}-{n}", v.name)), input).expect("write seed");
                written += 1;
            }
        }
    }
    println!("seed: {written} inputs from {} vectors in {}", vectors.len(), out.display());
}

fn vector(v: &Value) -> Vector {
    let bytes = |key: &str| match v.get(key).and_then(Value::as_str) {
        Some(s) => s.as_bytes().to_vec(),
        None => base64::engine::general_purpose::STANDARD
            .decode(v[format!("{key}_base64")].as_str().expect("plain or _base64"))
            .expect("base64"),
    };
    let options = v["options"].clone();
    let opt = |k: &str| options.get(k).and_then(Value::as_str).map(str::to_string);
    let layout = Layout {
        algo: opt("algo"),
        encoding: opt("encoding"),
        header: opt("header"),
        prefix: opt("prefix"),
        timestamp_header: opt("timestamp_header"),
        id_header: opt("id_header"),
        signed_content: opt("signed_content"),
    };
    let scheme = Scheme::build(v["scheme"].as_str().expect("scheme"), &layout).expect("vector scheme builds");
    let label = schemes().iter().find(|n| n.scheme == scheme).map_or("hmac", |n| n.label);
    let headers = v["headers"].as_object().expect("headers").iter();
    Vector {
        name: v["name"].as_str().expect("name").to_string(),
        label,
        scheme,
        now: options.get("now").and_then(Value::as_i64).unwrap_or(0),
        options,
        body: bytes("body"),
        secret: bytes("secret"),
        headers: headers.map(|(k, val)| (k.clone(), val.as_str().expect("header text").to_string())).collect(),
    }
}

fn header_fields(headers: &[(String, String)], server_shape: bool) -> Vec<Vec<u8>> {
    headers
        .iter()
        .map(|(k, v)| {
            let name = if server_shape { format!("HTTP_{}", k.to_ascii_uppercase().replace('-', "_")) } else { k.clone() };
            join(&[name.into_bytes(), v.clone().into_bytes()], ITEM)
        })
        .collect()
}

/// The encoded MACs in the vector's signature header.
fn macs(v: &Vector) -> Vec<(bool, &str)> {
    let get = |name: &str| v.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map_or("", |(_, val)| val.as_str());
    match &v.scheme.signature {
        SignatureForm::Header { name, prefix, encoding } => {
            vec![(*encoding == hookguard::encoding::Encoding::Hex, &get(name)[prefix.len()..])]
        }
        SignatureForm::Stripe => get("Stripe-Signature").split(',').filter_map(|i| i.strip_prefix("v1=")).map(|m| (true, m)).collect(),
        SignatureForm::StandardWebhooks => get("webhook-signature").split(' ').filter_map(|i| i.strip_prefix("v1,")).map(|m| (false, m)).collect(),
    }
}

fn seeds(v: &Vector) -> Vec<(&'static str, Vec<Vec<u8>>)> {
    let get = |name: &Option<String>| {
        let name = name.as_deref()?;
        v.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, val)| val.clone())
    };
    let timestamp = get(&v.scheme.timestamp_header).unwrap_or_else(|| v.now.to_string());
    let id = get(&v.scheme.id_header).unwrap_or_else(|| "msg_fuzz".into());
    let mac_len_index = [20, 32, 64].iter().position(|&l| l == v.scheme.algo.output_len()).expect("a MAC length") as u8;
    let encoded: Vec<Vec<u8>> = macs(v).into_iter().map(|(hex, m)| [&[mac_len_index << 1 | u8::from(!hex)][..], m.as_bytes()].concat()).collect();

    let mut check = Vec::new();
    for server_shape in [false, true] {
        let control = format!("{} {} 300 0", v.label, v.now).into_bytes();
        let mut fields = vec![control, v.body.clone(), v.secret.clone()];
        fields.extend(header_fields(&v.headers, server_shape));
        check.push(join(&fields, FIELD));
    }
    let mut headers = vec![v.label.as_bytes().to_vec()];
    headers.extend(header_fields(&v.headers, true));
    let sign = vec![
        format!("{} {timestamp} 0 0 0", v.label).into_bytes(),
        v.body.clone(),
        join(&[b"old secret".to_vec(), v.secret.clone()], ITEM),
        id.into_bytes(),
    ];
    let layout_field = |key: &str| v.options.get(key).and_then(Value::as_str).map_or(Vec::new(), |s| format!("={s}").into_bytes());
    let mut layout = vec![v.scheme.name.as_bytes().to_vec()];
    layout.extend(["header", "prefix", "algo", "encoding", "timestamp_header", "id_header", "signed_content"].map(layout_field));
    layout.push(v.body.clone());

    vec![
        ("timestamp", vec![timestamp.into_bytes()]),
        ("encoding", encoded),
        ("headers", vec![join(&headers, FIELD)]),
        ("secret", vec![v.secret.clone()]),
        ("layout", vec![join(&layout, FIELD)]),
        ("check", check),
        ("sign", vec![join(&sign, FIELD)]),
    ]
}
