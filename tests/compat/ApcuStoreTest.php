<?php
use HookGuard\Compat\ApcuStore;
use HookGuard\Compat\Gcra;
use PHPUnit\Framework\TestCase;

/**
 * The APCu store's entries in one process (apc.enable_cli=1, as
 * tests/compat/run runs it); tests/compat/run checks it across a php-fpm pool.
 */
final class ApcuStoreTest extends TestCase
{
    private const PREFIX = 'hookguard:rate:';

    protected function setUp(): void
    {
        if (!ApcuStore::available()) {
            $this->fail('APCu is not enabled: run with -d extension=apcu.so -d apc.enable_cli=1 (tests/compat/run does)');
        }
    }

    private static function key(): string
    {
        return 'apcu-test:' . bin2hex(random_bytes(6));
    }

    public function testTheStateIsOneApcuEntryPerKeyThatOutlivesItsTat(): void
    {
        $key = self::key();
        $store = new ApcuStore();
        $store->spend($key, Gcra::quota(10, 3600), 4);
        $tat = apcu_fetch(self::PREFIX . $key);
        $this->assertIsInt($tat);
        $this->assertEqualsWithDelta(hrtime(true) + 4 * 360 * Gcra::NANOS_PER_SECOND, $tat, 1e9, 'TAT = now + 4 × T');
        $this->assertSame(2 * 3600 + 2, apcu_key_info(self::PREFIX . $key)['ttl'], '2τ + 2 s');
        $store->reset($key);
        $this->assertFalse(apcu_exists(self::PREFIX . $key));
    }

    public function testAnEntryAboutToExpireIsMovedToALongerLivedOne(): void
    {
        $key = self::key();
        $q = Gcra::quota(10, 3600);
        [, $tat] = $q->decide(0, hrtime(true), 5);
        apcu_store(self::PREFIX . $key, $tat, 3); // lives 3 s, but the next TAT is an hour ahead
        $d = (new ApcuStore())->spend($key, $q, 1);
        $this->assertSame(4, $d['remaining'], 'the stored TAT counted');
        $this->assertSame(2 * 3600 + 2, apcu_key_info(self::PREFIX . $key)['ttl']);
        $this->assertSame($tat + 360 * Gcra::NANOS_PER_SECOND, apcu_fetch(self::PREFIX . $key));
    }

    public function testAStalledMoveIsTakenOverFromAFullAllowance(): void
    {
        $key = self::key();
        apcu_store(self::PREFIX . $key, -1, 60); // MOVING, and its mover never comes back
        $started = hrtime(true);
        $d = (new ApcuStore())->spend($key, Gcra::quota(3, 60), 1);
        $this->assertGreaterThanOrEqual(50_000_000, hrtime(true) - $started, 'waited for the mover first');
        $this->assertSame(['allowed' => true, 'remaining' => 2], array_slice($d, 0, 2));
        $this->assertGreaterThan(0, apcu_fetch(self::PREFIX . $key));
    }

    public function testAForeignValueUnderThePrefixIsReplaced(): void
    {
        $key = self::key();
        apcu_store(self::PREFIX . $key, 'not a TAT');
        $this->assertSame(2, (new ApcuStore())->spend($key, Gcra::quota(3, 60), 1)['remaining']);
    }
}
