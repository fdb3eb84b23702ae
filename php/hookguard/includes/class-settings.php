<?php
/**
 * Site-wide settings (option "hookguard_settings"), read through get().
 *
 * @package HookGuard
 */

namespace HookGuard;

final class Settings {

	const OPTION = 'hookguard_settings';

	const DEFAULTS = array(
		'trusted_proxies' => array(),  // IPs/CIDRs whose X-Forwarded-For is believed.
		'kick'            => true,     // Start a worker right after a delivery is queued.
		'lease'           => 30,       // Seconds a claim lives unless its worker renews it (it does, between deliveries).
		'batch'           => 50,       // Deliveries claimed at once.
		'time_limit'      => 20,       // Seconds a cron- or kick-started worker runs at most.
		'retention_days'  => 30,       // Completed deliveries kept (the duplicate window).
		'kick_url'        => '',       // Where kicks go; empty = the drain route under the stored home URL.
	);

	public static function all(): array {
		$stored = function_exists( 'get_option' ) ? get_option( self::OPTION, array() ) : array();
		return array_merge( self::DEFAULTS, is_array( $stored ) ? array_intersect_key( $stored, self::DEFAULTS ) : array() );
	}

	public static function get( string $key ): mixed {
		$all = self::all();
		return $all[ $key ];
	}

	/** Cleans a submitted settings array (also the Settings API's sanitize_callback). */
	public static function sanitize( mixed $input ): array {
		$input = is_array( $input ) ? $input : array();
		$out   = self::all();
		if ( isset( $input['trusted_proxies'] ) ) {
			$list = is_array( $input['trusted_proxies'] ) ? $input['trusted_proxies'] : preg_split( '/[\s,]+/', (string) $input['trusted_proxies'] );
			$out['trusted_proxies'] = array_values( array_filter( array_map( 'trim', $list ), array( Client_Ip::class, 'parse_range' ) ) );
		}
		if ( isset( $input['kick_url'] ) ) {
			$url             = trim( (string) $input['kick_url'] );
			$out['kick_url'] = '' === $url || preg_match( '#^https?://[^\s/?#]+#', $url ) ? $url : $out['kick_url'];
		}
		if ( array_key_exists( 'kick', $input ) ) {
			$out['kick'] = (bool) $input['kick'];
		}
		foreach ( array( 'lease' => 5, 'batch' => 1, 'time_limit' => 1, 'retention_days' => 1 ) as $key => $min ) {
			if ( isset( $input[ $key ] ) && is_numeric( $input[ $key ] ) ) {
				$out[ $key ] = max( $min, (int) $input[ $key ] );
			}
		}
		return $out;
	}
}
