<?php
/**
 * Plugin Name: Demo shop integration
 * Description: What a site does with WooCommerce deliveries (installed by scripts/demo-wordpress only).
 */

add_action(
	'hookguard_process_woo',
	static function ( HookGuard\Delivery $delivery ) {
		$order = $delivery->json();
		if ( isset( $order['status'] ) && 'on-hold' === $order['status'] ) {
			throw new RuntimeException( 'stock service unavailable for order #' . $order['id'] . ' (customer ' . $order['billing']['email'] . ')' );
		}
		$line = sprintf( "  handler: %s #%d%s (attempt %d)\n", $delivery->topic, $order['id'], isset( $order['status'] ) ? ' ' . $order['status'] : '', $delivery->attempt );
		file_put_contents( WP_CONTENT_DIR . '/demo-handled.log', $line, FILE_APPEND );
	}
);
