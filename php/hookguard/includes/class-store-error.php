<?php
/**
 * The queue's database failed (unreachable, or a statement errored): never
 * to be mistaken for an empty queue or a lost claim. Workers stop on it
 * (the CLI with a non-zero exit status and one line on stderr).
 *
 * @package HookGuard
 */

namespace HookGuard;

final class Store_Error extends \RuntimeException {
}
