<?php
/**
 * An answer to a delivery: status, JSON body and extra headers. The REST
 * route turns it into a WP_REST_Response, the fast path sends it directly;
 * both send the same status, body and Retry-After.
 *
 * @package HookGuard
 */

namespace HookGuard\Core;

final class Response {

	public int $status;
	public array $data;
	/** @var array<string,string> */
	public array $headers;
	/** True when a new delivery was queued (the worker gets kicked). */
	public bool $queued = false;
	/** True when newer configuration could change this answer (see Receiver::receive()). */
	public bool $provisional = false;

	const MESSAGES = array(
		'method_not_allowed'    => 'Deliveries must be sent with POST.',
		'unknown_source'        => 'No webhook source has this name.',
		'body_too_large'        => 'The body is larger than this source accepts.',
		'missing_signature'     => 'The signature header is missing.',
		'malformed_signature'   => 'The signature header is malformed.',
		'missing_timestamp'     => 'The timestamp header is missing.',
		'malformed_timestamp'   => 'The timestamp header is malformed.',
		'missing_id'            => 'The message id header is missing.',
		'signature_mismatch'    => 'The signature does not match.',
		'timestamp_too_old'     => 'The timestamp is outside the allowed tolerance.',
		'timestamp_in_future'   => 'The timestamp is outside the allowed tolerance.',
		'invalid_json'          => 'The body is not valid JSON.',
		'rate_limited'          => 'Too many requests; retry later.',
		'source_misconfigured'  => 'This source has no usable secret configured.',
		'extension_unavailable' => 'The HookGuard PHP extension is not loaded.',
		'store_unavailable'     => 'The delivery could not be stored; retry later.',
		'fast_path_forbidden'   => 'This endpoint only answers through the configured web server location.',
	);

	public function __construct( int $status, array $data, array $headers = array() ) {
		$this->status  = (int) $status;
		$this->data    = $data;
		$this->headers = $headers;
	}

	public static function error( int $status, string $code, array $headers = array() ): self {
		return new self( $status, array( 'error' => $code, 'message' => self::MESSAGES[ $code ] ?? 'The delivery was not accepted.' ), $headers );
	}

	public static function rate_limited( int|float $retry_after ): self {
		return self::error( 429, 'rate_limited', array( 'Retry-After' => (string) max( 1, (int) ceil( $retry_after ) ) ) );
	}

	public function json(): string {
		return (string) json_encode( $this->data );
	}

	/** Sends the answer with PHP's own functions (the fast path). */
	public function send(): void {
		http_response_code( $this->status );
		header( 'Content-Type: application/json; charset=UTF-8' );
		header( 'Cache-Control: no-store' );
		header( 'X-Content-Type-Options: nosniff' );
		foreach ( $this->headers as $name => $value ) {
			header( $name . ': ' . $value );
		}
		echo $this->json(); // phpcs:ignore WordPress.Security.EscapeOutput -- JSON body of an API answer.
	}
}
