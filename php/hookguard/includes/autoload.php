<?php
/**
 * Autoloader for the HookGuard\ classes: HookGuard\Queue_Store lives in
 * includes/class-queue-store.php. Loaded by the plugin, the fast path and
 * the CLI entry, none of which needs WordPress for this. It also loads the
 * framework-agnostic core (HookGuard\Core\): packaged inside the plugin
 * folder (core/, see scripts/package-plugin) or beside it in the repository
 * (php/core).
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

// The framework-agnostic core (HookGuard\Core\): packaged inside the plugin
// folder, or beside it in the repository.
foreach ( array( dirname( __DIR__ ) . '/core/autoload.php', dirname( __DIR__, 2 ) . '/core/autoload.php' ) as $hookguard_core ) {
	if ( is_file( $hookguard_core ) ) {
		require_once $hookguard_core;
		break;
	}
}
unset( $hookguard_core );
