<?php
use HookGuard\Compat\Gcra;
use PHPUnit\Framework\TestCase;

/**
 * The PHP GCRA to the exact nanosecond, with the clock passed in: the cases
 * and numbers of src/limiter/gcra.rs's tests, which come from the
 * algorithm's definition (T = ceil(period / limit), τ = limit × T).
 */
final class GcraTest extends TestCase
{
    private const SEC = 1_000_000_000;
    /** An arbitrary non-zero clock origin: 0 is the "never seen" TAT. */
    private const T0 = 1_000 * self::SEC;

    private static function quota(int $limit, int $period): Gcra
    {
        $q = Gcra::quota($limit, $period);
        self::assertInstanceOf(Gcra::class, $q);
        return $q;
    }

    /** Runs $n requests of $cost at $now, threading the TAT; returns how many were allowed. */
    private static function admit(Gcra $q, int &$tat, int $now, int $cost, int $n): int
    {
        $allowed = 0;
        for ($i = 0; $i < $n; $i++) {
            [$d, $tat] = $q->decide($tat, $now, $cost);
            $allowed += (int) $d['allowed'];
        }
        return $allowed;
    }

    public function testAFreshKeyGetsExactlyLimitAtOnce(): void
    {
        $tat = 0;
        $this->assertSame(100, self::admit(self::quota(100, 60), $tat, self::T0, 1, 1000));
    }

    public function testOneUnitIsEarnedBackExactlyOneIntervalLater(): void
    {
        $q = self::quota(100, 60);
        $this->assertSame(600_000_000, $q->interval);
        $tat = 0;
        self::admit($q, $tat, self::T0, 1, 100);
        $this->assertSame(0, self::admit($q, $tat, self::T0 + 600_000_000 - 1, 1, 10), 'one nanosecond early');
        $this->assertSame(1, self::admit($q, $tat, self::T0 + 600_000_000, 1, 10), 'on the edge');
        $this->assertSame(1, self::admit($q, $tat, self::T0 + 1_200_000_000, 1, 10));
    }

    public function testAFullPeriodOfIdlenessRestoresTheWholeBurst(): void
    {
        $q = self::quota(10, 1);
        $tat = 0;
        self::admit($q, $tat, self::T0, 1, 50);
        $this->assertSame(9, self::admit($q, $tat, self::T0 + self::SEC - 1, 1, 50), 'one interval short of full');
        $tat = 0;
        self::admit($q, $tat, self::T0, 1, 50);
        $this->assertSame(10, self::admit($q, $tat, self::T0 + self::SEC, 1, 50));
        $this->assertSame(10, self::admit($q, $tat, self::T0 + 100 * self::SEC, 1, 50), 'idleness beyond a period earns nothing extra');
    }

    public function testAdmittedCostOverAnyWindowIsAtMostLimitPlusEarned(): void
    {
        $q = self::quota(5, 1); // T = 0.2 s
        $tat = 0;
        $at = [];
        for ($step = 0; $step < intdiv(10 * 1000, 7); $step++) {
            $now = self::T0 + $step * 7_000_000;
            if (self::admit($q, $tat, $now, 1, 1) === 1) {
                $at[] = $now;
            }
        }
        foreach ($at as $i => $from) {
            foreach ([self::SEC / 2, self::SEC, 3 * self::SEC] as $w) {
                $inside = count(array_filter(array_slice($at, $i), fn($t) => $t < $from + $w));
                $this->assertLessThanOrEqual(5 + intdiv((int) $w, $q->interval), $inside);
            }
        }
        $this->assertCount(5 + 49, $at, '5 burst + 1 per 0.2 s');
    }

