//! The signature schemes real senders use, as data.
//!
//! Each scheme says which headers carry the signature (and timestamp and
//! message id), how the MAC is encoded, what bytes are signed and how the
//! secret becomes a key. Sources: `docs/wire-formats.md` and each
//! provider's public documentation (cited in `tests/vectors.json`).

use std::borrow::Cow;
use std::sync::OnceLock;

use smallvec::SmallVec;

use crate::encoding::Encoding;
use crate::keys::KeyForm;
use crate::mac::Algo;

/// The senders HookGuard knows. Adding one is one variant here, its name in
/// [`SchemeId::name`], its layout in [`Scheme::build`] and a vector in
/// `tests/vectors.json` (a test fails without it).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SchemeId {
    WooCommerce,
    Shopify,
    GitHub,
    WooOrderSync,
    Pipedrive,
    WpRelay,
    Stripe,
    StandardWebhooks,
    Slack,
    /// A sender described entirely by options.
    Hmac,
}

impl SchemeId {
    /// Every scheme, in the stable order `hookguard_schemes()` reports.
    pub const ALL: [SchemeId; 10] = [
        SchemeId::WooCommerce,
        SchemeId::Shopify,
        SchemeId::GitHub,
        SchemeId::WooOrderSync,
        SchemeId::Pipedrive,
        SchemeId::WpRelay,
        SchemeId::Stripe,
        SchemeId::StandardWebhooks,
        SchemeId::Slack,
        SchemeId::Hmac,
    ];

    /// The name PHP callers pass (a public contract: never respelled).
    pub const fn name(self) -> &'static str {
        match self {
            SchemeId::WooCommerce => "woocommerce",
            SchemeId::Shopify => "shopify",
            SchemeId::GitHub => "github",
            SchemeId::WooOrderSync => "woo-order-sync",
            SchemeId::Pipedrive => "pipedrive",
            SchemeId::WpRelay => "wp-relay",
            SchemeId::Stripe => "stripe",
            SchemeId::StandardWebhooks => "standard-webhooks",
            SchemeId::Slack => "slack",
            SchemeId::Hmac => "hmac",
        }
    }

    pub fn parse(name: &str) -> Option<SchemeId> {
        SchemeId::ALL.into_iter().find(|id| id.name() == name)
    }
}

/// Every scheme name, in [`SchemeId::ALL`]'s order.
pub const NAMES: [&str; 10] = {
    let mut names = [""; 10];
    let mut i = 0;
    while i < names.len() {
        names[i] = SchemeId::ALL[i].name();
        i += 1;
    }
    names
};

/// Default allowed clock skew for timestamped schemes (all providers use 5 min).
pub const DEFAULT_TOLERANCE: u64 = 300;

/// Where the signature lives and how it is written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SignatureForm {
    /// One header holding `prefix` + encoded MAC. Header names are kept in
    /// the sender's spelling; lookups ignore case.
    Header { name: String, prefix: String, encoding: Encoding },
    /// `Stripe-Signature: t=<ts>,v1=<hex>[,v1=<hex>…]`.
    Stripe,
    /// `webhook-signature: v1,<base64> [v1,<base64> …]`.
    StandardWebhooks,
}

/// One piece of the signed content.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Part {
    Body,
    Timestamp,
    Id,
    Literal(Vec<u8>),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Scheme {
    pub id: SchemeId,
    pub algo: Algo,
    pub key: KeyForm,
    pub signature: SignatureForm,
    /// Header carrying the timestamp (not for Stripe, whose lives in the signature header).
    pub timestamp_header: Option<String>,
    /// Header carrying the message id.
    pub id_header: Option<String>,
    /// The signed content, concatenated.
    pub content: Vec<Part>,
}

/// Scheme settings from the caller's `$options`. Only `algo` (for
/// `woocommerce` and `hmac`) and the `hmac` layout keys shape a scheme.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Layout {
    pub algo: Option<String>,
    pub encoding: Option<String>,
    pub header: Option<String>,
    pub prefix: Option<String>,
    pub timestamp_header: Option<String>,
    pub id_header: Option<String>,
    pub signed_content: Option<String>,
}

