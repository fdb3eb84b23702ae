<?php
/**
 * The client's IP address, for per-IP limits: REMOTE_ADDR, unless that is a
 * trusted proxy, in which case X-Forwarded-For is read from the right and
 * the first address that is not a trusted proxy is the client. With no
 * trusted proxies configured, X-Forwarded-For is ignored (anyone can send it).
 *
 * @package HookGuard
 */

namespace HookGuard\Core;

final class Client_Ip {

	/** @var array<int,array{0:string,1:int}> Packed network address and prefix length. */
	private array $networks = array();

	/** @param string[] $trusted IPs and CIDR ranges (IPv4 or IPv6). */
	public function __construct( array $trusted ) {
		foreach ( $trusted as $entry ) {
			$parsed = self::parse_range( $entry );
			if ( $parsed ) {
				$this->networks[] = $parsed;
			}
		}
	}

	/** [packed, prefix] for "10.0.0.0/8", "2001:db8::/32" or a single IP; null if invalid. */
	public static function parse_range( string $entry ): ?array {
		$parts  = explode( '/', trim( (string) $entry ), 2 );
		$packed = @inet_pton( $parts[0] ); // phpcs:ignore Generic.PHP.NoSilencedErrors.Discouraged -- invalid input is reported by returning null.
		if ( false === $packed ) {
			return null;
		}
		$max = strlen( $packed ) * 8;
		if ( isset( $parts[1] ) ) {
			if ( ! ctype_digit( $parts[1] ) || (int) $parts[1] > $max ) {
				return null;
			}
			return array( $packed, (int) $parts[1] );
		}
		return array( $packed, $max );
	}

	public function is_trusted( string $ip ): bool {
		$packed = @inet_pton( (string) $ip ); // phpcs:ignore Generic.PHP.NoSilencedErrors.Discouraged
		if ( false === $packed ) {
			return false;
		}
		foreach ( $this->networks as list( $net, $bits ) ) {
			if ( strlen( $net ) === strlen( $packed ) && self::prefix_matches( $net, $packed, $bits ) ) {
				return true;
			}
		}
		return false;
	}

	private static function prefix_matches( string $a, string $b, int $bits ): bool {
		$bytes = intdiv( $bits, 8 );
		if ( strncmp( $a, $b, $bytes ) !== 0 ) {
			return false;
		}
		$rest = $bits % 8;
		if ( 0 === $rest ) {
			return true;
		}
		$mask = ( 0xff << ( 8 - $rest ) ) & 0xff;
		return ( ord( $a[ $bytes ] ) & $mask ) === ( ord( $b[ $bytes ] ) & $mask );
	}

	/**
	 * The address a per-IP budget is counted for: the client IP, except that
	 * an IPv6 client counts as its /64 (one subscriber's network: anyone with
	 * one address has 2^64 of them).
	 */
	public function bucket( Request $request ): string {
		$ip     = $this->resolve( $request );
		$packed = @inet_pton( $ip ); // phpcs:ignore Generic.PHP.NoSilencedErrors.Discouraged -- not an IP: counted as given.
		if ( false === $packed || 16 !== strlen( $packed ) ) {
			return $ip;
		}
		if ( 0 === strncmp( $packed, str_repeat( "\0", 10 ) . "\xff\xff", 12 ) ) {
			return inet_ntop( substr( $packed, 12 ) ); // An IPv4-mapped address is that IPv4 address.
		}
		return inet_ntop( substr( $packed, 0, 8 ) . str_repeat( "\0", 8 ) ) . '/64';
	}

	public function resolve( Request $request ): string {
		$ip = $request->remote_addr;
		if ( ! $this->networks || ! $this->is_trusted( $ip ) ) {
			return $ip;
		}
		$forwarded = $request->header( 'x-forwarded-for' );
		if ( null === $forwarded ) {
			return $ip;
		}
		foreach ( array_reverse( array_map( 'trim', explode( ',', $forwarded ) ) ) as $hop ) {
			if ( false === filter_var( $hop, FILTER_VALIDATE_IP ) ) {
				return $ip; // A garbled chain: trust only what we saw.
			}
			if ( ! $this->is_trusted( $hop ) ) {
				return $hop;
			}
			$ip = $hop;
		}
		return $ip;
	}
}
