<?php
/**
 * Plugin Name: HookGuard sources for the test shop's own webhooks
 * Description: Registers one HookGuard source per WooCommerce webhook that delivers to this site, with that webhook's secret and topic, as a shop owner would in code. Never install on a real site.
 *
 * A webhook delivering to /wp-json/hookguard/v1/receive/{source} or
 * /index.php?rest_route=/hookguard/v1/receive/{source} on this site gets
 * the source {source}: scheme "woocommerce", the secret WooCommerce
 * generated for it, topics = the webhook's one topic. The handler records
 * each call in {$wpdb->prefix}hookguard_test_shop_handled.
 *
 * @package HookGuard
 */

function hookguard_test_shop_handled_table() {
	return $GLOBALS['wpdb']->prefix . 'hookguard_test_shop_handled';
}

function hookguard_test_shop_record( HookGuard\Delivery $delivery ) {
	global $wpdb;
	$json = $delivery->json();
	$wpdb->insert(
		hookguard_test_shop_handled_table(),
		array(
			'delivery_id' => $delivery->id,
			'source'      => $delivery->source,
			'topic'       => $delivery->topic,
			'resource_id' => is_array( $json ) && isset( $json['id'] ) ? (string) $json['id'] : '',
			'attempt'     => $delivery->attempt,
		)
	);
}

/** The source a delivery URL names, when it is this site's HookGuard receiver; else null. */
function hookguard_test_shop_source_of( $url ) {
	$home = untrailingslashit( home_url() );
	if ( 0 !== strpos( $url, $home . '/' ) ) {
		return null;
	}
	$rest = substr( $url, strlen( $home ) );
	if ( preg_match( '#^/wp-json/hookguard/v1/receive/([A-Za-z0-9_-]+)$#', $rest, $m )
		|| preg_match( '#^/index\.php\?rest_route=/hookguard/v1/receive/([A-Za-z0-9_-]+)$#', $rest, $m ) ) {
		return $m[1];
	}
	return null;
}

add_action(
	'init',
	static function () {
		if ( ! function_exists( 'hookguard_register_source' ) || ! class_exists( 'WC_Data_Store' ) ) {
			return;
		}
		foreach ( WC_Data_Store::load( 'webhook' )->search_webhooks( array( 'limit' => -1 ) ) as $id ) {
			$webhook = wc_get_webhook( $id );
			$source  = $webhook ? hookguard_test_shop_source_of( $webhook->get_delivery_url() ) : null;
			if ( null !== $source ) {
				hookguard_register_source(
					$source,
					array(
						'scheme'  => 'woocommerce',
						'secrets' => $webhook->get_secret(),
						'topics'  => array( $webhook->get_topic() ),
						'handler' => 'hookguard_test_shop_record',
					)
				);
			}
		}
	},
	20
);
