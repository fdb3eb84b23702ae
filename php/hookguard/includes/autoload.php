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
