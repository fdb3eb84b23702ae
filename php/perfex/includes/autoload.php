<?php
/**
 * Autoloader for the Perfex module's classes (HookGuard\Perfex\Module lives
 * in includes/class-module.php) and the framework-agnostic core
 * (HookGuard\Core\): packaged inside the module folder (core/, see
 * scripts/package-perfex) or beside it in the repository (php/core). Without
 * the native extension, the pure-PHP implementation (php/compat).
 *
 * @package HookGuard
 */

foreach ( array( dirname( __DIR__ ) . '/core/autoload.php', dirname( __DIR__, 2 ) . '/core/autoload.php' ) as $hookguard_core ) {
	if ( is_file( $hookguard_core ) ) {
		require_once $hookguard_core;
		break;
	}
}
unset( $hookguard_core );

spl_autoload_register(
	static function ( string $class ): void {
		if ( strncmp( $class, 'HookGuard\\Perfex\\', 17 ) !== 0 ) {
			return;
		}
		$file = __DIR__ . '/class-' . strtolower( str_replace( '_', '-', substr( $class, 17 ) ) ) . '.php';
		if ( is_file( $file ) ) {
			require $file;
		}
	}
);

if ( ! function_exists( 'hookguard_check' ) ) {
	foreach ( array( dirname( __DIR__ ) . '/compat/hookguard.php', dirname( __DIR__, 2 ) . '/compat/hookguard.php' ) as $hookguard_compat ) {
		if ( is_file( $hookguard_compat ) ) {
			require_once $hookguard_compat;
			break;
		}
	}
}
