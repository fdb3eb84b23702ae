<?php
namespace HookGuard\Compat;

/**
 * GCRA state in APCu, which every worker of a php-fpm pool (or Apache
 * prefork server) shares.
 *
 * Under concurrency: every admission is one apcu_cas() (or, for a new key,
 * one apcu_add()) from exactly the TAT its decision was computed on; a
 * worker whose write lost the race recomputes. So, as in the extension's
 * table, no two requests spend the same allowance. What is not exact:
 * - APCu may drop entries when its memory is full (its expunge), and
 *   apcu_clear_cache() or a pool restart drops them all: those keys start
 *   again from a full allowance (the extension's table evicts too, when
 *   full); a key APCu has no room for at all is not recorded.
 * - An entry lives for 2τ + 2 seconds from its creation (τ: the quota's
 *   period, rounded up); a key in continuous use past that is moved to a
 *   fresh entry by claiming it (apcu_cas to MOVING) and storing it again.
 *   Workers that see MOVING wait; if the mover stalls between its two calls
 *   for longer than TAKEOVER_AFTER_SPINS waits (about 50 ms), one of them
 *   takes over from a full allowance.
 * Entry lifetimes count on APCu's own clock; the TAT counts on hrtime().
 */
final class ApcuStore
{
    private const PREFIX = 'hookguard:rate:';
    /** The TAT of an entry being moved to a longer-lived one (a TAT is never negative). */
    private const MOVING = -1;
    private const TAKEOVER_AFTER_SPINS = 1000;

    public static function available(): bool
    {
        return function_exists('apcu_cas') && apcu_enabled();
    }

    public function reset(string $key): void
    {
        apcu_delete(self::PREFIX . $key);
    }

    /** @return array{allowed: bool, remaining: int, retry_after: int, reset_after: int} */
    public function spend(string $key, Gcra $quota, int $cost): array
    {
        $entry = self::PREFIX . $key;
        // Long enough for any TAT a write can store (now + τ), twice over.
        $ttl = 2 * intdiv($quota->tolerance + Gcra::NANOS_PER_SECOND - 1, Gcra::NANOS_PER_SECOND) + 2;
        for ($spins = 0; ; ) {
            $stored = apcu_fetch($entry, $found);
            if ($found && !is_int($stored)) {
                apcu_delete($entry); // not ours: another writer's value under our prefix
                continue;
            }
            $tat = $found ? $stored : 0;
            if ($tat === self::MOVING && ++$spins < self::TAKEOVER_AFTER_SPINS) {
                usleep(50);
                continue;
            }
            $now = RateLimiter::now();
            [$decision, $newTat] = $quota->decide(max($tat, 0), $now, $cost);
            if ($newTat === $tat || ($tat === self::MOVING && $newTat === 0)) {
                return $decision; // denied, or cost 0: nothing to write
            }
            if (!$found) {
                // apcu_add() also fails when APCu has no room left even after its
                // expunge: then the request is decided as for a fresh key, unrecorded.
                if (apcu_add($entry, $newTat, $ttl) || !apcu_exists($entry)) {
                    return $decision;
                }
                continue;
            }
            if (self::livesUntil($entry, $newTat - $now)) {
                if (apcu_cas($entry, $tat, $newTat)) {
                    return $decision;
                }
                continue;
            }
            if (apcu_cas($entry, $tat, self::MOVING)) {
                apcu_store($entry, $newTat, $ttl);
                return $decision;
            }
        }
    }

    /** Whether the entry just fetched outlives a TAT $ahead nanoseconds from now. */
    private static function livesUntil(string $entry, int $ahead): bool
    {
        $info = apcu_key_info($entry);
        if ($info === null) {
            return false;
        }
        if ($info['ttl'] === 0) {
            return true;
        }
        // access_time is APCu's clock at our fetch: the lifetime left, in APCu's seconds.
        $left = $info['creation_time'] + $info['ttl'] - $info['access_time'];
        return $left >= intdiv($ahead + Gcra::NANOS_PER_SECOND - 1, Gcra::NANOS_PER_SECOND) + 1;
    }
}
