<?php
/**
 * When to try a delivery again: exponential backoff with jitter, and the
 * receiver's own Retry-After when it gives one.
 *
 * The delay before attempt n + 1 is base * 2^(n - 1) seconds, capped at
 * MAX_DELAY (10 hours, as in the Standard Webhooks example schedule), times
 * a random factor in [1 - JITTER, 1 + JITTER] so that deliveries failing
 * together do not retry together. With the defaults (base 60 s, 16 attempts)
 * the retries span 60 + 120 + … + 30720 + 5 × 36000 s ≈ 2.8 days.
 *
 * A Retry-After (delta seconds or an HTTP date, RFC 9110 §10.2.3) is a lower
 * bound: the delay is the larger of it and the schedule's, capped at
 * MAX_DELAY so that no receiver can park a delivery for ever.
 *
 * @package HookGuard
 */

namespace HookGuard\Core;

final class Retry_Policy {

	const DEFAULT_BACKOFF  = 60;
	const DEFAULT_ATTEMPTS = 16;
	const MAX_DELAY        = 36000;
	const JITTER           = 0.1;

	/** @var float Base delay in seconds. */
	private float $base;
	private float $cap;

	public function __construct( float $base = self::DEFAULT_BACKOFF, float $cap = self::MAX_DELAY ) {
		$this->base = max( 0.0, $base );
		$this->cap  = max( 0.0, $cap );
	}

	/** The schedule's delay before attempt $attempt + 1, without jitter. */
	public function nominal( int $attempt ): float {
		return min( $this->cap, $this->base * ( 2 ** min( 40, max( 0, $attempt - 1 ) ) ) );
	}

	/**
	 * Seconds to wait before attempt $attempt + 1.
	 *
	 * @param int|null $retry_after Seconds the receiver asked for, if it did.
	 */
	public function delay( int $attempt, ?int $retry_after = null ): float {
		$jitter = 1 + self::JITTER * ( 2 * random_int( 0, 1000000 ) / 1000000 - 1 );
		$delay  = $this->nominal( $attempt ) * $jitter;
		if ( null !== $retry_after ) {
			$delay = max( $delay, (float) $retry_after );
		}
		return min( $this->cap, $delay );
	}

	/** Seconds from the first attempt to the last with $attempts attempts (no jitter). */
	public function span( int $attempts ): float {
		$total = 0.0;
		for ( $n = 1; $n < $attempts; $n++ ) {
			$total += $this->nominal( $n );
		}
		return $total;
	}

	/**
	 * A Retry-After header value as seconds from $now: delta seconds, or an
	 * HTTP date (IMF-fixdate, RFC 850 or asctime). Null when absent or
	 * unreadable; 0 for a date in the past.
	 */
	public static function parse_retry_after( ?string $value, int $now ): ?int {
		$value = trim( (string) $value );
		if ( '' === $value ) {
			return null;
		}
		if ( preg_match( '/^\d{1,10}$/D', $value ) ) {
			return (int) $value;
		}
		foreach ( array( 'D, d M Y H:i:s \G\M\T', 'l, d-M-y H:i:s \G\M\T', 'D M j H:i:s Y' ) as $format ) {
			$date = \DateTimeImmutable::createFromFormat( '!' . $format, preg_replace( '/\s+/', ' ', $value ), new \DateTimeZone( 'UTC' ) );
			if ( $date ) {
				return max( 0, $date->getTimestamp() - $now );
			}
		}
		return null;
	}
}
