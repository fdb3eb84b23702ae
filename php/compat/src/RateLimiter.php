<?php
namespace HookGuard\Compat;

/**
 * hookguard_rate_limit() without the extension: the extension's argument
 * checks and messages, then GCRA (Gcra) over the best store the server has:
 * - php-fpm, Apache and other multi-process SAPIs: APCu (ApcuStore) when
 *   enabled, else files in the temporary directory (FileStore); both are
 *   shared by every worker, as the extension's table is;
 * - the CLI and other single-process SAPIs: this process's memory
 *   (MemoryStore), as the extension's per-process table there; with APCu
 *   enabled in the CLI (apc.enable_cli), APCu, which is per-process there too.
 * mode() words the choice as the extension's `php --ri` row does.
 */
final class RateLimiter
{
    private const SINGLE_PROCESS_SAPIS = ['cli', 'phpdbg', 'embed'];

    /** Where FileStore keeps its buckets (one directory per user). */
    public static function fileStoreDirectory(): string
    {
        $user = function_exists('posix_geteuid') ? (string) posix_geteuid() : get_current_user();
        return rtrim(sys_get_temp_dir(), '/') . '/hookguard-rate-limit-' . $user;
    }

    private static function store(): ApcuStore|FileStore|MemoryStore
    {
        static $store = null;
        if ($store === null) {
            $single = in_array(PHP_SAPI, self::SINGLE_PROCESS_SAPIS, true);
            $store = match (true) {
                ApcuStore::available() => new ApcuStore(),
                $single => new MemoryStore(),
                default => FileStore::open(self::fileStoreDirectory()) ?? new MemoryStore(),
            };
        }
        return $store;
    }

    /** The words `php --ri hookguard` would use for this limiter (HOOKGUARD_RATE_LIMITER_MODE). */
    public static function mode(): string
    {
        if (in_array(PHP_SAPI, self::SINGLE_PROCESS_SAPIS, true)) {
            return 'per-process (the ' . PHP_SAPI . ' SAPI runs one process)';
        }
        $store = self::store();
        return match (true) {
            $store instanceof ApcuStore => 'shared by all worker processes (through APCu)',
            $store instanceof FileStore => "shared by all worker processes (through files in $store->dir)",
            default => 'per-request (no APCu, and ' . self::fileStoreDirectory() . ' is not writable)',
        };
    }

    /** The monotonic clock (the extension's); 0 means "never seen", and no real reading is that early. */
    public static function now(): int
    {
        return max(1, hrtime(true));
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
        return self::store()->spend($key, $quota, $cost);
    }

    public static function reset(string $key): void
    {
        self::store()->reset($key);
    }
}
