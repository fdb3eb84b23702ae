<?php
/**
 * The sources this CRM receives from, kept in one Perfex option
 * ("hookguard_sources", JSON) with their secrets sealed (Secrets). Names,
 * schemes and options are checked by the core's Source::from_args(), the
 * same rules as the WordPress plugin's.
 *
 * @package HookGuard
 */

namespace HookGuard\Perfex;

use HookGuard\Core\Source;

final class Source_Registry {

	const OPTION = 'hookguard_sources';

	/** @return array<string,array> As stored (secrets sealed). */
	public static function stored(): array {
		$data = json_decode( (string) get_option( self::OPTION ), true );
		return is_array( $data ) ? $data : array();
	}

	/** A source with its secrets opened (unreadable ones dropped), or null. */
	public static function get( string $name ): ?Source {
		$data = self::stored()[ $name ] ?? null;
		return is_array( $data ) ? Source::from_array( $data, array( Secrets::class, 'open' ) ) : null;
	}

	/** @return array<string,Source> */
	public static function all(): array {
		$out = array();
		foreach ( array_keys( self::stored() ) as $name ) {
			$out[ $name ] = self::get( (string) $name );
		}
		return $out;
	}

	/**
	 * Adds or replaces a source. $args as hookguard_register_source()'s;
	 * an empty "secrets" keeps the stored ones (secrets are write-only).
	 *
	 * @throws \ValueError|\TypeError When the arguments are not accepted.
	 */
	public static function save( string $name, array $args ): Source {
		$stored = self::stored();
		if ( empty( $args['secrets'] ) && isset( $stored[ $name ] ) ) {
			$args['secrets'] = array_values( array_filter( array_map( array( Secrets::class, 'open' ), (array) $stored[ $name ]['secrets'] ), 'is_string' ) );
		}
		$source          = Source::from_args( $name, $args, 'HookGuard\Perfex\Source_Registry::save' );
		$stored[ $name ] = $source->to_array( array( Secrets::class, 'seal' ) );
		update_option( self::OPTION, json_encode( $stored ) );
		return $source;
	}

	public static function delete( string $name ): void {
		$stored = self::stored();
		unset( $stored[ $name ] );
		update_option( self::OPTION, json_encode( $stored ) );
	}
}
