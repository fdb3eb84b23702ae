<?php
/**
 * A real WooCommerce shop delivering its own webhooks into HookGuard on the
 * same site, and what arrived compared with what WooCommerce sent.
 *
 * Set-up (once, before the tests): WooCommerce creates one webhook per topic
 * and per way in (the fast path's /wp-json/ URL, the REST route's
 * /index.php?rest_route= URL) through its REST controller, with secrets it
 * generates itself; hookguard-shop-sources.php registers a source for each.
 * Then the shop works, each step a request of its own followed by an Action
 * Scheduler run (which is when WooCommerce delivers): two products and a
 * customer; 20 orders in one request; all 20 to processing, then to
 * completed; a product updated, an order trashed and a product trashed.
 * Each test then checks one promise.
 *
 * @package HookGuard
 */

namespace HookGuard\Tests;

final class ShopDeliveryTest extends TestCase {

	const TOPICS = array( 'order.created', 'order.updated', 'order.deleted', 'product.created', 'product.updated', 'product.deleted', 'customer.created' );

	const ORDERS = 20;

	/** @var array<string,array{id:int,topic:string,url:string,pending_delivery:bool,status:string,secret:string}> Source name => its webhook. */
	private static $webhooks = array();

	/** @var float Seconds the request creating the orders took. */
	private static $orders_seconds;

	public static function setUpBeforeClass(): void {
		global $wpdb;
		$wpdb->query( 'CREATE TABLE IF NOT EXISTS ' . hookguard_test_shop_handled_table() . ' (id bigint unsigned NOT NULL AUTO_INCREMENT PRIMARY KEY, delivery_id bigint unsigned NOT NULL, source varchar(64) NOT NULL, topic varchar(191) NOT NULL, resource_id varchar(64) NOT NULL, attempt int NOT NULL, KEY delivery_id (delivery_id)) ENGINE=InnoDB' );
		$specs = array();
		foreach ( array( 'fast', 'rest' ) as $path ) {
			foreach ( self::TOPICS as $topic ) {
				$source           = 'wc-' . $path . '-' . str_replace( '.', '-', $topic );
				$specs[ $source ] = array(
					'name'         => "HookGuard $topic ($path)",
					'topic'        => $topic,
					'delivery_url' => self::url( $path, $source ),
				);
			}
		}
		foreach ( array_combine( array_keys( $specs ), Shop::create_webhooks( $specs ) ) as $source => $webhook ) {
			self::$webhooks[ $source ] = $webhook + array(
				'topic' => $specs[ $source ]['topic'],
				'url'   => $specs[ $source ]['delivery_url'],
			);
		}
		self::run_shop();
	}

	/** What the shop does, each step a request of its own, each followed by a queue run. */
	private static function run_shop() {
		$ids = Shop::request(
			'$products = array();
			foreach (array("Mug", "Poster") as $i => $name) {
				$product = new WC_Product_Simple();
				$product->set_name($name);
				$product->set_regular_price((string) (12 + $i));
				$products[] = $product->save();
			}
			$customer = wc_create_new_customer("jane.doe@example.com", "jane", wp_generate_password());
			if (is_wp_error($customer)) { throw new RuntimeException($customer->get_error_message()); }
			return array("products" => $products, "customer" => $customer);'
		);
		Shop::run_queue();

		$created              = Shop::request(
			'$started = microtime(true);
			$orders = array();
			$products = ' . var_export( $ids['products'], true ) . ';
			for ($i = 0; $i < ' . self::ORDERS . '; $i++) {
				$order = wc_create_order(array("customer_id" => ' . (int) $ids['customer'] . '));
				$order->add_product(wc_get_product($products[$i % 2]), 1 + $i % 3);
				$order->set_billing_email("jane.doe@example.com");
				$order->set_billing_first_name("Jane");
				$order->calculate_totals();
				$order->save();
				$orders[] = $order->get_id();
			}
			return array("orders" => $orders, "seconds" => microtime(true) - $started);'
		);
		self::$orders_seconds = $created['seconds'];
		Shop::run_queue();

		foreach ( array( 'processing', 'completed' ) as $status ) {
			Shop::request( 'foreach (' . var_export( $created['orders'], true ) . ' as $id) { wc_get_order($id)->update_status("' . $status . '"); } return true;' );
			Shop::run_queue();
		}

		Shop::request(
			'$product = wc_get_product(' . (int) $ids['products'][0] . ');
			$product->set_regular_price("15");
			$product->save();
			wc_get_order(' . (int) $created['orders'][0] . ')->delete(false); // To the Trash: WooCommerce sends order.deleted.
			wc_get_product(' . (int) $ids['products'][1] . ')->delete(false);
			return true;'
		);
		Shop::run_queue();
	}