    public function testCostSpendsSeveralUnitsOrNone(): void
    {
        $q = self::quota(10, 10); // T = 1 s
        [$d, $tat] = $q->decide(0, self::T0, 4);
        $this->assertSame([true, 6, 4], [$d['allowed'], $d['remaining'], $d['reset_after']]);
        [$d, $tat] = $q->decide($tat, self::T0, 6);
        $this->assertSame([true, 0], [$d['allowed'], $d['remaining']]);
        [$d, $unchanged] = $q->decide($tat, self::T0 + 2 * self::SEC, 3);
        $this->assertSame(['allowed' => false, 'remaining' => 2, 'retry_after' => 1, 'reset_after' => 8], $d, '3 needs one more second');
        $this->assertSame($tat, $unchanged, 'a denied request spends nothing');
        $this->assertTrue($q->decide($tat, self::T0 + 3 * self::SEC, 3)[0]['allowed']);
    }

    public function testRetryAfterAndResetAfterRoundUpToWholeSeconds(): void
    {
        $q = self::quota(4, 2); // T = 0.5 s, τ = 2 s
        $tat = 0;
        self::admit($q, $tat, self::T0, 1, 4);
        // Exactly 0.4 s to wait and 1.9 s to full, rounded up.
        $this->assertSame(['allowed' => false, 'remaining' => 0, 'retry_after' => 1, 'reset_after' => 2], $q->decide($tat, self::T0 + 100_000_000, 1)[0]);
        $this->assertSame(['allowed' => true, 'remaining' => 0, 'retry_after' => 0, 'reset_after' => 2], $q->decide($tat, self::T0 + 500_000_000, 1)[0]);
    }

    public function testZeroCostReportsWithoutSpending(): void
    {
        $q = self::quota(5, 5);
        [$d, $tat] = $q->decide(0, self::T0, 0);
        $this->assertSame([true, 5, 0, 0], [$d['allowed'], $d['remaining'], $d['reset_after'], $tat]);
        [, $tat] = $q->decide(0, self::T0, 2);
        [$d, $same] = $q->decide($tat, self::T0, 0);
        $this->assertSame([3, 2, $tat], [$d['remaining'], $d['reset_after'], $same]);
    }

    public function testAnUnevenIntervalRoundsUpSoTheRateIsNeverExceeded(): void
    {
        $q = self::quota(3, 1);
        $this->assertSame(333_333_334, $q->interval);
        $tat = 0;
        $this->assertSame(3, self::admit($q, $tat, self::T0, 1, 10));
        $this->assertSame(2, self::admit($q, $tat, self::T0 + self::SEC, 1, 10), 'the third unit is 2 ns short after one second');
        $this->assertSame(1, self::admit($q, $tat, self::T0 + self::SEC + 2, 1, 10));
    }

    public function testAStoredTatFromAStricterQuotaIsHonoured(): void
    {
        [, $tat] = self::quota(1, 100)->decide(0, self::T0, 1); // TAT = T0 + 100 s
        $d = self::quota(10, 10)->decide($tat, self::T0, 1)[0];
        $this->assertSame([false, 0, 91], [$d['allowed'], $d['remaining'], $d['retry_after']]);
    }

    public function testMisuseIsRefusedInTheExtensionsOrder(): void
    {
        $this->assertSame('limit<1', Gcra::quota(0, 0));
        $this->assertSame('limit<1', Gcra::quota(-5, 1));
        $this->assertSame('period<1', Gcra::quota(1, 0));
        $this->assertSame('period>max', Gcra::quota(1, Gcra::MAX_PERIOD_SECONDS + 1));
        $this->assertSame('period>max', Gcra::quota(1, PHP_INT_MAX));
        $this->assertSame('limit>1/ns', Gcra::quota(1_000_000_001, 1));
        $this->assertInstanceOf(Gcra::class, Gcra::quota(1_000_000_000, 1));
    }

    public function testExtremeQuotasStayInIntegers(): void
    {
        $q = self::quota(1_000_000_000 * Gcra::MAX_PERIOD_SECONDS, Gcra::MAX_PERIOD_SECONDS);
        $far = intdiv(PHP_INT_MAX, 8);
        [$d, $tat] = $q->decide(0, $far, $q->limit);
        $this->assertTrue($d['allowed']);
        $this->assertIsInt($tat);
        $this->assertFalse($q->decide($tat, $far, $q->limit)[0]['allowed']);
    }
}
