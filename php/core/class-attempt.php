<?php
/**
 * What one HTTP attempt got, and what it means for the delivery:
 *   delivered  2xx only (a redirect is not followed and is not a success)
 *   retry      a connection error, a timeout, 408, 425, 429 or 5xx
 *   failed     any other status (a 3xx or a 4xx the receiver will repeat)
 *
 * @package HookGuard
 */

namespace HookGuard\Core;

final class Attempt {

	const DELIVERED = 'delivered';
	const RETRY     = 'retry';
	const FAILED    = 'failed';

	/** Transport errors. */
	const UNREACHABLE = 'unreachable';
	const TIMED_OUT   = 'timed_out';

	/** Statuses worth another try besides 5xx. */
	const RETRIED_STATUSES = array( 408, 425, 429 );

	/** Bytes of an answer kept for the record. */
	const EXCERPT = 300;

	/** @var int 0 when no answer came. */
	public int $status = 0;
	/** @var array<string,string> Answer headers, lower-case names. */
	public array $headers = array();
	/** @var string The answer body (up to the client's limit). */
	public string $body = '';
	/** @var string|null unreachable|timed_out when no answer came. */
	public ?string $error = null;
	/** @var string The transport's own message. */
	public string $error_message = '';
	/** @var float Seconds the attempt took. */
	public float $duration = 0.0;

	public function outcome(): string {
		if ( null !== $this->error ) {
			return self::RETRY;
		}
		if ( $this->status >= 200 && $this->status < 300 ) {
			return self::DELIVERED;
		}
		if ( $this->status >= 500 || in_array( $this->status, self::RETRIED_STATUSES, true ) ) {
			return self::RETRY;
		}
		return self::FAILED;
	}

	public function header( string $name ): ?string {
		$name = strtolower( $name );
		return isset( $this->headers[ $name ] ) ? $this->headers[ $name ] : null;
	}

	/** Seconds the receiver asked to wait (Retry-After), if it did. */
	public function retry_after( int $now ): ?int {
		return Retry_Policy::parse_retry_after( $this->header( 'retry-after' ), $now );
	}

	/** A short, single-line, valid UTF-8 excerpt of the answer. */
	public function excerpt(): string {
		$text = preg_replace( '/\s+/', ' ', mb_scrub( substr( $this->body, 0, self::EXCERPT ), 'UTF-8' ) );
		return trim( (string) $text ) . ( strlen( $this->body ) > self::EXCERPT ? '…' : '' );
	}

	/** One line for the outbox's record: what happened on this attempt. */
	public function summary(): string {
		if ( self::TIMED_OUT === $this->error ) {
			return 'timed out: ' . $this->error_message;
		}
		if ( self::UNREACHABLE === $this->error ) {
			return 'unreachable: ' . $this->error_message;
		}
		$location = $this->header( 'location' );
		return 'HTTP ' . $this->status
			. ( $this->status >= 300 && $this->status < 400 ? ' (redirect not followed' . ( null !== $location ? ' to ' . mb_scrub( substr( $location, 0, 200 ), 'UTF-8' ) : '' ) . ')' : '' )
			. ( '' !== $this->body ? ': ' . $this->excerpt() : '' );
	}
}
