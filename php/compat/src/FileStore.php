<?php
namespace HookGuard\Compat;

/**
 * GCRA state in files under the temporary directory, for servers without
 * APCu: shared by every process of this user on the host, exact under
 * concurrency (each read-decide-write holds an exclusive flock() on the
 * key's bucket file), and slower than APCu (a few file operations a call).
 *
 * Keys hash into BUCKETS files, each a serialized array key => TAT. A write
 * drops the bucket's keys that are back to a full allowance; a bucket over
 * KEYS_PER_BUCKET drops its oldest key (as the extension's full table
 * evicts). A bucket file cut short by a crash reads as empty: its keys start
 * again from a full allowance.
 */
final class FileStore
{
    private const BUCKETS = 64;
    private const KEYS_PER_BUCKET = 1024;

    private function __construct(public readonly string $dir)
    {
    }

    /** The store in $dir (created 0700), or null when it cannot be used. */
    public static function open(string $dir): ?self
    {
        if (!is_dir($dir)) {
            @mkdir($dir, 0700, true); // phpcs:ignore Generic.PHP.NoSilencedErrors -- another worker may create it first; usability is checked next.
        }
        return is_dir($dir) && is_writable($dir) ? new self($dir) : null;
    }

    public function reset(string $key): void
    {
        $this->update($key, fn(?int $tat) => [null, null]);
    }

    /** @return array{allowed: bool, remaining: int, retry_after: int, reset_after: int} */
    public function spend(string $key, Gcra $quota, int $cost): array
    {
        return $this->update($key, fn(?int $tat) => $quota->decide($tat ?? 0, RateLimiter::now(), $cost));
    }

    /**
     * Runs $step on the key's TAT (null when unknown) under the bucket's lock
     * and stores the TAT it returns (null: forget the key).
     *
     * @param callable(?int): array{0: mixed, 1: ?int} $step
     */
    private function update(string $key, callable $step): mixed
    {
        $file = sprintf('%s/bucket-%02d', $this->dir, crc32($key) % self::BUCKETS);
        $handle = @fopen($file, 'c+'); // phpcs:ignore Generic.PHP.NoSilencedErrors -- a refusal is thrown as an Error below.
        if ($handle === false || !flock($handle, LOCK_EX)) {
            throw new \Error("hookguard rate limiter unavailable: cannot lock $file");
        }
        try {
            $text = stream_get_contents($handle);
            $tats = $text === '' ? [] : @unserialize($text, ['allowed_classes' => false]); // phpcs:ignore Generic.PHP.NoSilencedErrors -- a torn file counts as empty.
            $tats = is_array($tats) ? $tats : [];
            $stored = $tats[$key] ?? null;
            [$result, $tat] = $step($stored);
            $tat = $tat === 0 ? null : $tat; // 0 is "never seen"
            if ($tat !== $stored) {
                $now = RateLimiter::now();
                $tats = array_filter($tats, fn(int $t) => $t > $now);
                unset($tats[$key]);
                if ($tat !== null) {
                    if (count($tats) >= self::KEYS_PER_BUCKET) {
                        asort($tats);
                        unset($tats[array_key_first($tats)]);
                    }
                    $tats[$key] = $tat;
                }
                // Overwrite, then cut to length: a cut to zero first would make
                // ext4 flush the file to disk on close (its auto_da_alloc).
                $data = serialize($tats);
                rewind($handle);
                fwrite($handle, $data);
                ftruncate($handle, strlen($data));
            }
            return $result;
        } finally {
            flock($handle, LOCK_UN);
            fclose($handle);
        }
    }
}
