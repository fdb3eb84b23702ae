<?php
/**
 * One incoming request, the same whether it came through the REST route or
 * the fast path: headers are normalised to lower-case, dash-separated names
 * with one string value each.
 *
 * @package HookGuard
 */

namespace HookGuard\Core;

final class Request {

	public string $method;
	public string $source;
	/** @var string Raw body bytes, exactly as received. */
	public string $body;
	/** @var array<string,string> */
	public array $headers;
	public string $remote_addr;

	public function __construct( string $method, string $source, string $body, array $headers, string $remote_addr ) {
		$this->method      = strtoupper( (string) $method );
		$this->source      = (string) $source;
		$this->body        = (string) $body;
		$this->headers     = $headers;
		$this->remote_addr = (string) $remote_addr;
	}

	/** Builds a request from PHP's globals ($_SERVER and the raw input). */
	public static function from_globals( string $source, array $server, string $body ): self {
		$headers = array();
		foreach ( $server as $name => $value ) {
			if ( ! is_string( $value ) ) {
				continue;
			}
			if ( strncmp( $name, 'HTTP_', 5 ) === 0 ) {
				$headers[ strtr( strtolower( substr( $name, 5 ) ), '_', '-' ) ] = $value;
			} elseif ( 'CONTENT_TYPE' === $name || 'CONTENT_LENGTH' === $name ) {
				$headers[ strtr( strtolower( $name ), '_', '-' ) ] = $value;
			}
		}
		return new self( isset( $server['REQUEST_METHOD'] ) ? $server['REQUEST_METHOD'] : 'GET', $source, $body, $headers, isset( $server['REMOTE_ADDR'] ) ? $server['REMOTE_ADDR'] : '' );
	}

	/**
	 * Builds a request from WP_REST_Request::get_headers()' shape
	 * (lower case, "_" for "-", each value a list).
	 */
	public static function from_rest( string $method, string $source, string $body, array $rest_headers, string $remote_addr ): self {
		$headers = array();
		foreach ( $rest_headers as $name => $values ) {
			$value = is_array( $values ) ? reset( $values ) : $values;
			if ( is_string( $value ) ) {
				$headers[ strtr( strtolower( $name ), '_', '-' ) ] = $value;
			}
		}
		return new self( $method, $source, $body, $headers, $remote_addr );
	}

	/** A header's value, or null when absent. Names are case-insensitive. */
	public function header( string $name ): ?string {
		$key = strtr( strtolower( $name ), '_', '-' );
		return isset( $this->headers[ $key ] ) ? $this->headers[ $key ] : null;
	}

	/** The declared body length, or null. */
	public function content_length(): ?int {
		$value = $this->header( 'content-length' );
		return null !== $value && ctype_digit( $value ) ? (int) $value : null;
	}
}
