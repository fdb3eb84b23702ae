<?php
/**
 * Rate limits through the extension's hookguard_rate_limit(), whose table
 * is shared by every PHP-FPM worker of the host, and so by every site and
 * pool of that host. Keys are therefore namespaced per site with a value
 * derived from the site's encryption key: other code on the host cannot
 * name, exhaust or reset this site's budgets.
 *
 * A limiter that cannot answer (the extension could not map its table)
 * admits the request and says so once in the log: a rejection must never
 * become a fatal error, and a verified delivery must never be lost to it.
 *
 * @package HookGuard
 */

namespace HookGuard;

final class Limiter {

	/** @var string */
	private $namespace;
	/** @var bool Whether the "unavailable" line was logged by this process. */
	private static $reported = false;

	/** @param string $namespace The site's namespace (see for_site()). */
	public function __construct( string $namespace ) {
		$this->namespace = $namespace;
	}

	/** This site's limiter: its namespace derives from the encryption key. */
	public static function for_site(): self {
		return new self( self::site_namespace() );
	}

	public static function site_namespace(): string {
		return substr( Crypto::mac( 'hookguard rate limiter namespace' ), 0, 20 );
	}

	public static function available(): bool {
		return function_exists( 'hookguard_rate_limit' );
	}

	/** The key as stored in the extension's table. */
	public function key( string $name ): string {
		return 'hookguard:' . $this->namespace . ':' . $name;
	}

	/**
	 * Spends one unit of $name's budget.
	 *
	 * @param array{limit:int,period:int} $limit
	 * @return int Seconds to wait when over the limit, 0 when allowed.
	 */
	public function hit( string $name, array $limit ): int {
		if ( ! self::available() ) {
			return 0;
		}
		try {
			$result = hookguard_rate_limit( $this->key( $name ), $limit['limit'], $limit['period'] );
		} catch ( \Error $e ) {
			if ( ! self::$reported ) {
				self::$reported = true;
				Log::error( 'rate limiter unavailable, requests are not limited: ' . $e->getMessage() );
			}
			return 0;
		}
		if ( ! empty( $result['allowed'] ) ) {
			return 0;
		}
		return max( 1, (int) ceil( $result['retry_after'] ?? $limit['period'] ) );
	}
}
