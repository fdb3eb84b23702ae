<?php
/**
 * On a real WooCommerce 10.0.2 shop (WordPress 6.9.7, HPOS on): the order
 * events and the takeover of WooCommerce's own webhooks. Skipped, saying
 * so, when tests/sender/run found no fixtures.
 */

namespace HookGuard\Tests;

use HookGuard\Outbox;

final class ShopTest extends SenderTestCase {

	protected function setUp(): void {
		if ( ! getenv( 'HG_SHOP' ) ) {
			$this->markTestSkipped( 'no WooCommerce shop: ../shared/fixtures (WordPress 6.9.7, WooCommerce 10.0.2) are absent' );
		}
		parent::setUp();
		update_option( \HookGuard\Sender_Settings::OPTION, array( 'woocommerce_takeover' => false ) );
	}

	/** An order with one product and a shipping address, created in a request of the shop. */
	private static function new_order() {
		return Shop::request(
			'$product = new WC_Product_Simple();
			$product->set_name("Blue mug"); $product->set_sku("MUG-" . wp_generate_password(6, false)); $product->set_regular_price("12.50"); $product->save();
			$order = wc_create_order();
			$order->add_product($product, 2);
			$order->set_billing_email("jane.doe@example.com");
			$order->set_address(array("first_name" => "Jane", "last_name" => "Doe", "address_1" => "Dam 1", "city" => "Amsterdam", "postcode" => "1012 JS", "country" => "NL"), "shipping");
			$order->set_currency("EUR");
			$order->calculate_totals();
			$order->save();
			return array("id" => $order->get_id(), "number" => $order->get_order_number(), "sku" => $product->get_sku(), "product" => $product->get_id());'
		);
	}

	private static function set_status( $order_id, $status ) {
		$started = microtime( true );
		Shop::request( '$o = wc_get_order(' . (int) $order_id . '); $o->update_status("' . $status . '"); return null;' );
		return microtime( true ) - $started;
	}

	private static function rows( $event ) {
		global $wpdb;
		return $wpdb->get_results( $wpdb->prepare( 'SELECT * FROM ' . Outbox::store()->table() . ' WHERE event = %s ORDER BY id', $event ), ARRAY_A );
	}

	public function test_hpos_is_on_and_hookguard_is_declared_compatible() {
		$this->assertTrue( Shop::request( 'return \Automattic\WooCommerce\Utilities\OrderUtil::custom_orders_table_usage_is_enabled();' ) );
		$this->assertTrue( Shop::request( '$features = wc_get_container()->get(\Automattic\WooCommerce\Internal\Features\FeaturesController::class); return in_array("hookguard/hookguard.php", $features->get_compatible_plugins_for_feature("custom_order_tables", true)["compatible"], true);' ) );
	}

	public function test_a_completed_order_pushes_the_wc_order_sync_body_once_per_transition() {
		self::destinations( array( 'order-sync' => array( 'url' => getenv( 'HG_FAULT_URL' ) . '/api/woo/order-completed', 'scheme' => 'woo-order-sync', 'secret' => self::SYNC_SECRET, 'events' => array( 'woocommerce.order.completed' ), 'backoff' => 0.3 ) ) );
		self::script( '/api/woo/order-completed', 'woo-order-sync', self::SYNC_SECRET, array( array( 'status' => 503 ) ) );
		$order = self::new_order();
		self::set_status( $order['id'], 'processing' );
		$this->assertCount( 0, self::rows( 'woocommerce.order.completed' ) );
		self::set_status( $order['id'], 'completed' );
		Shop::request( '$o = wc_get_order(' . (int) $order['id'] . '); $o->set_customer_note("saved again"); $o->save(); $o->update_status("completed"); return null;' );
		$rows = self::rows( 'woocommerce.order.completed' );
		$this->assertCount( 1, $rows, 'saving a completed order again is not a transition' );

		$body = json_decode( $rows[0]['payload'], true );
		$this->assertSame( array( 'shop_url', 'order_ref', 'amount', 'currency', 'customer_email', 'shipping', 'cart' ), array_keys( $body ) );
		$this->assertSame( 'wc-' . $order['number'], $body['order_ref'] );
		$this->assertSame( '25.00', $body['amount'] );
		$this->assertSame( 'EUR', $body['currency'] );
		$this->assertSame( 'jane.doe@example.com', $body['customer_email'] );
		$this->assertSame( array( 'firstName' => 'Jane', 'lastName' => 'Doe', 'address1' => 'Dam 1', 'city' => 'Amsterdam', 'postalCode' => '1012 JS', 'country' => 'NL' ), $body['shipping'] );
		$this->assertSame( array( array( 'product_id' => $order['product'], 'sku' => $order['sku'], 'name' => 'Blue mug', 'quantity' => 2, 'total' => '25.00' ) ), $body['cart'] );

		$rows = self::send_until_settled( $rows[0]['event_id'] );
		$this->assertSame( 'delivered', $rows[0]['status'] );
		$got = self::received( '/api/woo/order-completed' );
		$this->assertCount( 2, $got, 'retried through the 503, then delivered' );
		$this->assertTrue( $got[1]['verified'] );
		$this->assertSame( 'sha256=' . hash_hmac( 'sha256', $got[1]['body'], self::SYNC_SECRET ), self::header( $got[1], 'X-Woo-Signature' ) );

		// Reopened and completed again: a new transition, a new event.
		self::set_status( $order['id'], 'processing' );
		self::set_status( $order['id'], 'completed' );
		$this->assertCount( 2, self::rows( 'woocommerce.order.completed' ) );
	}

