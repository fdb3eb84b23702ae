<?php
/**
 * The core's rate limiter (HookGuard\Core\Limiter) for this WordPress site:
 * its namespace derives from the site's encryption key, and HOOKGUARD_REDIS
 * (wp-config.php) puts budgets in Redis.
 *
 * @package HookGuard
 */

namespace HookGuard;

final class Limiter extends Core\Limiter {

	/** This site's limiter: its namespace derives from the encryption key. */
	public static function for_site(): self {
		return new self( self::site_namespace(), Redis_Limiter::configured() );
	}

	public static function site_namespace(): string {
		return substr( Crypto::mac( 'hookguard rate limiter namespace' ), 0, 20 );
	}
}
