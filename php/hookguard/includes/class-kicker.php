<?php
/**
 * Starts a worker right after a delivery is queued, so processing begins
 * within seconds instead of at the next WP-Cron run: a loopback POST to the
 * drain route (as WordPress spawns WP-Cron), sent after the sender already
 * has its answer. The drain route answers at once and works afterwards, so
 * the kick waits only for that answer. At most one kick per two seconds per
 * site; the drain route runs one worker at a time, and a worker drains
 * until nothing is due.
 *
 * The target is fixed by configuration (the "kick_url" setting, else the
 * site's home URL as stored in the database), never taken from a request,
 * so a forged Host header cannot send the credential elsewhere. The
 * credential is time-bound (valid for one window and the next) and there is
 * none without key material: then nothing is kicked and the drain route
 * refuses every request.
 *
 * @package HookGuard
 */

namespace HookGuard;

final class Kicker {

	const HEADER = 'X-HookGuard-Drain';
	/** Seconds a drain token is issued for; it is accepted for one more window. */
	const WINDOW = 60;

	/** The key drain tokens are made with, or null when the site has no key material. */
	public static function key(): ?string {
		return null === Crypto::key() ? null : Crypto::mac( 'hookguard drain route v2' );
	}

	/** A drain token for the window holding $now: "window.mac". */
	public static function token( #[\SensitiveParameter] string $key, ?int $now = null ): string {
		$window = intdiv( $now ?? time(), self::WINDOW );
		return $window . '.' . hash_hmac( 'sha256', 'hookguard drain ' . $window, $key );
	}

	/** Whether $given is a drain token of this window or the one before. */
	public static function accepts( #[\SensitiveParameter] string $given, ?int $now = null ): bool {
		$key = self::key();
		if ( null === $key || ! preg_match( '/^(\d{1,12})\.[0-9a-f]{64}$/D', $given, $m ) ) {
			return false;
		}
		$current = intdiv( $now ?? time(), self::WINDOW );
		$window  = (int) $m[1];
		return ( $window === $current || $window === $current - 1 ) && hash_equals( self::token( $key, $window * self::WINDOW ), $given );
	}

	/**
	 * Where kicks go: the "kick_url" setting, else the drain route under the
	 * home URL stored in the database (not home_url(), which filters and a
	 * WP_HOME built from the request's Host may change).
	 */
	public static function target(): string {
		$configured = (string) Settings::get( 'kick_url' );
		if ( '' !== $configured ) {
			return $configured;
		}
		global $wpdb;
		$home = (string) $wpdb->get_var( $wpdb->prepare( "SELECT option_value FROM {$wpdb->options} WHERE option_name = %s", 'home' ) );
		return '' === $home ? '' : rtrim( $home, '/' ) . '/?rest_route=/hookguard/v1/drain';
	}

	/**
	 * Kicks the worker at $url with a fresh token made with $key. False when
	 * throttled, when there is no key, or when the drain route did not
	 * answer 2xx.
	 */
	public static function kick( string $url, #[\SensitiveParameter] ?string $key, Core\Limiter $limiter ): bool {
		if ( null === $key || '' === $url ) {
			return false;
		}
		if ( ! $limiter->allow( 'kick', 1, 2, true ) ) {
			return false;
		}
		$parts = parse_url( $url );
		if ( ! $parts || empty( $parts['host'] ) ) {
			return false;
		}
		$tls    = isset( $parts['scheme'] ) && 'https' === $parts['scheme'];
		$port   = $parts['port'] ?? ( $tls ? 443 : 80 );
		$target = ( $tls ? 'ssl://' : 'tcp://' ) . $parts['host'] . ':' . $port;
		// A failed kick is only logged (below), never printed as a PHP warning.
		set_error_handler( static fn (): bool => true );
		try {
			$socket = stream_socket_client( $target, $errno, $errstr, 1 );
		} finally {
			restore_error_handler();
		}
		if ( ! $socket ) {
			Log::info( "could not kick the worker at $target: $errstr" );
			return false;
		}
		$path = ( $parts['path'] ?? '/' ) . ( isset( $parts['query'] ) ? '?' . $parts['query'] : '' );
		$host = $parts['host'] . ( isset( $parts['port'] ) ? ':' . $parts['port'] : '' );
		stream_set_timeout( $socket, 3 );
		fwrite( $socket, "POST $path HTTP/1.1\r\nHost: $host\r\n" . self::HEADER . ': ' . self::token( $key ) . "\r\nContent-Length: 0\r\nConnection: close\r\n\r\n" );
		$status = (string) fgets( $socket, 64 );
		fclose( $socket );
		return (bool) preg_match( '#^HTTP/1\.[01] 2\d\d#', $status );
	}
}
