<?php
use PHPUnit\Framework\TestCase;

/**
 * hookguard_rate_limit() and hookguard_rate_limit_reset() in the CLI, where
 * the table is per-process (the php-fpm suites, tests/fpm/run and
 * tests/compat/run, cover sharing). The PHP implementation runs this suite
 * with APCu enabled in the CLI and without APCu (tests/compat/run).
 */
final class RateLimitTest extends TestCase
{
    /** A key no other test (or earlier run in this process) has used. */
    private static function freshKey(): string
    {
        return 'test:' . bin2hex(random_bytes(8));
    }

    public function testAFreshKeyGetsExactlyLimitThenIsDenied(): void
    {
        $key = self::freshKey();
        $results = [];
        for ($i = 0; $i < 8; $i++) {
            $results[] = hookguard_rate_limit($key, 5, 10);
        }
        $this->assertSame([true, true, true, true, true, false, false, false], array_column($results, 'allowed'));
        $this->assertSame([4, 3, 2, 1, 0, 0, 0, 0], array_column($results, 'remaining'));
        // One unit comes back every 10 s / 5 = 2 s; full after 10 s.
        $this->assertSame([2, 4, 6, 8, 10], array_column(array_slice($results, 0, 5), 'reset_after'));
        $this->assertSame([0, 0, 0, 0, 0], array_column(array_slice($results, 0, 5), 'retry_after'));
        $this->assertSame(2, $results[5]['retry_after']);
        $this->assertSame(10, $results[5]['reset_after']);
    }

    public function testTheResultHasExactlyTheDocumentedKeysAndTypes(): void
    {
        $r = hookguard_rate_limit(self::freshKey(), 3, 60);
        $this->assertSame(['allowed', 'remaining', 'retry_after', 'reset_after'], array_keys($r));
        $this->assertIsBool($r['allowed']);
        $this->assertIsInt($r['remaining']);
        $this->assertIsInt($r['retry_after']);
        $this->assertIsInt($r['reset_after']);
    }

    public function testAUnitIsEarnedBackAfterOneInterval(): void
    {
        $key = self::freshKey();
        // 2 per second: one unit every 0.5 s.
        $this->assertTrue(hookguard_rate_limit($key, 2, 1)['allowed']);
        $this->assertTrue(hookguard_rate_limit($key, 2, 1)['allowed']);
        $denied = hookguard_rate_limit($key, 2, 1);
        $this->assertFalse($denied['allowed']);
        $this->assertSame(1, $denied['retry_after'], 'under half a second, rounded up');
        usleep(550000);
        $this->assertTrue(hookguard_rate_limit($key, 2, 1)['allowed']);
        $this->assertFalse(hookguard_rate_limit($key, 2, 1)['allowed']);
    }

    public function testCostSpendsSeveralUnitsOrNone(): void
    {
        $key = self::freshKey();
        $r = hookguard_rate_limit($key, 10, 100, 7);
        $this->assertTrue($r['allowed']);
        $this->assertSame(3, $r['remaining']);
        $r = hookguard_rate_limit($key, 10, 100, 4);
        $this->assertFalse($r['allowed'], '4 > 3 remaining');
        $this->assertSame(3, $r['remaining'], 'a denied request spends nothing');
        $this->assertSame(10, $r['retry_after'], 'one more unit takes 100 s / 10');
        $this->assertTrue(hookguard_rate_limit($key, 10, 100, 3)['allowed']);
    }

    public function testCostZeroReportsWithoutSpending(): void
    {
        $key = self::freshKey();
        hookguard_rate_limit($key, 4, 8, 3);
        $peek = hookguard_rate_limit($key, 4, 8, 0);
        $this->assertSame(['allowed' => true, 'remaining' => 1, 'retry_after' => 0, 'reset_after' => 6], $peek);
        $this->assertSame($peek, hookguard_rate_limit($key, 4, 8, 0));
    }

    public function testResetRestoresTheFullAllowance(): void
    {
        $key = self::freshKey();
        hookguard_rate_limit($key, 2, 60, 2);
        $this->assertFalse(hookguard_rate_limit($key, 2, 60)['allowed']);
        $this->assertNull(hookguard_rate_limit_reset($key));
        $this->assertSame(2, hookguard_rate_limit($key, 2, 60, 0)['remaining']);
        hookguard_rate_limit_reset(self::freshKey()); // an unknown key is no error
    }

