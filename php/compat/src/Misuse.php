<?php
namespace HookGuard\Compat;

/**
 * A programming error found inside the implementation: the public function
 * throws a fresh ValueError/TypeError of $class with its message, so the
 * exception's trace starts at the hookguard_*() call, as the extension's
 * does, and holds no internal frame (none of which could leak a secret).
 */
final class Misuse extends \Exception
{
    /** @param class-string<\Error> $class */
    private function __construct(public readonly string $class, string $message)
    {
        parent::__construct($message);
    }

    /** "hookguard_sign(): Argument #3 ($secret) must not be empty", as args.rs words it. */
    public static function value(string $caller, int $position, string $name, string $what): self
    {
        return new self(\ValueError::class, "$caller(): Argument #$position (\$$name) $what");
    }

    public static function type(string $caller, int $position, string $name, string $what): self
    {
        return new self(\TypeError::class, "$caller(): Argument #$position (\$$name) $what");
    }
}
