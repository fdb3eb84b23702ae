<?php
/**
 * Rate limits through the extension's hookguard_rate_limit() (shared by all
 * PHP-FPM workers of the host). Without that function (an older extension)
 * nothing is limited, and Site Health says so.
 *
 * @package HookGuard
 */

namespace HookGuard;

final class Limiter {

	public static function available() {
		return function_exists( 'hookguard_rate_limit' );
	}

	/**
	 * Spends one unit of $key's budget.
	 *
	 * @return int Seconds to wait when over the limit, 0 when allowed.
	 */
	public static function hit( $key, array $limit ) {
		if ( ! self::available() ) {
			return 0;
		}
		$result = hookguard_rate_limit( $key, $limit['limit'], $limit['period'] );
		if ( ! empty( $result['allowed'] ) ) {
			return 0;
		}
		return max( 1, (int) ceil( isset( $result['retry_after'] ) ? $result['retry_after'] : $limit['period'] ) );
	}
}
