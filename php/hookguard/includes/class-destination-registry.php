<?php
/**
 * Every destination: those registered in code with
 * hookguard_register_destination() (on "init"), those saved on the
 * Destinations page (option "hookguard_destinations", secrets sealed with
 * Crypto), and those other parts resolve by name through the filter
 * "hookguard_resolve_destination" (the WooCommerce takeover's
 * "wc-webhook-<id>"). A code destination wins over an admin one of the
 * same name.
 *
 * @package HookGuard
 */

namespace HookGuard;

use HookGuard\Core\Destination;

final class Destination_Registry {

	const ADMIN_OPTION = 'hookguard_destinations';

	/** @var array<string,Destination> */
	private static array $code = array();

	public static function register( Destination $destination ): void {
		$destination->origin                = 'code';
		self::$code[ $destination->name ] = $destination;
	}

	public static function unregister( string $name ): void {
		unset( self::$code[ $name ] );
	}

	/** @var array{0:array,1:array<string,Destination>}|null The stored option and what it opened to (the sender asks per row). */
	private static ?array $opened = null;

	/** @return array<string,Destination> Admin destinations, secrets opened ('' when unreadable). */
	public static function admin_destinations(): array {
		$stored = (array) get_option( self::ADMIN_OPTION, array() );
		if ( null !== self::$opened && self::$opened[0] === $stored ) {
			return self::$opened[1];
		}
		$out = array();
		foreach ( $stored as $name => $data ) {
			if ( is_array( $data ) ) {
				$destination         = Destination::from_array( $data, array( Crypto::class, 'open' ) );
				$destination->origin = 'admin';
				$out[ $name ]        = $destination;
			}
		}
		self::$opened = array( $stored, $out );
		return $out;
	}

	public static function save_admin( Destination $destination ): void {
		$stored                       = (array) get_option( self::ADMIN_OPTION, array() );
		$destination->origin          = 'admin';
		$stored[ $destination->name ] = $destination->to_array( array( Crypto::class, 'seal' ) );
		update_option( self::ADMIN_OPTION, $stored, false );
	}

	public static function delete_admin( string $name ): void {
		$stored = (array) get_option( self::ADMIN_OPTION, array() );
		unset( $stored[ $name ] );
		update_option( self::ADMIN_OPTION, $stored, false );
	}

	/** @return array<string,Destination> Code and admin destinations. */
	public static function all(): array {
		return array_merge( self::admin_destinations(), self::$code );
	}

	/** The destination named $name, or null. */
	public static function get( string $name ): ?Destination {
		if ( isset( self::$code[ $name ] ) ) {
			return self::$code[ $name ];
		}
		$admin = self::admin_destinations();
		if ( isset( $admin[ $name ] ) ) {
			return $admin[ $name ];
		}
		$resolved = apply_filters( 'hookguard_resolve_destination', null, (string) $name );
		return $resolved instanceof Destination ? $resolved : null;
	}

	/** @return Destination[] The enabled destinations that get $event. */
	public static function for_event( string $event ): array {
		return array_values(
			array_filter(
				self::all(),
				static function ( Destination $d ) use ( $event ): bool {
					return $d->enabled && $d->wants( $event );
				}
			)
		);
	}
}
