//! Shared by the Rust integration tests: the vectors in tests/vectors.json.
#![allow(dead_code)]

use base64::Engine as _;
use hookguard::scheme::{Layout, Scheme};
use serde_json::Value;

pub struct Vector {
    pub name: String,
    pub scheme: Scheme,
    pub body: Vec<u8>,
    pub secret: Vec<u8>,
    pub now: i64,
    pub headers: Vec<(String, String)>,
}

fn bytes(v: &Value, plain: &str) -> Vec<u8> {
    match v.get(plain) {
        Some(s) => s.as_str().unwrap().as_bytes().to_vec(),
        None => {
            base64::engine::general_purpose::STANDARD.decode(v[format!("{plain}_base64")].as_str().unwrap()).unwrap()
        }
    }
}

pub fn vectors() -> Vec<Vector> {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/vectors.json")).unwrap();
    let json: Value = serde_json::from_str(&text).unwrap();
    json["vectors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            let o = &v["options"];
            let s = |k: &str| o.get(k).and_then(Value::as_str).map(str::to_string);
            let layout = Layout {
                algo: s("algo"),
                encoding: s("encoding"),
                header: s("header"),
                prefix: s("prefix"),
                timestamp_header: s("timestamp_header"),
                id_header: s("id_header"),
                signed_content: s("signed_content"),
            };
            Vector {
                name: v["name"].as_str().unwrap().into(),
                scheme: Scheme::build(v["scheme"].as_str().unwrap(), &layout).unwrap(),
                body: bytes(v, "body"),
                secret: bytes(v, "secret"),
                now: o.get("now").and_then(Value::as_i64).unwrap_or(0),
                headers: v["headers"]
                    .as_object()
                    .unwrap()
                    .iter()
                    .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_string()))
                    .collect(),
            }
        })
        .collect()
}
