<?php
namespace HookGuard;

require_once __DIR__ . '/VerifierMethods.php';

/**
 * hookguard_verify()/hookguard_check() prepared once (php/hookguard.stub.php
 * documents it). Declared by php/compat/hookguard.php only where the
 * extension, which has its own, is not loaded.
 */
// phpcs:ignore Generic.Classes.DuplicateClassName.Found -- the stub declares the extension's class of this name
final class Verifier
{
    use Compat\VerifierMethods;
}
