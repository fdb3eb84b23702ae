<?php
/**
 * Sends one POST with curl and reports an Attempt. Redirects are never
 * followed (a 3xx is the answer); the whole exchange has one timeout; at
 * most MAX_BODY bytes of the answer are kept. One client reuses its
 * connections (keep-alive) across sends to the same host.
 *
 * @package HookGuard
 */

namespace HookGuard\Core;

final class Http_Client {

	const MAX_BODY = 65536;

	private ?\CurlHandle $handle = null;
	private string $user_agent;

	public function __construct( string $user_agent = 'HookGuard' ) {
		$this->user_agent = $user_agent;
	}

	/**
	 * @param array<string,string> $headers Name => value.
	 * @param float                $timeout Seconds for the whole exchange.
	 * @param string               $http_version "1.1" or "1.0".
	 */
	public function post( string $url, string $body, array $headers, float $timeout, string $http_version = '1.1' ): Attempt {
		if ( ! $this->handle ) {
			$this->handle = curl_init();
		}
		$ch      = $this->handle;
		$attempt = new Attempt();
		$lines   = array( 'Expect:' ); // No "100-continue" round trip.
		if ( ! isset( array_change_key_case( $headers )['user-agent'] ) ) {
			$lines[] = 'User-Agent: ' . $this->user_agent;
		}
		foreach ( $headers as $name => $value ) {
			$lines[] = $name . ': ' . $value;
		}
		curl_reset( $ch );
		curl_setopt_array(
			$ch,
			array(
				CURLOPT_URL               => $url,
				CURLOPT_POST              => true,
				CURLOPT_POSTFIELDS        => $body,
				CURLOPT_HTTPHEADER        => $lines,
				CURLOPT_FOLLOWLOCATION    => false,
				CURLOPT_PROTOCOLS         => CURLPROTO_HTTP | CURLPROTO_HTTPS,
				CURLOPT_TIMEOUT_MS        => max( 1, (int) round( $timeout * 1000 ) ),
				CURLOPT_CONNECTTIMEOUT_MS => max( 1, (int) round( min( $timeout, 10 ) * 1000 ) ),
				CURLOPT_NOSIGNAL          => true,
				CURLOPT_HTTP_VERSION      => '1.0' === $http_version ? CURL_HTTP_VERSION_1_0 : CURL_HTTP_VERSION_1_1,
				CURLOPT_HEADERFUNCTION    => static function ( \CurlHandle $ch, string $line ) use ( $attempt ): int {
					$parts = explode( ':', $line, 2 );
					if ( 2 === count( $parts ) ) {
						$attempt->headers[ strtolower( trim( $parts[0] ) ) ] = trim( $parts[1] );
					} elseif ( 0 === strncmp( $line, 'HTTP/', 5 ) ) {
						$attempt->headers = array(); // A new response (after a 1xx).
					}
					return strlen( $line );
				},
				CURLOPT_WRITEFUNCTION     => static function ( \CurlHandle $ch, string $chunk ) use ( $attempt ): int {
					if ( strlen( $attempt->body ) < self::MAX_BODY ) {
						$attempt->body .= substr( $chunk, 0, self::MAX_BODY - strlen( $attempt->body ) );
					}
					return strlen( $chunk );
				},
			)
		);
		$started = microtime( true );
		$ok      = curl_exec( $ch );
		$attempt->duration = microtime( true ) - $started;
		if ( false === $ok ) {
			$errno                  = curl_errno( $ch );
			$attempt->error         = CURLE_OPERATION_TIMEDOUT === $errno ? Attempt::TIMED_OUT : Attempt::UNREACHABLE;
			$attempt->error_message = curl_error( $ch );
			$attempt->status        = 0;
			$attempt->headers       = array();
			return $attempt;
		}
		$attempt->status = (int) curl_getinfo( $ch, CURLINFO_RESPONSE_CODE );
		return $attempt;
	}

	public function close(): void {
		if ( $this->handle ) {
			curl_close( $this->handle );
			$this->handle = null;
		}
	}
}
