<?php
/**
 * HookGuard's fast path: answers POST /wp-json/hookguard/v1/receive/{source}
 * without booting WordPress (see HookGuard\Fast_Path and the README for the
 * nginx location that routes the URL here).
 *
 * @package HookGuard
 */

require __DIR__ . '/includes/autoload.php';

HookGuard\Fast_Path::run();
