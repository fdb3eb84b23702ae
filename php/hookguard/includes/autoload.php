<?php
/**
 * Autoloader for the HookGuard\ classes: HookGuard\Queue_Store lives in
 * includes/class-queue-store.php. Loaded by the plugin, the fast path and
 * the CLI entry, none of which needs WordPress for this. It also loads the
 * framework-agnostic core (HookGuard\Core\): packaged inside the plugin
 * folder (core/, see scripts/package-plugin) or beside it in the repository
 * (php/core).
 *
 * A core class the plugin does not extend is known by both names:
 * HookGuard\Delivery is HookGuard\Core\Delivery. The alias is made when the
 * core class loads, so a handler's HookGuard\Delivery parameter, a catch of
 * HookGuard\Store_Error and the plugin's own declarations always name the
 * class the core's code made. The plugin's Queue_Store, Worker, Spool and
 * Limiter extend the core's with WordPress's database, settings and hooks.
 *
 * @package HookGuard
 */

// The framework-agnostic core: packaged inside the plugin folder, or beside
// it in the repository.
$hookguard_core = is_dir( dirname( __DIR__ ) . '/core' ) ? dirname( __DIR__ ) . '/core' : dirname( __DIR__, 2 ) . '/core';

spl_autoload_register(
	static function ( string $class ) use ( $hookguard_core ): void {
		if ( strncmp( $class, 'HookGuard\\', 10 ) !== 0 ) {
			return;
		}
		// One file check a class where it can be: this runs on every fast-path request.
		$core = strncmp( $class, 'HookGuard\\Core\\', 15 ) === 0;
		$name = substr( $class, $core ? 15 : 10 );
		$slug = '/class-' . strtolower( str_replace( '_', '-', $name ) ) . '.php';
		if ( ! $core && is_file( __DIR__ . $slug ) ) {
			require __DIR__ . $slug; // The plugin's own class (maybe extending the core's).
			return;
		}
		if ( ! is_file( $hookguard_core . $slug ) ) {
			return;
		}
		require_once $hookguard_core . $slug;
		$alias = 'HookGuard\\' . $name;
		// A core class the plugin does not extend is known by both names.
		if ( ( ! $core || ! is_file( __DIR__ . $slug ) ) && ! class_exists( $alias, false ) && ! interface_exists( $alias, false ) ) {
			class_alias( 'HookGuard\\Core\\' . $name, $alias, false );
		}
		if ( 'Log' === $name ) {
			hookguard_connect_log();
		}
	}
);
unset( $hookguard_core );

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

/**
 * The core's log lines reach WordPress: info lines with WP_DEBUG, every line
 * through the "hookguard_log" action. Connected when the log class loads
 * (most fast-path requests never log).
 */
if ( ! function_exists( 'hookguard_connect_log' ) ) {
	function hookguard_connect_log(): void {
		HookGuard\Core\Log::$verbose  = static function (): bool {
			return defined( 'WP_DEBUG' ) && WP_DEBUG;
		};
		HookGuard\Core\Log::$listener = static function ( string $level, string $line ): void {
			if ( function_exists( 'do_action' ) ) {
				do_action( 'hookguard_log', $level, $line );
			}
		};
	}
}
