<?php
/**
 * HookGuard's database-error drop-in (installed as wp-content/db-error.php
 * when the plugin is activated and no other drop-in is there; removed on
 * deactivation). WordPress includes it instead of dying with its own page
 * when it cannot reach the database, before any plugin loads.
 *
 * - A delivery to HookGuard's REST route is verified with the last
 *   configuration the site sealed and spooled (202), or answered 503 with
 *   Retry-After: never WordPress's 500 page, whatever the content type.
 * - A HookGuard worker stops with Store_Error (the CLI: one line on stderr,
 *   exit status 1), not an HTML page and status 0.
 * - Everything else gets WordPress's own answer.
 *
 * HookGuard drop-in
 *
 * @package HookGuard
 */

$hookguard_plugin = WP_CONTENT_DIR . '/plugins/hookguard'; // WP_PLUGIN_DIR is not defined yet.
if ( is_file( $hookguard_plugin . '/includes/autoload.php' ) ) {
	require_once $hookguard_plugin . '/includes/autoload.php';
	if ( HookGuard\Worker::$running || defined( 'HOOKGUARD_CLI' ) ) {
		throw new HookGuard\Store_Error( 'the database cannot be reached' );
	}
	if ( HookGuard\Fast_Path::is_receive_request( $_SERVER, $_GET ) ) {
		while ( ob_get_level() ) {
			ob_end_clean();
		}
		HookGuard\Fast_Path::answer_while_database_down( $_SERVER );
		exit;
	}
}
wp_die( isset( $GLOBALS['wpdb']->error ) ? $GLOBALS['wpdb']->error : 'Error establishing a database connection', '' );
