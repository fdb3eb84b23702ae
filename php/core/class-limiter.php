<?php
/**
 * Rate limits through the extension's hookguard_rate_limit(), whose table
 * is shared by every PHP-FPM worker of the host, and so by every site and
 * pool of that host. Keys are therefore namespaced per site with a value
 * the adapter derives from the site's encryption key: other code on the
 * host cannot name, exhaust or reset this site's budgets.
 *
 * A limiter that cannot answer (the extension could not map its table)
 * admits the request and says so once in the log: a rejection must never
 * become a fatal error, and a verified delivery must never be lost to it.
 *
 * Sites on several web servers set HOOKGUARD_REDIS: budgets then live in
 * Redis (Redis_Limiter, the same GCRA), exact across every server; while
 * Redis cannot be reached, each server falls back to its own table and
 * mode() says so (Site Health, `cli.php status`, the log once a process).
 *
 * @package HookGuard
 */

namespace HookGuard\Core;

class Limiter {

	private string $namespace;
	private ?Redis_Limiter $redis;
	/** Whether the "unavailable" line was logged by this process. */
	private static bool $reported = false;
	/** Whether the Redis fallback was logged by this process. */
	private static bool $fell_back = false;

	/**
	 * @param string      $namespace The site's namespace: a value other code on the host cannot guess
	 *                               (the WordPress plugin's Limiter::for_site() derives it from the site's key).
	 * @param string|null $redis     HOOKGUARD_REDIS, when budgets live in Redis.
	 */
	public function __construct( string $namespace, #[\SensitiveParameter] ?string $redis = null ) {
		$this->namespace = $namespace;
		$this->redis     = null === $redis ? null : new Redis_Limiter( $redis );
	}

	/** Where budgets live right now, in words (asks Redis when it is configured). */
	public function mode(): string {
		// Both implementations (the extension, php/compat) define the constant; without either there is no limiter.
		$local = defined( 'HOOKGUARD_RATE_LIMITER_MODE' ) ? HOOKGUARD_RATE_LIMITER_MODE : 'none';
		if ( null === $this->redis ) {
			return 'local: ' . $local;
		}
		return $this->redis->ping() ? 'redis: shared by every web server' : 'local fallback (' . $this->redis->failure() . '): ' . $local;
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
		$result = $this->redis ? $this->redis->rate_limit( $this->key( $name ), $limit['limit'], $limit['period'] ) : null;
		if ( $this->redis && null === $result && ! self::$fell_back ) {
			self::$fell_back = true;
			Log::error( 'rate limits fall back to this server\'s own table: ' . $this->redis->failure() );
		}
		if ( null === $result ) {
			$result = $this->hit_locally( $name, $limit );
		}
		if ( null === $result || ! empty( $result['allowed'] ) ) {
			return 0;
		}
		return max( 1, (int) ceil( $result['retry_after'] ?? $limit['period'] ) );
	}

	/**
	 * Whether one more $name may happen now: $limit per $period through the
	 * limiter; where there is none, at most one per $period / $limit seconds
	 * through APCu; with neither, $otherwise.
	 */
	public function allow( string $name, int $limit, int $period, bool $otherwise ): bool {
		if ( self::available() ) {
			return 0 === $this->hit( $name, array( 'limit' => $limit, 'period' => $period ) );
		}
		if ( function_exists( 'apcu_add' ) ) {
			return apcu_add( $this->key( $name ), 1, max( 1, intdiv( $period, $limit ) ) );
		}
		return $otherwise;
	}

	/** @return array|null The extension's (or php/compat's) decision, or null when there is no limiter. */
	private function hit_locally( string $name, array $limit ): ?array {
		if ( ! self::available() ) {
			return null;
		}
		try {
			return hookguard_rate_limit( $this->key( $name ), $limit['limit'], $limit['period'] );
		} catch ( \Error $e ) {
			if ( ! self::$reported ) {
				self::$reported = true;
				Log::error( 'rate limiter unavailable, requests are not limited: ' . $e->getMessage() );
			}
			return null;
		}
	}
}
