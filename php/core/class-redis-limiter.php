<?php
/**
 * The rate limiter for sites that run on several web servers: the same
 * GCRA as the extension (src/limiter/gcra.rs: one theoretical arrival time
 * per key, emission interval ceil(period / limit), tolerance limit × that),
 * run as one atomic Lua script inside Redis on Redis's own clock, as
 * redis-cell does. Every server sharing the Redis shares every budget
 * exactly. Microsecond resolution (Redis TIME) instead of nanoseconds.
 *
 * Enabled by HOOKGUARD_REDIS in wp-config.php ("tcp://host:port",
 * "unix:///path/redis.sock", optionally "?auth=…&database=n"). Needs the
 * phpredis extension (Debian: php8.2-redis).
 *
 * @package HookGuard
 */

namespace HookGuard\Core;

final class Redis_Limiter {

	/** Seconds to connect and to wait for an answer: an unreachable Redis costs a bounded time. */
	const TIMEOUT = 0.25;
	/** Seconds an unreachable Redis is not tried again by this process. */
	const RETRY_AFTER_FAILURE = 1;

	const SCRIPT = <<<'LUA'
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local limit, period, cost = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[3])
local interval = math.ceil(period * 1000000 / limit)
local tolerance = limit * interval
local tat = tonumber(redis.call('GET', KEYS[1]) or '0')
if tat < now then tat = now end
local debt = tat - now
local new_debt = debt + cost * interval
if new_debt > tolerance then
  return {0, math.floor(math.max(tolerance - debt, 0) / interval), new_debt - tolerance, debt}
end
if cost > 0 then
  redis.call('SET', KEYS[1], string.format('%.0f', tat + cost * interval), 'PX', math.ceil(new_debt / 1000) + 1)
end
return {1, math.floor((tolerance - new_debt) / interval), 0, new_debt}
LUA;

	private string $url;
	private ?\Redis $redis = null;
	/** @var string Why Redis is not used right now ('' when it is). */
	private string $failure = '';
	/** @var array<string,float> url => when this process last failed to reach it. */
	private static array $failed_at = array();

	public function __construct( #[\SensitiveParameter] string $url ) {
		$this->url = $url;
	}

	/** The configured Redis URL, or null. */
	public static function configured(): ?string {
		return defined( 'HOOKGUARD_REDIS' ) && is_string( HOOKGUARD_REDIS ) && '' !== HOOKGUARD_REDIS ? HOOKGUARD_REDIS : null;
	}

	/** Why the last call could not use Redis ('' when it could). */
	public function failure(): string {
		return $this->failure;
	}

	/**
	 * One GCRA decision, as hookguard_rate_limit() returns it (seconds as
	 * floats), or null when Redis cannot be reached (see failure()).
	 *
	 * @return array{allowed:bool,remaining:int,retry_after:float,reset_after:float}|null
	 */
	public function rate_limit( string $key, int $limit, int $period, int $cost = 1 ): ?array {
		$redis = $this->connection();
		if ( null === $redis ) {
			return null;
		}
		try {
			$answer = $redis->evalSha( sha1( self::SCRIPT ), array( $key, $limit, $period, $cost ), 1 );
			if ( false === $answer ) {
				$redis->clearLastError();
				$answer = $redis->eval( self::SCRIPT, array( $key, $limit, $period, $cost ), 1 );
			}
		} catch ( \RedisException $e ) {
			return $this->failed( 'Redis did not answer: ' . $e->getMessage() );
		}
		if ( ! is_array( $answer ) || 4 !== count( $answer ) ) {
			return $this->failed( 'Redis refused the script: ' . (string) $redis->getLastError() );
		}
		return array(
			'allowed'     => 1 === (int) $answer[0],
			'remaining'   => (int) $answer[1],
			'retry_after' => $answer[2] / 1e6,
			'reset_after' => $answer[3] / 1e6,
		);
	}

	/** Whether Redis answers now. */
	public function ping(): bool {
		$redis = $this->connection();
		try {
			return null !== $redis && false !== $redis->ping();
		} catch ( \RedisException $e ) {
			$this->failed( 'Redis did not answer: ' . $e->getMessage() );
			return false;
		}
	}

	private function connection(): ?\Redis {
		if ( $this->redis ) {
			return $this->redis;
		}
		if ( ! class_exists( \Redis::class ) ) {
			$this->failure = 'the phpredis extension is not loaded';
			return null;
		}
		if ( isset( self::$failed_at[ $this->url ] ) && microtime( true ) - self::$failed_at[ $this->url ] < self::RETRY_AFTER_FAILURE ) {
			$this->failure = 'Redis was unreachable less than a second ago';
			return null;
		}
		$parts = parse_url( $this->url );
		if ( ! $parts || ! isset( $parts['scheme'] ) ) {
			return $this->failed( 'HOOKGUARD_REDIS is not a tcp:// or unix:// URL' );
		}
		parse_str( $parts['query'] ?? '', $query );
		try {
			$redis = new \Redis();
			$ok    = 'unix' === $parts['scheme']
				? $redis->pconnect( $parts['path'] ?? '', 0, self::TIMEOUT )
				: $redis->pconnect( $parts['host'] ?? '127.0.0.1', (int) ( $parts['port'] ?? 6379 ), self::TIMEOUT );
			$redis->setOption( \Redis::OPT_READ_TIMEOUT, self::TIMEOUT );
			if ( $ok && isset( $query['auth'] ) ) {
				$ok = $redis->auth( $query['auth'] );
			}
			if ( $ok && isset( $query['database'] ) ) {
				$ok = $redis->select( (int) $query['database'] );
			}
		} catch ( \RedisException $e ) {
			return $this->failed( 'Redis is unreachable: ' . $e->getMessage() );
		}
		if ( ! $ok ) {
			return $this->failed( 'Redis is unreachable' );
		}
		$this->failure = '';
		$this->redis   = $redis;
		return $redis;
	}

	/** Records why Redis cannot be used; always null, for connection() to return. */
	private function failed( string $why ): null {
		self::$failed_at[ $this->url ] = microtime( true );
		$this->failure                 = $why;
		$this->redis                   = null;
		return null;
	}
}
