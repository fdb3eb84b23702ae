<?php
/**
 * Loads the shop that tests/woocommerce/run set up (HG_WP_DIR) in this
 * PHPUnit process, for reading its database, the way tests/wordpress does
 * (its bootstrap also brings TestCase.php: HTTP, queue and CLI worker
 * helpers), plus the shop helpers. The shop itself acts in requests of its
 * own (HookGuard\Tests\Shop::request()).
 */

if ( ! getenv( 'HG_WP_DIR' ) ) {
	fwrite( STDERR, "Run these tests with tests/woocommerce/run (it starts the shop).\n" );
	exit( 1 );
}
require dirname( __DIR__ ) . '/wordpress/bootstrap.php';
require dirname( __DIR__ ) . '/support/woocommerce.php';