	private static function webhook_of( $webhook_id ) {
		foreach ( self::$webhooks as $source => $webhook ) {
			if ( $webhook['id'] === $webhook_id ) {
				return array( $source, $webhook );
			}
		}
		return array( null, null );
	}

	public function test_woocommerce_generates_secrets_with_special_characters() {
		$this->assertCount( 2 * count( self::TOPICS ), self::$webhooks );
		foreach ( self::$webhooks as $source => $webhook ) {
			$this->assertSame( 'active', $webhook['status'], $source );
			$this->assertSame( 50, strlen( $webhook['secret'] ), "$source: WooCommerce's generated secret" );
		}
		$special = array_filter(
			self::$webhooks,
			static function ( $webhook ) {
				return 1 === preg_match( '/[^A-Za-z0-9]/', $webhook['secret'] );
			}
		);
		$this->assertNotEmpty( $special, 'no generated secret had a special character: the test would not cover them' );
	}

	public function test_woocommerce_ping_is_answered_200_on_both_paths() {
		// The first ping of each webhook, sent when it was created (WooCommerce
		// pings again on each save of a webhook whose ping failed).
		$answers = array();
		foreach ( Shop::pings() as $ping ) {
			list( $source ) = self::webhook_of( $ping['webhook_id'] );
			if ( ! isset( $answers[ $source ] ) ) {
				$answers[ $source ] = $ping['status'] . ' ' . $ping['answer'];
			}
		}
		$wrong = array();
		foreach ( self::$webhooks as $source => $webhook ) {
			$answer = isset( $answers[ $source ] ) ? $answers[ $source ] : 'no ping sent';
			if ( 0 !== strpos( $answer, '200 ' ) || $webhook['pending_delivery'] ) {
				$wrong[ $webhook['url'] ] = $answer . ( $webhook['pending_delivery'] ? ' (WooCommerce marks the webhook as not pinged)' : '' );
			}
		}
		$this->assertSame( array(), $wrong, "WooCommerce's pings not answered 200" );
	}

	public function test_every_webhook_stays_active_with_no_failure_counted() {
		foreach ( self::$webhooks as $source => $webhook ) {
			$now = Shop::webhook( $webhook['id'] );
			$this->assertSame( 'active', $now->get_status(), $source );
			$this->assertSame( 0, $now->get_failure_count(), "$source: failures WooCommerce counted" );
		}
	}

	public function test_woocommerce_delivered_every_event_and_got_202_queued() {
		$deliveries = Shop::deliveries();
		$this->assertSame( array(), Shop::actions( 'woocommerce_deliver_webhook_async', 'failed' ), 'failed delivery actions' );
		$this->assertSame( array(), Shop::actions( 'woocommerce_deliver_webhook_async', 'pending' ), 'delivery actions still pending' );
		$this->assertCount( count( Shop::actions( 'woocommerce_deliver_webhook_async', 'complete' ) ), $deliveries, 'deliveries WooCommerce reported against its completed delivery actions' );

		$per_topic = array();
		$refused   = array();
		foreach ( $deliveries as $delivery ) {
			list( $source ) = self::webhook_of( $delivery['webhook_id'] );
			$this->assertNotNull( $source, 'a delivery from a webhook this test did not create' );
			$per_topic[ $source ] = ( isset( $per_topic[ $source ] ) ? $per_topic[ $source ] : 0 ) + 1;
			$answer               = json_decode( $delivery['answer'], true );
			if ( '202' !== $delivery['status'] || ! is_array( $answer ) || 'queued' !== $answer['status'] ) {
				$refused[] = "$source {$delivery['topic']} #{$delivery['arg']}: {$delivery['status']} {$delivery['answer']}";
			}
		}
		$this->assertSame( array(), $refused, 'deliveries not answered 202 queued' );

		// What the shop did must have produced these (WooCommerce sends at
		// least one order.updated per order and status change).
		foreach ( array( 'fast', 'rest' ) as $path ) {
			$this->assertSame( self::ORDERS, $per_topic[ "wc-$path-order-created" ], "$path: order.created deliveries" );
			$this->assertGreaterThanOrEqual( 3 * self::ORDERS, $per_topic[ "wc-$path-order-updated" ], "$path: order.updated deliveries" );
			$this->assertSame( 1, $per_topic[ "wc-$path-order-deleted" ], "$path: order.deleted deliveries (the trashed order)" );
			$this->assertSame( 2, $per_topic[ "wc-$path-product-created" ], "$path: product.created deliveries" );
			$this->assertGreaterThanOrEqual( 1, $per_topic[ "wc-$path-product-updated" ], "$path: product.updated deliveries" );
			$this->assertSame( 1, $per_topic[ "wc-$path-product-deleted" ], "$path: product.deleted deliveries" );
			$this->assertSame( 1, $per_topic[ "wc-$path-customer-created" ], "$path: customer.created deliveries" );
		}
	}

