<?php
/**
 * Loads the shop that tests/woocommerce/run set up (HG_WP_DIR) in this
 * PHPUnit process, for reading its database; the shop itself acts in
 * requests of its own (HookGuard\Tests\Shop::request()).
 */

if ( ! getenv( 'HG_WP_DIR' ) ) {
	fwrite( STDERR, "Run these tests with tests/woocommerce/run (it starts the shop).\n" );
	exit( 1 );
}
$_SERVER['HTTP_HOST']   = parse_url( getenv( 'HG_WP_URL' ), PHP_URL_HOST );
$_SERVER['REQUEST_URI'] = '/';
define( 'DOING_CRON', true ); // No WP-Cron spawning from the test process.
// PHPUnit includes this file inside a method: declare what WordPress expects to be global.
global $wpdb, $wp_rewrite, $wp, $wp_query, $wp_the_query, $wp_filter, $wp_actions, $wp_current_filter, $wp_roles, $wp_locale, $table_prefix, $shortcode_tags, $wp_version, $wp_db_version;
require getenv( 'HG_WP_DIR' ) . '/wp-load.php';
require dirname( __DIR__ ) . '/support/woocommerce.php';
require dirname( __DIR__ ) . '/wordpress/TestCase.php'; // HTTP, queue and CLI worker helpers.
