<?php
/**
 * Autoloader for HookGuard's framework-agnostic core: HookGuard\Core\Outbox_Store
 * lives in class-outbox-store.php beside this file. Plain PHP, no WordPress:
 * the WordPress plugin and other adapters load it the same way.
 *
 * @package HookGuard
 */

spl_autoload_register(
	static function ( string $class ): void {
		if ( strncmp( $class, 'HookGuard\\Core\\', 15 ) !== 0 ) {
			return;
		}
		$file = __DIR__ . '/class-' . strtolower( str_replace( '_', '-', substr( $class, 15 ) ) ) . '.php';
		if ( is_file( $file ) ) {
			require $file;
		}
	}
);
