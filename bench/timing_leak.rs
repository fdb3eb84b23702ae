//! Does the core leak timing? The dudect-style test of bench/timing-leak.php
//! at the Rust level, without PHP's noise: `cargo bench --bench timing_leak
//! [-- samples per class]` (scripts/timing runs both).
//!
//! Two classes of input per test, every call timed alone, the classes
//! interleaved at random; Welch's t on the raw times and on dudect's 100
//! percentile crops; |t| >= 4.5 anywhere means a leak was detected. A
//! positive control (an early-exit byte loop on the same MACs) shows the
//! method sees a leak of a few nanoseconds. Exits 1 if a core test detects
//! a leak or the control detects none.

use std::hint::black_box;
use std::time::Instant;

use hookguard::check::{check, Clock};
use hookguard::headers::Headers;
use hookguard::mac::{hmac, Algo};
use hookguard::scheme::{Layout, Scheme};
use proptest::prelude::Rng;
use proptest::test_runner::{RngAlgorithm, TestRng};

const T_LEAK: f64 = 4.5;

/// `n` of each class, shuffled (Fisher-Yates).
fn classes(n: usize, rng: &mut TestRng) -> Vec<usize> {
    let mut c: Vec<usize> = (0..2 * n).map(|i| i % 2).collect();
    for i in (1..c.len()).rev() {
        c.swap(i, (rng.next_u64() % (i as u64 + 1)) as usize);
    }
    c
}

/// Times `call(input)` once per entry of `order`, with the input of that
/// entry's class. As in dudect, every sample gets its own copy of its input
/// (one flat buffer, fixed stride), so addresses, alignment and caching do
/// not differ by class: only the bytes do.
fn measure(order: &[usize], inputs: &[Vec<u8>; 2], mut call: impl FnMut(&[u8])) -> Vec<u64> {
    let len = inputs[0].len();
    assert_eq!(len, inputs[1].len(), "both classes' inputs have one length");
    let data: Vec<u8> = order.iter().flat_map(|&c| inputs[c].iter().copied()).collect();
    data.chunks_exact(len.max(1))
        .map(|input| {
            let start = Instant::now();
            call(black_box(input));
            start.elapsed().as_nanos() as u64
        })
        .collect()
}

/// One class's times, sorted, with prefix sums: any crop's mean and variance in O(log n).
struct Times {
    sorted: Vec<u64>,
    sum: Vec<f64>,
    sum_sq: Vec<f64>,
}

impl Times {
    fn new(mut times: Vec<u64>) -> Times {
        times.sort_unstable();
        let (mut sum, mut sum_sq) = (vec![0.0], vec![0.0]);
        for &t in &times {
            sum.push(sum.last().unwrap() + t as f64);
            sum_sq.push(sum_sq.last().unwrap() + (t as f64) * (t as f64));
        }
        Times { sorted: times, sum, sum_sq }
    }

    /// Count, mean and variance of the times below `limit`.
    fn below(&self, limit: u64) -> (f64, f64, f64) {
        let n = self.sorted.partition_point(|&t| t < limit);
        if n < 2 {
            return (n as f64, 0.0, 0.0);
        }
        let (nf, mean) = (n as f64, self.sum[n] / n as f64);
        (nf, mean, ((self.sum_sq[n] - nf * mean * mean) / (nf - 1.0)).max(0.0))
    }
}

fn welch(a: &Times, b: &Times, limit: u64) -> f64 {
    let ((na, ma, va), (nb, mb, vb)) = (a.below(limit), b.below(limit));
    if na < 2.0 || nb < 2.0 || va + vb == 0.0 {
        return 0.0;
    }
    (ma - mb) / (va / na + vb / nb).sqrt()
}

struct Verdict {
    medians: (u64, u64),
    t_raw: f64,
    t_max: f64,
    kept: f64,
}

fn analyse(order: &[usize], times: &[u64]) -> Verdict {
    let pick = |class| Times::new(order.iter().zip(times).filter(|(c, _)| **c == class).map(|(_, t)| *t).collect());
    let (a, b) = (pick(0), pick(1));
    let mut all = times.to_vec();
    all.sort_unstable();
    let t_raw = welch(&a, &b, u64::MAX);
    let mut v = Verdict {
        medians: (a.sorted[a.sorted.len() / 2], b.sorted[b.sorted.len() / 2]),
        t_raw,
        t_max: t_raw,
        kept: 1.0,
    };
    // dudect's crops: keep the times below the p-th percentile, p = 1 - 0.5^(10(i+1)/100).
    for i in 0..100 {
        let p = 1.0 - 0.5f64.powf(10.0 * (i + 1) as f64 / 100.0);
        let t = welch(&a, &b, all[(p * (all.len() - 1) as f64) as usize]);
        if t.abs() > v.t_max.abs() {
            (v.t_max, v.kept) = (t, p);
        }
    }
    v
}

