<?php
/**
 * Read by Perfex (2.9.0 and later) at pre_system, before this module's main
 * file loads: the URIs CodeIgniter's CSRF check skips. CodeIgniter anchors
 * each pattern and matches it case-insensitively (#^pattern$#i). Only the
 * receive URI, hookguard/receive/{source}, is excluded: a signature, not a
 * CSRF token, authenticates a webhook. Anything longer is still protected.
 *
 * @package HookGuard
 */

defined( 'BASEPATH' ) || exit( 'No direct script access allowed' );

return array( 'hookguard/receive/[a-z0-9][a-z0-9_-]{0,63}' );
