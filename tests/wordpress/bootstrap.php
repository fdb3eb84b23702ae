<?php
/**
 * Loads the WordPress that tests/wordpress/run installed (HG_WP_DIR), with
 * HookGuard and the test fixtures active, in this PHPUnit process.
 */

if ( ! getenv( 'HG_WP_DIR' ) ) {
	fwrite( STDERR, "Run these tests with tests/wordpress/run (it starts WordPress and MariaDB).\n" );
	exit( 1 );
}
$_SERVER['HTTP_HOST']   = parse_url( getenv( 'HG_WP_URL' ), PHP_URL_HOST );
$_SERVER['REQUEST_URI'] = '/';
define( 'DOING_CRON', true ); // No WP-Cron spawning from the test process.
// PHPUnit includes this file inside a method: declare what WordPress expects to be global.
global $wpdb, $wp_rewrite, $wp, $wp_query, $wp_the_query, $wp_filter, $wp_actions, $wp_current_filter, $wp_roles, $wp_locale, $table_prefix, $shortcode_tags, $wp_version, $wp_db_version;
require getenv( 'HG_WP_DIR' ) . '/wp-load.php';
require __DIR__ . '/TestCase.php';