fn flipped(mac: &[u8], i: usize) -> Vec<u8> {
    let mut m = mac.to_vec();
    m[i] ^= 1;
    m
}

fn main() {
    let n: usize = std::env::args().skip(1).find_map(|a| a.parse().ok()).unwrap_or(1_000_000);
    let mut seed = [0u8; 32];
    getrandom::getrandom(&mut seed).expect("the OS random source");
    let mut rng = TestRng::from_seed(RngAlgorithm::ChaCha, &seed);
    let woo = Scheme::build("woocommerce", &Layout::default()).unwrap();
    let body = format!("{{\"id\":10421,\"status\":\"processing\",\"note\":\"{}\"}}", "x".repeat(900)).into_bytes();
    let secrets: [&[u8]; 4] = [b"wc_old_secret_1", b"wc_old_secret_2", b"wc_old_secret_3", b"wc_current_secret"];
    let mac = |secret: &[u8]| hmac(Algo::Sha256, secret, &[&body]).as_bytes().to_vec();
    let b64 = |m: &[u8]| hookguard::encoding::Encoding::Base64.encode(m);
    let tag = hmac(Algo::Sha256, secrets[3], &[&body]);
    let current = mac(secrets[3]);
    let wrong = [b64(&flipped(&current, 0)).into_bytes(), b64(&flipped(&current, 31)).into_bytes()];
    let rotated = [b64(&mac(secrets[0])).into_bytes(), b64(&mac(secrets[3])).into_bytes()];
    let verify = |sig: &[u8], keys: &[&[u8]]| {
        let mut h = Headers::new();
        h.push(b"X-WC-Webhook-Signature", sig);
        check(&woo, black_box(&body), &h, keys, Clock { now: 0, tolerance: 300 }).unwrap()
    };
    assert!(!verify(&wrong[0], &secrets[3..]).is_ok() && !verify(&wrong[1], &secrets[3..]).is_ok());
    assert!(verify(&rotated[0], &secrets).is_ok() && verify(&rotated[1], &secrets).is_ok());
    let candidates = [flipped(&current, 0), flipped(&current, 31)];

    // name (class 0 vs class 1), the two inputs, the call, whether a leak is expected
    type Test<'a> = (&'a str, [Vec<u8>; 2], Box<dyn FnMut(&[u8]) + 'a>, bool);
    let tests: Vec<Test> = vec![
        (
            "Tag::matches (the core's compare): 32-byte MAC, first byte differs vs last",
            candidates.clone(),
            Box::new(|m| {
                black_box(tag.matches(m));
            }),
            false,
        ),
        (
            "check() woocommerce, 1 KiB body: MAC's first byte wrong vs last",
            wrong,
            Box::new(|sig| {
                black_box(verify(sig, &secrets[3..]));
            }),
            false,
        ),
        (
            "check() rotation of 4 secrets: signed by the first vs by the last",
            rotated,
            Box::new(|sig| {
                black_box(verify(sig, &secrets));
            }),
            false,
        ),
        (
            "control: early-exit byte loop on the same MACs, first byte differs vs last",
            candidates,
            Box::new(|m| {
                black_box(black_box(&current).iter().zip(m).all(|(x, y)| x == y));
            }),
            true,
        ),
    ];

    println!("Rust core, {n} samples per class, classes interleaved at random\n");
    println!("| test | median ns (class 0 / 1) | t, raw | max \\|t\\|, cropped (kept) | verdict |");
    println!("|---|---:|---:|---:|---|");
    let mut failed = false;
    for (name, inputs, mut call, leaky) in tests {
        measure(&classes(10_000, &mut rng), &inputs, &mut call); // warm up
        let order = classes(n, &mut rng);
        let v = analyse(&order, &measure(&order, &inputs, &mut call));
        let leak = v.t_raw.abs() >= T_LEAK || v.t_max.abs() >= T_LEAK;
        let mut verdict = if leak { "leak detected" } else { "no leak detected" }.to_string();
        if leak != leaky {
            failed = true;
            verdict += if leaky { " (the control should leak: the method is blind)" } else { " (FAIL)" };
        }
        println!(
            "| {name} | {} / {} | {:.2} | {:.2} ({:.1}%) | {verdict} |",
            v.medians.0,
            v.medians.1,
            v.t_raw,
            v.t_max.abs(),
            100.0 * v.kept
        );
    }
    println!("\nVerdict: a leak is detected when |t| >= {T_LEAK} on the raw times or any crop (dudect's threshold).");
    std::process::exit(i32::from(failed));
}
