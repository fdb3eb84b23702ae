<?php
/**
 * The core's spool (HookGuard\Core\Spool) where a WordPress site keeps it.
 *
 * @package HookGuard
 */

namespace HookGuard;

final class Spool extends Core\Spool {

	/**
	 * The spool directory: HOOKGUARD_SPOOL_DIR (a wp-config.php constant, or
	 * the same-named fastcgi_param for the fast path), else a folder beside
	 * the WordPress directory (outside the web root of a standard install),
	 * named per site.
	 */
	public static function default_dir( array $server = array() ): string {
		if ( defined( 'HOOKGUARD_SPOOL_DIR' ) && is_string( HOOKGUARD_SPOOL_DIR ) && '' !== HOOKGUARD_SPOOL_DIR ) {
			return HOOKGUARD_SPOOL_DIR;
		}
		if ( isset( $server['HOOKGUARD_SPOOL_DIR'] ) && is_string( $server['HOOKGUARD_SPOOL_DIR'] ) && '' !== $server['HOOKGUARD_SPOOL_DIR'] ) {
			return $server['HOOKGUARD_SPOOL_DIR'];
		}
		$root = defined( 'ABSPATH' ) ? rtrim( ABSPATH, '/' ) : dirname( __DIR__, 4 );
		return dirname( $root ) . '/hookguard-spool-' . substr( md5( $root ), 0, 8 );
	}
}