	public function test_completing_an_order_with_a_receiver_taking_10_s_is_as_fast_as_with_none() {
		$order   = self::new_order();
		$other   = self::new_order();
		$without = self::set_status( $other['id'], 'completed' );
		self::destinations( array( 'slow-sync' => array( 'url' => getenv( 'HG_FAULT_URL' ) . '/slow-sync', 'scheme' => 'woo-order-sync', 'secret' => self::SYNC_SECRET, 'events' => array( 'woocommerce.*' ), 'timeout' => 15 ) ) );
		self::script( '/slow-sync', 'woo-order-sync', self::SYNC_SECRET, array( array( 'sleep' => 10 ) ) );
		$with = self::set_status( $order['id'], 'completed' );
		$this->assertLessThan( $without + 1.0, $with, sprintf( 'with a 10 s receiver %.3f s, without %.3f s', $with, $without ) );
		$this->assertCount( 0, self::received(), 'zero outbound requests in the request' );
		$this->assertCount( 1, self::rows( 'woocommerce.order.completed' ) );
	}

	public function test_a_new_order_raises_woocommerce_order_created_with_its_items() {
		self::destinations( array( 'orders' => self::relay_destination( '/orders', array( 'events' => array( 'woocommerce.order.created' ) ) ) ) );
		$order = self::new_order();
		$rows  = self::rows( 'woocommerce.order.created' );
		$this->assertCount( 1, $rows );
		$payload = json_decode( $rows[0]['payload'], true );
		$this->assertSame( $order['id'], $payload['data']['id'] );
		$this->assertSame( '25.00', $payload['data']['total'] );
		$this->assertSame( 'Blue mug', $payload['data']['items'][0]['name'] );
	}

	public function test_takeover_delivers_every_webhook_through_a_receiver_down_for_the_first_attempts_and_the_webhook_stays_active() {
		update_option( \HookGuard\Sender_Settings::OPTION, array( 'woocommerce_takeover' => true, 'takeover_attempts' => 10, 'takeover_backoff' => 0 ) );
		// The ping WooCommerce sends on creation must get a 200: the first step of the script.
		self::script( '/wc-hook', 'woocommerce', '', array( array( 'status' => 200 ) ) );
		$webhook = Shop::create_webhook( 'Orders to a flaky receiver', 'order.created', getenv( 'HG_FAULT_URL' ) . '/wc-hook' );
		$this->assertSame( 'active', $webhook['status'] );
		$down = array_fill( 0, 7, array( 'status' => 503 ) );
		self::fault( 'POST', '/_reset' );
		self::script( '/wc-hook', 'woocommerce', $webhook['secret'], array_merge( $down, array( array( 'close' => true ) ) ) );

		$orders = array( self::new_order(), self::new_order(), self::new_order() );
		Shop::run_queue();
		// Changed before its delivery: the payload is the one built when the event happened (woocommerce#15699).
		Shop::request( '$o = wc_get_order(' . (int) $orders[0]['id'] . '); $o->set_billing_email("changed.later@example.com"); $o->save(); return null;' );
		$this->assertCount( 0, self::received( '/wc-hook' ), 'WooCommerce itself sent nothing' );
		$rows = self::rows( 'woocommerce.webhook.order.created' );
		$this->assertCount( 3, $rows );
		$deadline = microtime( true ) + 20;
		do {
			Outbox::drain( array( 'idle_wait' => 0 ) );
			$counts = Outbox::store()->counts();
		} while ( $counts['pending'] > 0 && microtime( true ) < $deadline && usleep( 50000 ) === null );
		$this->assertSame( 3, $counts['delivered'] );

		$got       = self::received( '/wc-hook' );
		$delivered = array_values( array_filter( $got, static function ( $e ) { return 200 === ( $e['step']['status'] ?? 200 ) && empty( $e['step']['close'] ); } ) );
		$this->assertCount( 3, $delivered, 'each order delivered once the receiver is up' );
		$this->assertCount( 11, $got, '8 failed attempts, then 3 deliveries' );
		$ids = array();
		foreach ( $delivered as $entry ) {
			$this->assertTrue( $entry['verified'], 'signed as WooCommerce signs' );
			$this->assertSame( 'order.created', self::header( $entry, 'X-WC-Webhook-Topic' ) );
			$this->assertSame( 'order', self::header( $entry, 'X-WC-Webhook-Resource' ) );
			$this->assertSame( 'created', self::header( $entry, 'X-WC-Webhook-Event' ) );
			$this->assertSame( (string) $webhook['id'], self::header( $entry, 'X-WC-Webhook-ID' ) );
			$this->assertSame( home_url( '/' ), self::header( $entry, 'X-WC-Webhook-Source' ) );
			$this->assertMatchesRegularExpression( '/^[0-9a-f]{32}$/', self::header( $entry, 'X-WC-Webhook-Delivery-ID' ) );
			$this->assertMatchesRegularExpression( '#^WooCommerce/10\.0\.2 Hookshot \(WordPress/6\.9\.7\)$#', self::header( $entry, 'User-Agent' ) );
			$this->assertSame( 'HTTP/1.0', $entry['version'] );
			$payload = json_decode( $entry['body'], true );
			$ids[]   = $payload['id'];
			$this->assertSame( 'jane.doe@example.com', $payload['billing']['email'], 'as it was when the order was created' );
		}
		sort( $ids );
		$this->assertSame( array_column( $orders, 'id' ), $ids );

		$state = Shop::request( '$w = wc_get_webhook(' . (int) $webhook['id'] . '); return array($w->get_status(), $w->get_failure_count());' );
		$this->assertSame( array( 'active', 0 ), $state, 'still active, no failures counted' );
	}
}