    public function testKeysAreBinaryStrings(): void
    {
        $prefix = self::freshKey();
        hookguard_rate_limit("$prefix\0a", 1, 60);
        $this->assertFalse(hookguard_rate_limit("$prefix\0a", 1, 60)['allowed']);
        $this->assertTrue(hookguard_rate_limit("$prefix\0b", 1, 60)['allowed'], 'bytes after a NUL count');
        $this->assertTrue(hookguard_rate_limit($prefix, 1, 60)['allowed']);
        $this->assertTrue(hookguard_rate_limit("\xff\xfe" . random_bytes(4), 1, 60)['allowed'], 'not UTF-8 is fine');
    }

    public static function misuse(): iterable
    {
        $k = 'misuse-key';
        yield 'limit 0' => [fn() => hookguard_rate_limit($k, 0, 60), ValueError::class, 'hookguard_rate_limit(): Argument #2 ($limit) must be greater than 0'];
        yield 'negative limit' => [fn() => hookguard_rate_limit($k, -3, 60), ValueError::class, 'Argument #2 ($limit) must be greater than 0'];
        yield 'limit above 1/ns' => [fn() => hookguard_rate_limit($k, 2000000000, 1), ValueError::class, 'Argument #2 ($limit) must be at most 1000000000 per second of argument #3 ($period_seconds)'];
        yield 'period 0' => [fn() => hookguard_rate_limit($k, 1, 0), ValueError::class, 'Argument #3 ($period_seconds) must be greater than 0'];
        yield 'negative period' => [fn() => hookguard_rate_limit($k, 1, -60), ValueError::class, 'Argument #3 ($period_seconds) must be greater than 0'];
        yield 'period over ten years' => [fn() => hookguard_rate_limit($k, 1, PHP_INT_MAX), ValueError::class, 'Argument #3 ($period_seconds) must be at most 316224000'];
        yield 'negative cost' => [fn() => hookguard_rate_limit($k, 5, 60, -1), ValueError::class, 'Argument #4 ($cost) must be greater than or equal to 0'];
        yield 'cost above limit' => [fn() => hookguard_rate_limit($k, 5, 60, 6), ValueError::class, 'Argument #4 ($cost) must be less than or equal to argument #2 ($limit)'];
        // Wrong types: TypeErrors in php-src's words, as for every hookguard_ function.
        $type = fn(int $n, string $name, string $expected, string $given) => "hookguard_rate_limit(): Argument #$n (\$$name) must be of type $expected, $given given";
        yield 'limit not numeric' => [fn() => hookguard_rate_limit($k, 'many', 60), TypeError::class, $type(2, 'limit', 'int', 'string')];
        yield 'limit leading-numeric' => [fn() => hookguard_rate_limit($k, '5 apples', 60), TypeError::class, $type(2, 'limit', 'int', 'string')];
        yield 'period null' => [fn() => hookguard_rate_limit($k, 5, null), TypeError::class, $type(3, 'period_seconds', 'int', 'null')];
        // An explicit null for the optional $cost too (not ext-php-rs's "Argument `$cost` must not be null").
        yield 'cost null' => [fn() => hookguard_rate_limit($k, 5, 60, null), TypeError::class, $type(4, 'cost', 'int', 'null')];
        yield 'cost an array' => [fn() => hookguard_rate_limit($k, 5, 60, []), TypeError::class, $type(4, 'cost', 'int', 'array')];
        yield 'cost an object' => [fn() => hookguard_rate_limit($k, 5, 60, new stdClass()), TypeError::class, $type(4, 'cost', 'int', 'stdClass')];
        yield 'key not a string' => [fn() => hookguard_rate_limit([], 5, 60), TypeError::class, $type(1, 'key', 'string', 'array')];
        yield 'numeric string in strict mode' => [fn() => eval('declare(strict_types=1); hookguard_rate_limit("k", "5", 60);'), TypeError::class, $type(2, 'limit', 'int', 'string')];
        yield 'int key in strict mode' => [fn() => eval('declare(strict_types=1); hookguard_rate_limit(5, 5, 60);'), TypeError::class, $type(1, 'key', 'string', 'int')];
        yield 'reset key not a string' => [fn() => hookguard_rate_limit_reset([]), TypeError::class, 'hookguard_rate_limit_reset(): Argument #1 ($key) must be of type string, array given'];
    }

