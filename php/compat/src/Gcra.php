<?php
namespace HookGuard\Compat;

/**
 * The Generic Cell Rate Algorithm, exactly as src/limiter/gcra.rs: a key's
 * whole state is its theoretical arrival time (TAT) in nanoseconds on the
 * monotonic clock (hrtime(), the clock the extension reads).
 *
 * A quota of `limit` per `period` has an emission interval
 * T = ceil(period / limit) and a tolerance τ = limit × T. A request of cost
 * c at `now` is allowed when max(TAT, now) + c × T − now ≤ τ, and then
 * TAT := max(TAT, now) + c × T; a denied or zero-cost request changes nothing.
 * All values stay below 2^63: period ≤ ten years, so τ < 2 × period.
 */
final class Gcra
{
    public const NANOS_PER_SECOND = 1_000_000_000;
    public const MAX_PERIOD_SECONDS = 10 * 366 * 24 * 3600;

    private function __construct(public readonly int $limit, public readonly int $interval, public readonly int $tolerance)
    {
    }

    /**
     * The quota, or the name of the check it failed ("limit<1", "period<1",
     * "period>max", "limit>1/ns"), in the extension's order.
     */
    public static function quota(int $limit, int $periodSeconds): self|string
    {
        if ($limit < 1) {
            return 'limit<1';
        }
        if ($periodSeconds < 1) {
            return 'period<1';
        }
        if ($periodSeconds > self::MAX_PERIOD_SECONDS) {
            return 'period>max';
        }
        $period = $periodSeconds * self::NANOS_PER_SECOND;
        if ($limit > $period) {
            return 'limit>1/ns';
        }
        $interval = intdiv($period + $limit - 1, $limit);
        return new self($limit, $interval, $limit * $interval);
    }

    /**
     * One step for a request of $cost at $now against a stored $tat (0 for a
     * key never seen).
     *
     * @return array{0: array{allowed: bool, remaining: int, retry_after: int, reset_after: int}, 1: int}
     *         the answer (durations in whole seconds, rounded up) and the TAT to store
     */
    public function decide(int $tat, int $now, int $cost): array
    {
        $start = max($tat, $now);
        $debt = $start - $now;
        $newTat = $start + $cost * $this->interval;
        $newDebt = $newTat - $now;
        if ($newDebt > $this->tolerance) {
            return [[
                'allowed' => false,
                'remaining' => intdiv(max(0, $this->tolerance - $debt), $this->interval),
                'retry_after' => self::ceilSeconds($newDebt - $this->tolerance),
                'reset_after' => self::ceilSeconds($debt),
            ], $tat];
        }
        return [[
            'allowed' => true,
            'remaining' => intdiv($this->tolerance - $newDebt, $this->interval),
            'retry_after' => 0,
            'reset_after' => self::ceilSeconds($newDebt),
        ], $cost === 0 ? $tat : $newTat];
    }

    private static function ceilSeconds(int $nanos): int
    {
        return intdiv($nanos + self::NANOS_PER_SECOND - 1, self::NANOS_PER_SECOND);
    }
}
