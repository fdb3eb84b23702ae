<?php
/**
 * One queued delivery, as handed to a source's handler and to the
 * "hookguard_process" / "hookguard_process_{source}" actions.
 *
 * Only what the sender signed is authenticated: the body always; the topic
 * and the idempotency key only as $signed says (see Source::signed_fields());
 * every header except those listed in $signed may have been altered by
 * whoever replayed a captured delivery.
 *
 * @package HookGuard
 */

namespace HookGuard\Core;

final class Delivery {

	public int $id;
	public string $source;
	public string $topic;
	/** @var string The raw body, exactly as received and verified. */
	public string $body;
	/** @var array<string,string> The kept headers (lower-case names; no signatures). */
	public array $headers;
	/** @var int This attempt's number, from 1. */
	public int $attempt;
	/** @var string UTC, "Y-m-d H:i:s". */
	public string $received_at;
	/** @var string[] What the signature covers: "body", maybe "topic", "idempotency", signed header names. */
	public array $signed = array( 'body' );

	public function __construct( int|string $id, string $source, string $topic, string $body, array $headers, int|string $attempt, string $received_at ) {
		$this->id          = (int) $id;
		$this->source      = (string) $source;
		$this->topic       = (string) $topic;
		$this->body        = (string) $body;
		$this->headers     = $headers;
		$this->attempt     = (int) $attempt;
		$this->received_at = (string) $received_at;
	}

	public static function from_row( object $row ): self {
		$headers = json_decode( (string) $row->headers, true );
		return new self( $row->id, $row->source, $row->topic, $row->body, is_array( $headers ) ? $headers : array(), $row->attempts, $row->received_at );
	}

	/** The body decoded as JSON (associative arrays), or null if it is not JSON. */
	public function json(): mixed {
		$data = json_decode( $this->body, true, 512, JSON_BIGINT_AS_STRING );
		return JSON_ERROR_NONE === json_last_error() ? $data : null;
	}

	/** Whether the signature covers $field ("body", "topic", "idempotency" or a header name). */
	public function is_signed( string $field ): bool {
		return in_array( strtr( strtolower( $field ), '_', '-' ), $this->signed, true ) || in_array( $field, $this->signed, true );
	}

	public function header( string $name ): ?string {
		$key = strtr( strtolower( $name ), '_', '-' );
		return isset( $this->headers[ $key ] ) ? $this->headers[ $key ] : null;
	}
}
