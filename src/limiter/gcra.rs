//! The Generic Cell Rate Algorithm (GCRA), as redis-cell and the ATM
//! Forum's traffic-management specification (TM 4.0, "virtual scheduling")
//! define it: the whole state of a key is one number, its *theoretical
//! arrival time* (TAT), in nanoseconds on a monotonic clock.
//!
//! A quota of `limit` per `period` has an emission interval
//! `T = ceil(period / limit)` (whole nanoseconds, rounded up so the key never
//! earns faster than `limit` per `period`) and a tolerance `τ = limit × T`.
//! A request of cost `c` at time `now` is allowed when
//! `max(TAT, now) + c × T − now ≤ τ`, and then `TAT := max(TAT, now) + c × T`.
//! A denied request changes nothing.
//!
//! Burst semantics, exactly: a key that has been idle for `τ` (one period)
//! may spend `limit` at once; after that it earns one unit every `T`. Over
//! any interval of length `w`, the admitted cost is at most
//! `limit + floor(w / T)`. There are no fixed windows, so there is no
//! boundary at which `2 × limit` can slip through.
//!
//! Everything here is pure arithmetic on integers: the caller passes the
//! clock, so tests can stand on the exact nanosecond of a window edge.

pub const NANOS_PER_SECOND: u64 = 1_000_000_000;

/// Longest period accepted: keeps `now + τ` far from `u64::MAX` for any
/// monotonic clock reading of the next few centuries.
pub const MAX_PERIOD_SECONDS: i64 = 10 * 366 * 24 * 3600;

/// A validated `limit` per `period`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Quota {
    limit: u64,
    /// Nanoseconds one unit of cost takes to earn back (`T`).
    interval: u64,
    /// How far ahead of now the TAT may run (`τ = limit × T`).
    tolerance: u64,
}

/// Why a quota or cost was refused. Each names the argument at fault.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum QuotaError {
    /// `limit` < 1.
    LimitNotPositive,
    /// `limit` above one per nanosecond of the period.
    LimitAboveOnePerNanosecond,
    /// `period` < 1 second.
    PeriodNotPositive,
    /// `period` above [`MAX_PERIOD_SECONDS`].
    PeriodTooLong,
    /// `cost` < 0.
    CostNegative,
    /// `cost` above `limit`: such a request could never be allowed.
    CostAboveLimit,
}

impl Quota {
    pub fn new(limit: i64, period_seconds: i64) -> Result<Quota, QuotaError> {
        if limit < 1 {
            return Err(QuotaError::LimitNotPositive);
        }
        if period_seconds < 1 {
            return Err(QuotaError::PeriodNotPositive);
        }
        if period_seconds > MAX_PERIOD_SECONDS {
            return Err(QuotaError::PeriodTooLong);
        }
        let period = period_seconds as u64 * NANOS_PER_SECOND;
        let limit = limit as u64;
        if limit > period {
            return Err(QuotaError::LimitAboveOnePerNanosecond);
        }
        let interval = period.div_ceil(limit);
        // limit ≤ period, so τ < period + limit ≤ 2 × period: no overflow.
        Ok(Quota { limit, interval, tolerance: limit * interval })
    }

    /// `cost` as a number of units, if this quota can ever admit it.
    pub fn cost(&self, cost: i64) -> Result<u64, QuotaError> {
        match u64::try_from(cost) {
            Err(_) => Err(QuotaError::CostNegative),
            Ok(c) if c > self.limit => Err(QuotaError::CostAboveLimit),
            Ok(c) => Ok(c),
        }
    }

    pub fn limit(&self) -> u64 {
        self.limit
    }

    pub fn interval_nanos(&self) -> u64 {
        self.interval
    }
}

/// The answer for one request. Durations are nanoseconds; the PHP binding
/// rounds them up to whole seconds, so waiting that long is always enough.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Decision {
    pub allowed: bool,
    /// Requests of cost 1 that would still be allowed right now, after this one.
    pub remaining: u64,
    /// Until this request would be allowed; 0 when it was.
    pub retry_after: u64,
    /// Until the key is back to its full `limit`.
    pub reset_after: u64,
}

/// One GCRA step: the decision for a request of `cost` at `now` against a
/// stored `tat` (0 for a key never seen), and the TAT to store. A denied or
/// zero-cost request returns `tat` unchanged, so the caller writes nothing.
pub fn decide(quota: &Quota, tat: u64, now: u64, cost: u64) -> (Decision, u64) {
    let start = tat.max(now);
    let debt = start - now;
    let new_tat = start.saturating_add(cost * quota.interval);
    let new_debt = new_tat - now;
    if new_debt > quota.tolerance {
        let decision = Decision {
            allowed: false,
            remaining: quota.tolerance.saturating_sub(debt) / quota.interval,
            retry_after: new_debt - quota.tolerance,
            reset_after: debt,
        };
        return (decision, tat);
    }
    let decision = Decision {
        allowed: true,
        remaining: (quota.tolerance - new_debt) / quota.interval,
        retry_after: 0,
        reset_after: new_debt,
    };
    (decision, if cost == 0 { tat } else { new_tat })
}

