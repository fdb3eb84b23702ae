<?php
/**
 * Every configured source: those registered in code with
 * hookguard_register_source() (on "init") and those saved on the settings
 * page (option "hookguard_sources", secrets sealed). A code source wins over
 * an admin source of the same name.
 *
 * compile() writes the plain, sealed form of all of them to the option
 * "hookguard_compiled", which is what the fast path reads when it loads
 * only WordPress's SHORTINIT core (no plugin code, so no code
 * registrations). It runs after "init" on every full WordPress load (the
 * fast path's own refreshes included) and rewrites the option only when
 * something changed, and right after the settings page saves.
 *
 * @package HookGuard
 */

namespace HookGuard;

final class Source_Registry {

	const ADMIN_OPTION    = 'hookguard_sources';
	const COMPILED_OPTION = 'hookguard_compiled';

	/** @var array<string,Source> */
	private static array $code = array();

	public static function register( Source $source ): void {
		$source->origin               = 'code';
		self::$code[ $source->name ] = $source;
	}

	public static function unregister( string $name ): void {
		unset( self::$code[ $name ] );
	}

	/** @return array<string,Source> Admin sources, secrets opened (unreadable ones dropped). */
	public static function admin_sources(): array {
		$out = array();
		foreach ( (array) get_option( self::ADMIN_OPTION, array() ) as $name => $data ) {
			if ( is_array( $data ) ) {
				$source         = Source::from_array( $data, array( Crypto::class, 'open' ) );
				$source->origin = 'admin';
				$out[ $name ]   = $source;
			}
		}
		return $out;
	}

	/** @return array<string,array> Admin sources as stored (secrets sealed). */
	public static function admin_stored(): array {
		return (array) get_option( self::ADMIN_OPTION, array() );
	}

	public static function save_admin_source( Source $source ): void {
		$stored                  = self::admin_stored();
		$source->origin          = 'admin';
		$stored[ $source->name ] = $source->to_array( array( Crypto::class, 'seal' ) );
		update_option( self::ADMIN_OPTION, $stored, false );
		self::compile();
	}

	public static function delete_admin_source( string $name ): void {
		$stored = self::admin_stored();
		unset( $stored[ $name ] );
		update_option( self::ADMIN_OPTION, $stored, false );
		self::compile();
	}

	/** @return array<string,Source> */
	public static function all(): array {
		return array_merge( self::admin_sources(), self::$code );
	}

	public static function get( string $name ): ?Source {
		if ( isset( self::$code[ $name ] ) ) {
			return self::$code[ $name ];
		}
		$all = self::admin_sources();
		return isset( $all[ $name ] ) ? $all[ $name ] : null;
	}

	public static function is_code_source( string $name ): bool {
		return isset( self::$code[ $name ] );
	}

	/** The fast path's view of the sources, plain (secrets readable), as arrays. */
	public static function snapshot(): array {
		$sources = array();
		foreach ( self::all() as $name => $source ) {
			$sources[ $name ] = $source->to_array();
		}
		ksort( $sources );
		return array( 'sources' => $sources );
	}

	/** Forgets the compiled form (the plugin is deactivated: the fast path then knows no source). */
	public static function forget_compiled(): void {
		delete_option( self::COMPILED_OPTION );
		Fast_Path::forget_cache();
	}

	/** Rewrites the compiled option if the configuration changed. */
	public static function compile(): void {
		if ( null === Crypto::key() ) {
			return;
		}
		$snapshot    = self::snapshot();
		$fingerprint = Crypto::mac( serialize( $snapshot ) );
		$current     = get_option( self::COMPILED_OPTION );
		if ( is_array( $current ) && isset( $current['fingerprint'] ) && hash_equals( $current['fingerprint'], $fingerprint ) ) {
			return;
		}
		foreach ( $snapshot['sources'] as $name => $data ) {
			$snapshot['sources'][ $name ]['secrets'] = array_map( array( Crypto::class, 'seal' ), $data['secrets'] );
		}
		$snapshot['fingerprint'] = $fingerprint;
		update_option( self::COMPILED_OPTION, $snapshot, true );
		Fast_Path::forget_cache();
	}

	/**
	 * Reads the compiled option (in the fast path's SHORTINIT WordPress) and
	 * opens its secrets. Null when there is none.
	 */
	public static function load_compiled(): ?array {
		$compiled = get_option( self::COMPILED_OPTION );
		if ( ! is_array( $compiled ) || ! isset( $compiled['sources'] ) ) {
			return null;
		}
		foreach ( $compiled['sources'] as $name => $data ) {
			$compiled['sources'][ $name ]['secrets'] = array_values( array_filter( array_map( array( Crypto::class, 'open' ), (array) $data['secrets'] ), 'is_string' ) );
		}
		unset( $compiled['fingerprint'] );
		return $compiled;
	}
}