/// A scheme request that cannot be honoured: a programming error.
#[derive(Debug, PartialEq, Eq)]
pub enum SchemeError {
    UnknownScheme,
    /// The named option is not valid for this scheme; the text says why.
    Option(&'static str, String),
}

fn header(name: &str, prefix: &str, encoding: Encoding) -> SignatureForm {
    SignatureForm::Header { name: name.into(), prefix: prefix.into(), encoding }
}

fn lit(s: &str) -> Part {
    Part::Literal(s.as_bytes().to_vec())
}

impl Scheme {
    /// Every header a check of this scheme reads.
    pub fn header_names(&self) -> SmallVec<[&str; 3]> {
        let mut names = SmallVec::new();
        names.push(match &self.signature {
            SignatureForm::Header { name, .. } => name.as_str(),
            SignatureForm::Stripe => "Stripe-Signature",
            SignatureForm::StandardWebhooks => "webhook-signature",
        });
        // Pushes, not `extend`: this runs on every verify.
        if let Some(h) = &self.timestamp_header {
            names.push(h.as_str());
        }
        if let Some(h) = &self.id_header {
            names.push(h.as_str());
        }
        names
    }

    pub fn is_timestamped(&self) -> bool {
        self.content.contains(&Part::Timestamp)
    }

    pub fn signs_id(&self) -> bool {
        self.content.contains(&Part::Id)
    }

    /// A named scheme with no options, built once per process.
    pub fn named(name: &str) -> Option<&'static Scheme> {
        static BUILT: OnceLock<Vec<Scheme>> = OnceLock::new();
        BUILT
            .get_or_init(|| {
                SchemeId::ALL.iter().filter_map(|id| Scheme::build(id.name(), &Layout::default()).ok()).collect()
            })
            .iter()
            .find(|s| Some(s.id) == SchemeId::parse(name))
    }

    /// The scheme `name` shaped by `layout`: borrowed when `layout` is empty.
    pub fn resolve(name: &str, layout: &Layout) -> Result<Cow<'static, Scheme>, SchemeError> {
        if *layout == Layout::default() {
            if let Some(s) = Scheme::named(name) {
                return Ok(Cow::Borrowed(s));
            }
        }
        Scheme::build(name, layout).map(Cow::Owned)
    }

    pub fn build(name: &str, layout: &Layout) -> Result<Scheme, SchemeError> {
        let id = SchemeId::parse(name).ok_or(SchemeError::UnknownScheme)?;
        if id != SchemeId::Hmac {
            reject_generic_keys(id, layout)?;
        }
        let body_only = vec![Part::Body];
        let ts_dot_body = vec![Part::Timestamp, lit("."), Part::Body];
        let plain = |algo, sig, content| Scheme {
            id,
            algo,
            key: KeyForm::Raw,
            signature: sig,
            timestamp_header: None,
            id_header: None,
            content,
        };
        Ok(match id {
            SchemeId::WooCommerce => Scheme {
                key: KeyForm::WpSpecialcharsDecode,
                // The shop can change it with `woocommerce_webhook_hash_algorithm`.
                algo: parse_algo(layout, Algo::Sha256)?,
                ..plain(Algo::Sha256, header("X-WC-Webhook-Signature", "", Encoding::Base64), body_only)
            },
            SchemeId::Shopify => plain(Algo::Sha256, header("X-Shopify-Hmac-Sha256", "", Encoding::Base64), body_only),
            SchemeId::GitHub => plain(Algo::Sha256, header("X-Hub-Signature-256", "sha256=", Encoding::Hex), body_only),
            SchemeId::WooOrderSync => {
                plain(Algo::Sha256, header("X-Woo-Signature", "sha256=", Encoding::Hex), body_only)
            }
            SchemeId::Pipedrive => plain(Algo::Sha1, header("X-Pipedrive-Signature", "", Encoding::Hex), body_only),
            SchemeId::WpRelay => Scheme {
                timestamp_header: Some("X-WP-Timestamp".into()),
                id_header: Some("X-Event-Id".into()),
                ..plain(Algo::Sha256, header("X-WP-Signature", "", Encoding::Base64), ts_dot_body)
            },
            SchemeId::Stripe => plain(Algo::Sha256, SignatureForm::Stripe, ts_dot_body),
            SchemeId::StandardWebhooks => Scheme {
                key: KeyForm::Whsec,
                timestamp_header: Some("webhook-timestamp".into()),
                id_header: Some("webhook-id".into()),
                ..plain(
                    Algo::Sha256,
                    SignatureForm::StandardWebhooks,
                    vec![Part::Id, lit("."), Part::Timestamp, lit("."), Part::Body],
                )
            },
            SchemeId::Slack => Scheme {
                timestamp_header: Some("X-Slack-Request-Timestamp".into()),
                ..plain(
                    Algo::Sha256,
                    header("X-Slack-Signature", "v0=", Encoding::Hex),
                    vec![lit("v0:"), Part::Timestamp, lit(":"), Part::Body],
                )
            },
            SchemeId::Hmac => generic(layout)?,
        })
    }
}

