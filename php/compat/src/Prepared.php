<?php
namespace HookGuard\Compat;

/**
 * A check prepared once (src/check.rs's Prepared): the options read, the
 * scheme resolved, every secret's key derived, in the order and with the
 * messages of hookguard_check(). hookguard_verify()/hookguard_check() make
 * one per call; HookGuard\Verifier keeps one.
 */
final class Prepared
{
    /** @param list<string> $keys */
    private function __construct(
        private readonly Scheme $scheme,
        #[\SensitiveParameter] private readonly array $keys,
        private readonly ?int $now,
        private readonly int $tolerance,
    ) {
    }

    /**
     * $secretsAt and $optionsAt: those arguments' numbers in $caller's messages ($scheme is always #1).
     *
     * @throws Misuse
     */
    public static function new(string $caller, int $secretsAt, int $optionsAt, string $name, #[\SensitiveParameter] string|array $secrets, array $options): self
    {
        $opts = $options === [] ? Options::none() : Options::parse($caller, $optionsAt, $options);
        $scheme = Signatures::scheme($caller, $name, $opts, $optionsAt);
        $keys = [];
        foreach (Signatures::secrets($caller, $secretsAt, $secrets) as $secret) {
            $keys[] = Signatures::key($caller, $secretsAt, 'secrets', $scheme, $secret);
        }
        return new self($scheme, $keys, $opts->now, $opts->tolerance ?? Signatures::DEFAULT_TOLERANCE);
    }

    /** 'ok' or the reason code; the clock is read only for a timestamped scheme without a fixed `now`. */
    public function check(string $body, array $headers): string
    {
        $now = $this->now ?? ($this->scheme->timestamped ? time() : 0);
        return Signatures::authenticate($this->scheme, $body, $headers, $this->keys, $now, $this->tolerance);
    }
}
