<?php
namespace HookGuard\Compat;

/**
 * GCRA state in this PHP process's memory: what a CLI process (or a
 * long-running worker) counts alone. Under php-fpm or Apache, PHP frees it
 * at the end of every request, so it limits only within one request: the
 * last resort, and RateLimiter::mode() says so.
 */
final class MemoryStore
{
    /** Keys held, as the extension's default table. */
    private const SLOTS = 65536;

    /** @var array<string, int> key => TAT */
    private array $tats = [];

    public function reset(string $key): void
    {
        unset($this->tats[$key]);
    }

    /** @return array{allowed: bool, remaining: int, retry_after: int, reset_after: int} */
    public function spend(string $key, Gcra $quota, int $cost): array
    {
        $now = RateLimiter::now();
        $stored = $this->tats[$key] ?? 0;
        [$decision, $tat] = $quota->decide($stored, $now, $cost);
        if ($tat !== $stored) {
            if ($stored === 0 && count($this->tats) >= self::SLOTS) {
                $this->evict($now);
            }
            $this->tats[$key] = $tat;
        }
        return $decision;
    }

    /** Makes room: keys back to a full allowance first, else the oldest stored key. */
    private function evict(int $now): void
    {
        $before = count($this->tats);
        $this->tats = array_filter($this->tats, fn(int $tat) => $tat > $now);
        if (count($this->tats) === $before) {
            unset($this->tats[array_key_first($this->tats)]);
        }
    }
}