	/** The burst shares Delivery-IDs (WooCommerce's is per webhook and second); otherwise the next test proves less. */
	public function test_burst_of_orders_shares_delivery_ids() {
		$ids   = array();
		$paths = array( 'fast' => 0, 'rest' => 0 );
		foreach ( Shop::deliveries() as $delivery ) {
			$key         = $delivery['webhook_id'] . ' ' . $delivery['delivery_id'];
			$ids[ $key ] = ( isset( $ids[ $key ] ) ? $ids[ $key ] : 0 ) + 1;
			list( , $webhook ) = self::webhook_of( $delivery['webhook_id'] );
			++$paths[ false !== strpos( $webhook['url'], 'rest_route=' ) ? 'rest' : 'fast' ];
		}
		fwrite( STDERR, sprintf( "tests/woocommerce: %d orders created in %.2f s; %d deliveries (%d fast path, %d REST route), up to %d sharing one Delivery-ID\n", self::ORDERS, self::$orders_seconds, array_sum( $paths ), $paths['fast'], $paths['rest'], $ids ? max( $ids ) : 0 ) );
		$this->assertGreaterThan( 1, $ids ? max( $ids ) : 0, 'no two deliveries of one webhook shared a Delivery-ID' );
	}

	public function test_every_event_is_queued_exactly_once_on_its_own_source() {
		global $wpdb;
		$sent = array();
		foreach ( Shop::deliveries() as $delivery ) {
			list( $source )   = self::webhook_of( $delivery['webhook_id'] );
			$sent[ $source ][] = (string) $delivery['arg'];
		}
		$queued = array();
		$rows   = $wpdb->get_results( 'SELECT id, source, topic, body FROM ' . self::store()->table() . ' ORDER BY id' );
		foreach ( $rows as $row ) {
			$json = json_decode( $row->body, true );
			$this->assertArrayHasKey( $row->source, self::$webhooks, "row {$row->id} on a source no webhook delivers to" );
			$this->assertSame( self::$webhooks[ $row->source ]['topic'], $row->topic, "row {$row->id}'s topic" );
			$queued[ $row->source ][] = is_array( $json ) && isset( $json['id'] ) ? (string) $json['id'] : '?';
		}
		foreach ( self::$webhooks as $source => $webhook ) {
			$want = isset( $sent[ $source ] ) ? $sent[ $source ] : array();
			$got  = isset( $queued[ $source ] ) ? $queued[ $source ] : array();
			sort( $want );
			sort( $got );
			$this->assertSame( $want, $got, "$source: resource ids WooCommerce delivered against those queued" );
		}
	}

	/**
	 * The fast path kicks a worker after each queued delivery (the default),
	 * so rows may already be done; the CLI worker drains what is left once
	 * no kicked worker holds a claim.
	 */
	public function test_the_cli_worker_processes_every_row_once() {
		global $wpdb;
		for ( $deadline = microtime( true ) + 30; self::store()->counts()['processing'] > 0 && microtime( true ) < $deadline; ) {
			usleep( 200000 );
		}
		$result = self::drain();
		$this->assertIsArray( $result, 'cli.php drain output' );
		$statuses = $wpdb->get_results( 'SELECT status, COUNT(*) AS n FROM ' . self::store()->table() . ' GROUP BY status', OBJECT_K );
		$this->assertSame( array( 'completed' ), array_keys( $statuses ), 'statuses after the drain' );
		$rows = (int) $statuses['completed']->n;
		$this->assertSame( count( Shop::deliveries() ), $rows, 'rows against deliveries' );

		$topics  = $wpdb->get_results( 'SELECT id, topic FROM ' . self::store()->table(), OBJECT_K );
		$handled = array();
		foreach ( $wpdb->get_results( 'SELECT delivery_id, topic FROM ' . hookguard_test_shop_handled_table() ) as $call ) {
			$this->assertArrayHasKey( $call->delivery_id, $topics, 'a handler call for a row not in the queue' );
			$this->assertSame( $topics[ $call->delivery_id ]->topic, $call->topic, "row {$call->delivery_id}: the topic its handler got" );
			$handled[ $call->delivery_id ] = ( isset( $handled[ $call->delivery_id ] ) ? $handled[ $call->delivery_id ] : 0 ) + 1;
		}
		$this->assertCount( $rows, $handled, 'rows whose handler ran' );
		$this->assertSame( array( 1 ), array_values( array_unique( $handled ) ), 'handler calls per row' );
	}
}