    /** @dataProvider misuse */

    #[\PHPUnit\Framework\Attributes\DataProvider('misuse')]
    public function testMisuseThrowsNamingTheArgument(callable $call, string $class, string $message): void
    {
        $this->expectException($class);
        $this->expectExceptionMessage($message);
        $call();
    }

    public function testMisuseMessagesNeverQuoteTheKey(): void
    {
        foreach (self::misuse() as $case => [$call]) {
            $thrown = null;
            try {
                $call();
            } catch (Throwable $thrown) {
            }
            $this->assertNotNull($thrown, $case);
            $this->assertStringNotContainsString('misuse-key', $thrown->getMessage(), $case);
        }
    }

    public function testIntArgumentsCoerceAsPhpFunctionsDoOutsideStrictMode(): void
    {
        // A WordPress option arrives as a string.
        $key = self::freshKey();
        $this->assertSame(4, hookguard_rate_limit($key, '5', ' 60', true)['remaining']);
        $this->assertSame(3, hookguard_rate_limit($key, 5.0, 60.0)['remaining']);
        $this->assertSame(['allowed' => true, 'remaining' => 2], array_slice(
            eval('declare(strict_types=1); return hookguard_rate_limit(' . var_export($key, true) . ', 5, 60);'), 0, 2));
    }

    public function testMisuseSpendsNothing(): void
    {
        $key = self::freshKey();
        try {
            hookguard_rate_limit($key, 5, 60, 6);
        } catch (ValueError) {
        }
        $this->assertSame(5, hookguard_rate_limit($key, 5, 60, 0)['remaining']);
    }

    public function testTheModeIsReported(): void
    {
        $this->assertSame('per-process (the cli SAPI runs one process)', HOOKGUARD_RATE_LIMITER_MODE);
    }

    public function testSettingsAreSystemWideAndReported(): void
    {
        if (!hookguard_test_native()) {
            $this->markTestSkipped('the hookguard.rate_limit_* settings and php --ri belong to the extension');
        }
        $this->assertSame('65536', ini_get('hookguard.rate_limit_slots'));
        $this->assertSame('1', ini_get('hookguard.rate_limit_shared'));
        $this->assertFalse(ini_set('hookguard.rate_limit_slots', '16'), 'PHP_INI_SYSTEM cannot change at runtime');

        hookguard_rate_limit(self::freshKey(), 10, 60);
        ob_start();
        (new ReflectionExtension('hookguard'))->info();
        $info = ob_get_clean();
        $this->assertStringContainsString('rate limiter => per-process (the cli SAPI runs one process)', $info);
        $this->assertStringContainsString('rate limiter slots => 65536 (1025 KiB)', $info);
        $this->assertMatchesRegularExpression('/rate limiter slots in use => [1-9]\d*/', $info, 'this process stored keys');
        $this->assertStringContainsString('rate limiter evictions => 0', $info);
    }

    public function testAnInvalidSlotCountWarnsAndFallsBackToTheDefault(): void
    {
        if (!hookguard_test_native()) {
            $this->markTestSkipped('the hookguard.rate_limit_* settings belong to the extension');
        }
        $cmd = sprintf(
            '%s -n -d extension=%s -d hookguard.rate_limit_slots=12 --ri hookguard 2>&1',
            escapeshellarg(PHP_BINARY),
            escapeshellarg(self::loadedExtensionPath()),
        );
        $out = (string) shell_exec($cmd);
        $this->assertStringContainsString('hookguard.rate_limit_slots must be a whole number from 16 to 67108864; using 65536', $out);
        $this->assertStringContainsString('rate limiter slots => 65536', $out);
    }

    /** The hookguard .so mapped into this process. */
    private static function loadedExtensionPath(): string
    {
        foreach (file('/proc/self/maps') as $line) {
            if (preg_match('#(/\S*hookguard\S*\.so)$#', trim($line), $m)) {
                return $m[1];
            }
        }
        self::fail('cannot find the hookguard .so this process loaded');
    }
}