/// Nanoseconds rounded up to whole seconds.
pub fn ceil_seconds(nanos: u64) -> u64 {
    nanos.div_ceil(NANOS_PER_SECOND)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SEC: u64 = NANOS_PER_SECOND;
    /// An arbitrary non-zero clock origin: 0 is the "never seen" TAT.
    const T0: u64 = 1_000 * SEC;

    /// Runs `n` requests of `cost` at `now`, threading the TAT; returns how many were allowed.
    fn admit(quota: &Quota, tat: &mut u64, now: u64, cost: u64, n: usize) -> usize {
        (0..n)
            .filter(|_| {
                let (d, next) = decide(quota, *tat, now, cost);
                *tat = next;
                d.allowed
            })
            .count()
    }

    #[test]
    fn a_fresh_key_gets_exactly_limit_at_once() {
        let q = Quota::new(100, 60).unwrap();
        let mut tat = 0;
        assert_eq!(admit(&q, &mut tat, T0, 1, 1000), 100);
    }

    #[test]
    fn one_unit_is_earned_back_exactly_one_interval_later() {
        let q = Quota::new(100, 60).unwrap(); // T = 0.6 s
        assert_eq!(q.interval_nanos(), 600_000_000);
        let mut tat = 0;
        assert_eq!(admit(&q, &mut tat, T0, 1, 100), 100);
        assert_eq!(admit(&q, &mut tat, T0 + 600_000_000 - 1, 1, 10), 0, "one nanosecond early");
        assert_eq!(admit(&q, &mut tat, T0 + 600_000_000, 1, 10), 1, "on the edge");
        assert_eq!(admit(&q, &mut tat, T0 + 1_200_000_000, 1, 10), 1);
    }

    #[test]
    fn a_full_period_of_idleness_restores_the_whole_burst() {
        let q = Quota::new(10, 1).unwrap();
        let mut tat = 0;
        assert_eq!(admit(&q, &mut tat, T0, 1, 50), 10);
        assert_eq!(admit(&q, &mut tat, T0 + SEC - 1, 1, 50), 9, "one interval short of full");
        let mut tat = 0;
        admit(&q, &mut tat, T0, 1, 50);
        assert_eq!(admit(&q, &mut tat, T0 + SEC, 1, 50), 10);
        assert_eq!(admit(&q, &mut tat, T0 + 100 * SEC, 1, 50), 10, "idleness beyond a period earns nothing extra");
    }

    #[test]
    fn admitted_cost_over_any_window_is_at_most_limit_plus_earned() {
        // Hammer every 7 ms for 10 s: admitted ≤ limit + floor(w / T).
        let q = Quota::new(5, 1).unwrap(); // T = 0.2 s
        let mut tat = 0;
        let mut admitted_at = Vec::new();
        for step in 0..(10 * 1000 / 7) {
            let now = T0 + step * 7_000_000;
            if admit(&q, &mut tat, now, 1, 1) == 1 {
                admitted_at.push(now);
            }
        }
        for (i, &from) in admitted_at.iter().enumerate() {
            for w in [SEC / 2, SEC, 3 * SEC] {
                let inside = admitted_at[i..].iter().take_while(|&&t| t < from + w).count() as u64;
                assert!(inside <= 5 + w / q.interval_nanos(), "{inside} admitted within {w} ns of {from}");
            }
        }
        // And the long-run rate is the quota's: 5 burst + 1 per 0.2 s.
        assert_eq!(admitted_at.len(), 5 + 49);
    }

    #[test]
    fn cost_above_one_spends_several_units_or_none() {
        let q = Quota::new(10, 10).unwrap(); // T = 1 s
        let mut tat = 0;
        let (d, next) = decide(&q, tat, T0, 4);
        assert_eq!((d.allowed, d.remaining, d.reset_after), (true, 6, 4 * SEC));
        tat = next;
        let (d, next) = decide(&q, tat, T0, 6);
        assert_eq!((d.allowed, d.remaining), (true, 0));
        tat = next;
        let (d, unchanged) = decide(&q, tat, T0 + 2 * SEC, 3);
        assert_eq!((d.allowed, d.remaining, d.retry_after), (false, 2, SEC), "3 needs one more second");
        assert_eq!(unchanged, tat, "a denied request spends nothing");
        let (d, _) = decide(&q, tat, T0 + 3 * SEC, 3);
        assert!(d.allowed);
    }

    #[test]
    fn a_request_costing_the_whole_limit_needs_a_full_key() {
        let q = Quota::new(3, 3).unwrap();
        let (d, tat) = decide(&q, 0, T0, 3);
        assert!(d.allowed);
        let (d, _) = decide(&q, tat, T0 + 2 * SEC, 3);
        assert_eq!((d.allowed, d.retry_after), (false, SEC));
    }

    #[test]
    fn retry_after_is_the_exact_wait_and_reset_after_the_time_to_full() {
        let q = Quota::new(4, 2).unwrap(); // T = 0.5 s, τ = 2 s
        let mut tat = 0;
        admit(&q, &mut tat, T0, 1, 4);
        let (d, _) = decide(&q, tat, T0 + 100_000_000, 1);
        assert_eq!(d, Decision { allowed: false, remaining: 0, retry_after: 400_000_000, reset_after: 1_900_000_000 });
        let (d, _) = decide(&q, tat, T0 + 500_000_000, 1);
        assert_eq!(d, Decision { allowed: true, remaining: 0, retry_after: 0, reset_after: 2 * SEC });
        assert_eq!((ceil_seconds(400_000_000), ceil_seconds(2 * SEC), ceil_seconds(0)), (1, 2, 0));
    }

    #[test]
    fn zero_cost_reports_without_spending() {
        let q = Quota::new(5, 5).unwrap();
        let (d, tat) = decide(&q, 0, T0, 0);
        assert_eq!((d.allowed, d.remaining, d.reset_after, tat), (true, 5, 0, 0));
        let (_, tat) = decide(&q, 0, T0, 2);
        let (d, same) = decide(&q, tat, T0, 0);
        assert_eq!((d.remaining, d.reset_after, same), (3, 2 * SEC, tat));
    }

    #[test]
    fn an_uneven_interval_rounds_up_so_the_rate_is_never_exceeded() {
        let q = Quota::new(3, 1).unwrap();
        assert_eq!(q.interval_nanos(), 333_333_334);
        let mut tat = 0;
        assert_eq!(admit(&q, &mut tat, T0, 1, 10), 3, "the burst is still exactly limit");
        assert_eq!(admit(&q, &mut tat, T0 + SEC, 1, 10), 2, "the third unit is 2 ns short after one second");
        assert_eq!(admit(&q, &mut tat, T0 + SEC + 2, 1, 10), 1);
    }

    #[test]
    fn a_stored_tat_from_a_stricter_quota_is_honoured() {
        // The same key used with a laxer quota later: debt beyond τ only delays.
        let strict = Quota::new(1, 100).unwrap();
        let lax = Quota::new(10, 10).unwrap();
        let (_, tat) = decide(&strict, 0, T0, 1); // TAT = T0 + 100 s
        let (d, _) = decide(&lax, tat, T0, 1);
        assert_eq!((d.allowed, d.remaining, d.retry_after), (false, 0, 91 * SEC));
    }

    #[test]
    fn misuse_is_refused_with_the_argument_at_fault() {
        assert_eq!(Quota::new(0, 1), Err(QuotaError::LimitNotPositive));
        assert_eq!(Quota::new(-5, 1), Err(QuotaError::LimitNotPositive));
        assert_eq!(Quota::new(1, 0), Err(QuotaError::PeriodNotPositive));
        assert_eq!(Quota::new(1, MAX_PERIOD_SECONDS + 1), Err(QuotaError::PeriodTooLong));
        assert_eq!(Quota::new(1_000_000_001, 1), Err(QuotaError::LimitAboveOnePerNanosecond));
        assert!(Quota::new(1_000_000_000, 1).is_ok());
        let q = Quota::new(5, 1).unwrap();
        assert_eq!(q.cost(-1), Err(QuotaError::CostNegative));
        assert_eq!(q.cost(6), Err(QuotaError::CostAboveLimit));
        assert_eq!((q.cost(0), q.cost(5)), (Ok(0), Ok(5)));
    }

    #[test]
    fn extreme_quotas_do_not_overflow() {
        let q = Quota::new(1_000_000_000 * MAX_PERIOD_SECONDS, MAX_PERIOD_SECONDS).unwrap();
        let far = u64::MAX / 4;
        let (d, tat) = decide(&q, 0, far, q.limit());
        assert!(d.allowed);
        let (d, _) = decide(&q, tat, far, q.limit());
        assert!(!d.allowed);
    }
}
