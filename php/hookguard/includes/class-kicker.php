<?php
/**
 * Starts a worker right after a delivery is queued, so processing begins
 * within seconds instead of at the next WP-Cron run: a loopback POST to the
 * drain route (as WordPress spawns WP-Cron), sent after the sender already
 * has its answer. The drain route answers at once and works afterwards, so
 * the kick waits only for that answer. At most one kick per two seconds per
 * host; the drain route runs one worker at a time, and a worker drains
 * until nothing is due.
 *
 * @package HookGuard
 */

namespace HookGuard;

final class Kicker {

	const HEADER = 'X-HookGuard-Drain';

	/** The drain route's credential, derived from the encryption key. */
	public static function token() {
		return Crypto::mac( 'hookguard drain route' );
	}

	public static function kick( $url, $token ) {
		if ( Limiter::available() ) {
			if ( Limiter::hit( 'hookguard:kick', array( 'limit' => 1, 'period' => 2 ) ) ) {
				return false;
			}
		} elseif ( function_exists( 'apcu_add' ) && ! apcu_add( 'hookguard:kick:' . md5( $url ), 1, 2 ) ) {
			return false;
		}
		$parts = parse_url( $url );
		if ( ! $parts || empty( $parts['host'] ) ) {
			return false;
		}
		$tls    = isset( $parts['scheme'] ) && 'https' === $parts['scheme'];
		$port   = isset( $parts['port'] ) ? $parts['port'] : ( $tls ? 443 : 80 );
		$target = ( $tls ? 'ssl://' : 'tcp://' ) . $parts['host'] . ':' . $port;
		$socket = @stream_socket_client( $target, $errno, $errstr, 1 ); // phpcs:ignore WordPress.PHP.NoSilencedErrors -- a failed kick is only logged.
		if ( ! $socket ) {
			Log::info( "could not kick the worker at $target: $errstr" );
			return false;
		}
		$path = ( isset( $parts['path'] ) ? $parts['path'] : '/' ) . ( isset( $parts['query'] ) ? '?' . $parts['query'] : '' );
		$host = $parts['host'] . ( isset( $parts['port'] ) ? ':' . $parts['port'] : '' );
		stream_set_timeout( $socket, 3 );
		fwrite( $socket, "POST $path HTTP/1.1\r\nHost: $host\r\n" . self::HEADER . ": $token\r\nContent-Length: 0\r\nConnection: close\r\n\r\n" );
		$status = (string) fgets( $socket, 64 );
		fclose( $socket );
		return (bool) preg_match( '#^HTTP/1\.[01] 2\d\d#', $status );
	}
}
