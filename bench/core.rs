//! The core's cost without PHP, against the floor: the bare SHA-256
//! compression function over the blocks an HMAC of that size needs.
//!
//!     cargo bench --bench core
//!
//! Cases run interleaved, best of 7 rounds, as in bench/timing.php.

use std::hint::black_box;
use std::time::Instant;

use hookguard::check::{check, Clock, Prepared};
use hookguard::encoding::Encoding;
use hookguard::headers::Headers;
use hookguard::mac::{hmac, Algo};
use hookguard::scheme::Scheme;
use sha2::digest::{consts::U64, generic_array::GenericArray};

const ROUNDS: usize = 7;
const OPS_PER_ROUND: u32 = 200_000;

fn main() {
    let secret = b"wc_secret_0123456789abcdef0123456789abcdef";
    let scheme = Scheme::named("woocommerce").expect("a named scheme");
    let wanted = scheme.header_names();
    let clock = Clock { now: 0, tolerance: 300 };

    println!(
        "| body | SHA-256 blocks only (floor) | HMAC, key state cached | check(): header, base64, HMAC, compare | Prepared::check() (HookGuard\\Verifier's core) |"
    );
    println!("|---|---:|---:|---:|---:|");
    for size in [256usize, 2048] {
        let body: Vec<u8> = (0..size).map(|i| i as u8).collect();
        let sig = Encoding::Base64.encode(hmac(Algo::Sha256, secret, &[&body]).as_bytes());
        // Inner hash: the body plus its padding; outer hash: one block.
        let blocks = vec![GenericArray::<u8, U64>::default(); (size + 9).div_ceil(64) + 1];
        let mut state = [0u32; 8];
        let prepared = Prepared::new(std::borrow::Cow::Borrowed(scheme), &[secret]).expect("a valid secret");
        // In the table's column order: floor, HMAC, check(), Prepared::check().
        let mut cases: [Box<dyn FnMut()>; 4] = [
            Box::new(|| sha2::compress256(black_box(&mut state), black_box(&blocks))),
            Box::new(|| {
                black_box(hmac(Algo::Sha256, black_box(secret), &[black_box(&body)]));
            }),
            Box::new(|| {
                let mut headers = Headers::only(&wanted);
                headers.push(b"HTTP_X_WC_WEBHOOK_SIGNATURE", sig.as_bytes());
                let reason = check(scheme, black_box(&body), &headers, &[secret], clock).expect("a valid secret");
                assert!(reason.is_ok());
            }),
            Box::new(|| {
                let mut headers = Headers::only(&wanted);
                headers.push(b"HTTP_X_WC_WEBHOOK_SIGNATURE", sig.as_bytes());
                assert!(prepared.check(black_box(&body), &headers, clock).is_ok());
            }),
        ];
        let mut best = [f64::MAX; 4];
        for _ in 0..ROUNDS {
            for (i, run) in cases.iter_mut().enumerate() {
                let start = Instant::now();
                for _ in 0..OPS_PER_ROUND {
                    run();
                }
                best[i] = best[i].min(start.elapsed().as_nanos() as f64 / f64::from(OPS_PER_ROUND));
            }
        }
        println!("| {size} B | {:.0} ns | {:.0} ns | {:.0} ns | {:.0} ns |", best[0], best[1], best[2], best[3]);
    }
}
