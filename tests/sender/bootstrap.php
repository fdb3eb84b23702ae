<?php
/**
 * Loads the WordPress that tests/sender/run installed (HG_WP_DIR) in this
 * PHPUnit process: the sender runs here, in-process, against the fault
 * receiver (HG_FAULT_URL).
 */

if ( ! getenv( 'HG_WP_DIR' ) ) {
	fwrite( STDERR, "Run these tests with tests/sender/run (it starts WordPress, MariaDB and the fault receiver).\n" );
	exit( 1 );
}
$_SERVER['HTTP_HOST']   = parse_url( getenv( 'HG_WP_URL' ), PHP_URL_HOST );
$_SERVER['REQUEST_URI'] = '/';
define( 'DOING_CRON', true );
global $wpdb, $wp_rewrite, $wp, $wp_query, $wp_the_query, $wp_filter, $wp_actions, $wp_current_filter, $wp_roles, $wp_locale, $table_prefix, $shortcode_tags, $wp_version, $wp_db_version;
require getenv( 'HG_WP_DIR' ) . '/wp-load.php';
require dirname( __DIR__ ) . '/wordpress/TestCase.php';
require __DIR__ . '/SenderTestCase.php';
if ( getenv( 'HG_SHOP' ) ) {
	require dirname( __DIR__ ) . '/support/woocommerce.php';
}
