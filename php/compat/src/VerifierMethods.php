<?php
namespace HookGuard\Compat;

/**
 * HookGuard\Verifier in PHP: php/compat/src/Verifier.php declares the class
 * with these methods (tests/compat/differential.php uses them under another
 * name beside the extension's class, so messages name the class literally).
 *
 * What a Verifier holds (its prepared check, with the derived keys) lives
 * outside the object, in a WeakMap, so var_dump(), print_r(), var_export(),
 * (array) and json_encode() show an object without properties, as they do
 * the extension's. Like the extension's, it cannot be cloned or serialized:
 * the same Error and Exceptions with the same messages.
 */
trait VerifierMethods
{
    /** @var \WeakMap<object, Prepared>|null */
    private static ?\WeakMap $prepared = null;

    public function __construct(string $scheme, #[\SensitiveParameter] string|array $secrets, array $options = [])
    {
        try {
            $prepared = Prepared::new('HookGuard\Verifier::__construct', 2, 3, $scheme, $secrets, $options);
        } catch (Misuse $e) {
            throw new ($e->class)($e->getMessage());
        }
        self::$prepared ??= new \WeakMap();
        self::$prepared[$this] = $prepared;
    }

    public function verify(string $body, array $headers): bool
    {
        return $this->prepared()->check($body, $headers) === 'ok';
    }

    public function check(string $body, array $headers): string
    {
        return $this->prepared()->check($body, $headers);
    }

    public function __clone(): void
    {
        throw new \Error('Trying to clone an uncloneable object of class HookGuard\Verifier');
    }

    public function __serialize(): array
    {
        throw new \Exception("Serialization of 'HookGuard\Verifier' is not allowed");
    }

    public function __unserialize(array $data): void
    {
        throw new \Exception("Unserialization of 'HookGuard\Verifier' is not allowed");
    }

    private function prepared(): Prepared
    {
        return self::$prepared[$this] ?? throw new \Error('HookGuard\Verifier is not constructed');
    }
}
