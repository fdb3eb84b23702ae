<?php
/**
 * Autoloader for the HookGuard\ classes: HookGuard\Queue_Store lives in
 * includes/class-queue-store.php. Loaded by the plugin, the fast path and
 * the CLI entry, none of which needs WordPress for this.
 *
 * @package HookGuard
 */

spl_autoload_register(
	static function ( $class ) {
		if ( strncmp( $class, 'HookGuard\\', 10 ) !== 0 ) {
			return;
		}
		$file = __DIR__ . '/class-' . strtolower( str_replace( '_', '-', substr( $class, 10 ) ) ) . '.php';
		if ( is_file( $file ) ) {
			require $file;
		}
	}
);

// Without the native extension, the pure-PHP implementation of the same
// functions (php/compat): packaged inside the plugin folder, or beside it in
// the repository. It defines nothing when the extension is loaded.
if ( ! function_exists( 'hookguard_check' ) ) {
	foreach ( array( dirname( __DIR__ ) . '/compat/hookguard.php', dirname( __DIR__, 2 ) . '/compat/hookguard.php' ) as $hookguard_compat ) {
		if ( is_file( $hookguard_compat ) ) {
			require_once $hookguard_compat;
			break;
		}
	}
}
