<?php
namespace HookGuard\Compat;

/**
 * hookguard_rate_limit() without the extension: GCRA state (Gcra) kept in
 * APCu, which every worker of a php-fpm pool (or Apache prefork server)
 * shares, or in this process's memory where APCu is not enabled.
 *
 * Under concurrency, with APCu: every admission is one apcu_cas() (or, for a
 * new key, one apcu_add()) from exactly the TAT its decision was computed
 * on; a worker whose write lost the race recomputes. So, as in the
 * extension's table, no two requests spend the same allowance. What is not
 * exact:
 * - APCu may drop entries when its memory is full (its expunge), and
 *   apcu_clear_cache() or a pool restart drops them all: those keys start
 *   again from a full allowance (the extension's table evicts too, when full).
 * - An entry lives for 2τ + 2 seconds from its creation (τ: the quota's
 *   period, rounded up); a key in continuous use past that is moved to a
 *   fresh entry by claiming it (apcu_cas to MOVING) and storing it again.
 *   Workers that see MOVING wait; if the mover stalls between its two calls
 *   for longer than TAKEOVER_AFTER_SPINS waits (about 50 ms), one of them
 *   takes over from a full allowance.
 * Entry lifetimes count on APCu's own clock; the TAT counts on hrtime().
 */
final class RateLimiter
{
    private const PREFIX = 'hookguard:rate:';
    /** The TAT of an entry being moved to a longer-lived one (a TAT is never negative). */
    private const MOVING = -1;
    private const TAKEOVER_AFTER_SPINS = 1000;
    /** Keys a per-process table holds, as the extension's default table. */
    private const PROCESS_SLOTS = 65536;
    private const SINGLE_PROCESS_SAPIS = ['cli', 'phpdbg', 'embed'];

    /** @var array<string, int> key => TAT, for the per-process table */
    private static array $process = [];

    /** The words `php --ri hookguard` uses for the extension's own limiter mode. */
    public static function mode(): string
    {
        if (in_array(PHP_SAPI, self::SINGLE_PROCESS_SAPIS, true)) {
            return 'per-process (the ' . PHP_SAPI . ' SAPI runs one process)';
        }
        if (!function_exists('apcu_cas')) {
            return 'per-process (APCu is not loaded)';
        }
        return self::apcu() ? 'shared by all worker processes (through APCu)' : 'per-process (APCu is not enabled: apc.enabled)';
    }

    private static function apcu(): bool
    {
        static $enabled = null;
        return $enabled ??= function_exists('apcu_cas') && apcu_enabled();
    }

    /**
     * @return array{allowed: bool, remaining: int, retry_after: int, reset_after: int}
     * @throws Misuse
     */
    public static function check(string $caller, string $key, int $limit, int $periodSeconds, int $cost): array
    {
        $quota = Gcra::quota($limit, $periodSeconds);
        if (is_string($quota)) {
            throw match ($quota) {
                'limit<1' => Misuse::value($caller, 2, 'limit', 'must be greater than 0'),
                'limit>1/ns' => Misuse::value($caller, 2, 'limit', 'must be at most 1000000000 per second of argument #3 ($period_seconds)'),
                'period<1' => Misuse::value($caller, 3, 'period_seconds', 'must be greater than 0'),
                'period>max' => Misuse::value($caller, 3, 'period_seconds', 'must be at most ' . Gcra::MAX_PERIOD_SECONDS . ' (ten years)'),
            };
        }
        if ($cost < 0) {
            throw Misuse::value($caller, 4, 'cost', 'must be greater than or equal to 0');
        }
        if ($cost > $limit) {
            throw Misuse::value($caller, 4, 'cost', 'must be less than or equal to argument #2 ($limit)');
        }
        return self::apcu() ? self::checkApcu(self::PREFIX . $key, $quota, $cost) : self::checkProcess($key, $quota, $cost);
    }

    public static function reset(string $key): void
    {
        if (self::apcu()) {
            apcu_delete(self::PREFIX . $key);
        } else {
            unset(self::$process[$key]);
        }
    }

    /** The monotonic clock; 0 means "never seen", and no real reading is that early. */
    private static function now(): int
    {
        return max(1, hrtime(true));
    }

    private static function checkProcess(string $key, Gcra $quota, int $cost): array
    {
        $now = self::now();
        [$decision, $tat] = $quota->decide(self::$process[$key] ?? 0, $now, $cost);
        if ($tat !== (self::$process[$key] ?? 0)) {
            if (!isset(self::$process[$key]) && count(self::$process) >= self::PROCESS_SLOTS) {
                self::evict($now);
            }
            self::$process[$key] = $tat;
        }
        return $decision;
    }

    /** Makes room: keys back to a full allowance first, else the oldest stored key. */
    private static function evict(int $now): void
    {
        $before = count(self::$process);
        self::$process = array_filter(self::$process, fn(int $tat) => $tat > $now);
        if (count(self::$process) === $before) {
            unset(self::$process[array_key_first(self::$process)]);
        }
    }

    private static function checkApcu(string $entry, Gcra $quota, int $cost): array
    {
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
            $now = self::now();
            [$decision, $newTat] = $quota->decide(max($tat, 0), $now, $cost);
            if ($newTat === $tat || ($tat === self::MOVING && $newTat === 0)) {
                return $decision; // denied, or cost 0: nothing to write
            }
            if (!$found) {
                if (apcu_add($entry, $newTat, $ttl)) {
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