fn parse_algo(layout: &Layout, default: Algo) -> Result<Algo, SchemeError> {
    match &layout.algo {
        None => Ok(default),
        Some(a) => Algo::parse(a)
            .ok_or_else(|| SchemeError::Option("algo", "must be one of \"sha1\", \"sha256\", \"sha512\"".into())),
    }
}

fn reject_generic_keys(id: SchemeId, layout: &Layout) -> Result<(), SchemeError> {
    let set = [
        ("algo", layout.algo.is_some() && id != SchemeId::WooCommerce),
        ("encoding", layout.encoding.is_some()),
        ("header", layout.header.is_some()),
        ("prefix", layout.prefix.is_some()),
        ("timestamp_header", layout.timestamp_header.is_some()),
        ("id_header", layout.id_header.is_some()),
        ("signed_content", layout.signed_content.is_some()),
    ];
    match set.iter().find(|(_, is_set)| *is_set) {
        Some((key, _)) => {
            Err(SchemeError::Option(key, format!("is not used by scheme \"{}\"; use scheme \"hmac\"", id.name())))
        }
        None => Ok(()),
    }
}

/// The `hmac` scheme: a sender described entirely by options.
fn generic(layout: &Layout) -> Result<Scheme, SchemeError> {
    let header_name = match layout.header.as_deref() {
        Some(h) if valid_header_name(h) => h,
        Some(_) => {
            return Err(SchemeError::Option("header", "must be a header name (letters, digits, '-', '_')".into()))
        }
        None => return Err(SchemeError::Option("header", "is required by scheme \"hmac\"".into())),
    };
    let encoding = match layout.encoding.as_deref() {
        None => Encoding::Hex,
        Some(e) => {
            Encoding::parse(e).ok_or_else(|| SchemeError::Option("encoding", "must be \"hex\" or \"base64\"".into()))?
        }
    };
    let optional_header = |key: &'static str, v: &Option<String>| match v.as_deref() {
        None => Ok(None),
        Some(h) if valid_header_name(h) => Ok(Some(h.to_string())),
        Some(_) => Err(SchemeError::Option(key, "must be a header name (letters, digits, '-', '_')".into())),
    };
    let timestamp_header = optional_header("timestamp_header", &layout.timestamp_header)?;
    let id_header = optional_header("id_header", &layout.id_header)?;
    // A receiver reads each header by name: two parts under one name, or a
    // prefix that header trimming eats, could be signed but never verified.
    let same = |a: &str, b: &Option<String>| b.as_deref().is_some_and(|b| same_header(a, b));
    if same(header_name, &timestamp_header) {
        return Err(SchemeError::Option("timestamp_header", "must differ from the signature header".into()));
    }
    if same(header_name, &id_header) || timestamp_header.as_deref().is_some_and(|t| same(t, &id_header)) {
        return Err(SchemeError::Option("id_header", "must differ from the signature and timestamp headers".into()));
    }
    if layout.prefix.as_deref().is_some_and(|p| p.starts_with([' ', '\t'])) {
        return Err(SchemeError::Option(
            "prefix",
            "must not start with a space or tab (header values are trimmed)".into(),
        ));
    }
    let template = match (&layout.signed_content, &timestamp_header) {
        (Some(t), _) => t.as_str(),
        (None, Some(_)) => "{timestamp}.{body}",
        (None, None) => "{body}",
    };
    let content = parse_template(template)?;
    if content.contains(&Part::Timestamp) != timestamp_header.is_some() {
        return Err(SchemeError::Option(
            "signed_content",
            "must contain {timestamp} exactly when timestamp_header is set".into(),
        ));
    }
    if content.contains(&Part::Id) && id_header.is_none() {
        return Err(SchemeError::Option("signed_content", "uses {id}, which needs id_header".into()));
    }
    Ok(Scheme {
        id: SchemeId::Hmac,
        algo: parse_algo(layout, Algo::Sha256)?,
        key: KeyForm::Raw,
        signature: header(header_name, layout.prefix.as_deref().unwrap_or(""), encoding),
        timestamp_header,
        id_header,
        content,
    })
}

/// Whether a receiver would read `a` and `b` as one header (see [`crate::headers`]).
fn same_header(a: &str, b: &str) -> bool {
    crate::headers::name_matches(a.as_bytes(), b.as_bytes()) || crate::headers::name_matches(b.as_bytes(), a.as_bytes())
}

fn valid_header_name(h: &str) -> bool {
    !h.is_empty() && h.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-' || c == b'_')
}

/// `"{timestamp}.{body}"` → [Timestamp, ".", Body]. `{body}` must appear once.
fn parse_template(t: &str) -> Result<Vec<Part>, SchemeError> {
    let bad = |why: &str| SchemeError::Option("signed_content", why.into());
    let mut parts = Vec::new();
    let mut rest = t;
    while !rest.is_empty() {
        let (part, len) = if let Some(r) = rest.strip_prefix('{') {
            let end = r.find('}').ok_or_else(|| bad("has an unclosed '{'"))?;
            let part = match &r[..end] {
                "body" => Part::Body,
                "timestamp" => Part::Timestamp,
                "id" => Part::Id,
                _ => return Err(bad("may only use {body}, {timestamp} and {id}")),
            };
            (part, end + 2)
        } else {
            let end = rest.find('{').unwrap_or(rest.len());
            (lit(&rest[..end]), end)
        };
        if matches!(part, Part::Timestamp | Part::Id) && parts.contains(&part) {
            return Err(bad("uses a placeholder twice"));
        }
        parts.push(part);
        rest = &rest[len..];
    }
    if parts.iter().filter(|p| **p == Part::Body).count() != 1 {
        return Err(bad("must contain {body} exactly once"));
    }
    Ok(parts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_scheme_id_has_its_own_name() {
        for id in SchemeId::ALL {
            assert_eq!(SchemeId::parse(id.name()), Some(id));
        }
        assert_eq!(NAMES.len(), SchemeId::ALL.len());
        assert_eq!(SchemeId::parse("GitHub"), None, "names are exact");
    }

    #[test]
    fn every_named_scheme_builds_without_options() {
        for name in NAMES.iter().filter(|n| **n != SchemeId::Hmac.name()) {
            assert!(Scheme::build(name, &Layout::default()).is_ok(), "{name}");
        }
        assert_eq!(Scheme::build("nope", &Layout::default()), Err(SchemeError::UnknownScheme));
    }

    #[test]
    fn generic_needs_a_header_and_a_sound_template() {
        let mut l = Layout::default();
        assert!(matches!(Scheme::build("hmac", &l), Err(SchemeError::Option("header", _))));
        l.header = Some("X-Sig".into());
        assert_eq!(Scheme::build("hmac", &l).unwrap().content, vec![Part::Body]);
        l.timestamp_header = Some("X-Ts".into());
        assert_eq!(
            Scheme::build("hmac", &l).unwrap().content,
            vec![Part::Timestamp, Part::Literal(b".".to_vec()), Part::Body]
        );
        for bad in ["{body}{body}", "{timestamp}", "{body", "{ts}.{body}", "{body}"] {
            l.signed_content = Some(bad.into());
            assert!(matches!(Scheme::build("hmac", &l), Err(SchemeError::Option("signed_content", _))), "{bad}");
        }
    }

    #[test]
    fn named_schemes_refuse_layout_options() {
        let l = Layout { header: Some("X".into()), ..Layout::default() };
        assert!(matches!(Scheme::build("shopify", &l), Err(SchemeError::Option("header", _))));
        let l = Layout { algo: Some("sha512".into()), ..Layout::default() };
        assert_eq!(Scheme::build("woocommerce", &l).unwrap().algo, Algo::Sha512);
        assert!(Scheme::build("github", &l).is_err());
    }
}
