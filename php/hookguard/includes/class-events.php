<?php
/**
 * The built-in events: WordPress and WooCommerce hooks that raise an
 * outbox event (one row per destination, nothing sent in the request).
 * Payloads are a contract, documented in the README ("Events and payloads"):
 *
 *   woocommerce.order.completed  the WC Order Sync body (no envelope), once
 *                                per transition into "completed"
 *   woocommerce.order.created    relay envelope, data: the order summary
 *   wordpress.comment.created    relay envelope, data: the comment
 *   wordpress.user.registered    relay envelope, data: the user
 *
 * Orders are read through WooCommerce's order getters only (HPOS or not).
 *
 * @package HookGuard
 */

namespace HookGuard;

final class Events {

	const ORDER_COMPLETED = 'woocommerce.order.completed';
	const ORDER_CREATED   = 'woocommerce.order.created';
	const COMMENT_CREATED = 'wordpress.comment.created';
	const USER_REGISTERED = 'wordpress.user.registered';

	/** @var array<string,true> Transitions into "completed" raised in this request. */
	private static array $completed = array();

	/** @var int[] Orders created in this request, raised at shutdown (their items are saved by then). */
	private static array $created = array();

	public static function hook(): void {
		add_action( 'woocommerce_order_status_completed', array( self::class, 'order_completed' ), 10, 2 );
		add_action( 'woocommerce_new_order', array( self::class, 'order_created' ), 10, 1 );
		add_action( 'comment_post', array( self::class, 'comment_created' ), 10, 2 );
		add_action( 'user_register', array( self::class, 'user_registered' ), 10, 1 );
		add_action( 'before_woocommerce_init', array( self::class, 'declare_hpos_compatibility' ) );
	}

	/** HookGuard reads orders only through WooCommerce's getters: compatible with HPOS. */
	public static function declare_hpos_compatibility(): void {
		if ( class_exists( '\Automattic\WooCommerce\Utilities\FeaturesUtil' ) ) {
			\Automattic\WooCommerce\Utilities\FeaturesUtil::declare_compatibility( 'custom_order_tables', Plugin::$file, true );
		}
	}

	/**
	 * woocommerce_order_status_completed: WooCommerce fires it on each
	 * transition into "completed" (saving a completed order again is none),
	 * so each call is a new event. The same transition seen twice in one
	 * request (the order id and the date_completed WooCommerce stamps on it)
	 * is raised once.
	 */
	public static function order_completed( int|string $order_id, mixed $order = null ): void {
		$order = $order instanceof \WC_Order ? $order : wc_get_order( $order_id );
		if ( ! $order instanceof \WC_Order || ! Destination_Registry::for_event( self::ORDER_COMPLETED ) ) {
			return;
		}
		$completed  = $order->get_date_completed();
		$transition = $order->get_id() . ':' . ( $completed ? $completed->getTimestamp() : '' );
		if ( isset( self::$completed[ $transition ] ) ) {
			return;
		}
		self::$completed[ $transition ] = true;
		Outbox::emit( self::ORDER_COMPLETED, self::order_sync_body( $order ), array( 'envelope' => false ) );
	}

	/**
	 * The WC Order Sync body: shop_url, order_ref ("wc-" and the order
	 * number), amount (string), currency, customer_email, shipping (the
	 * billing address when the order has no shipping address), cart.
	 */
	public static function order_sync_body( \WC_Order $order ): array {
		$shipping = $order->has_shipping_address();
		$address  = static function ( string $field ) use ( $order, $shipping ): string {
			$getter = ( $shipping ? 'get_shipping_' : 'get_billing_' ) . $field;
			return (string) $order->$getter();
		};
		return array(
			'shop_url'       => home_url( '/' ),
			'order_ref'      => 'wc-' . $order->get_order_number(),
			'amount'         => wc_format_decimal( $order->get_total(), wc_get_price_decimals() ),
			'currency'       => $order->get_currency(),
			'customer_email' => $order->get_billing_email(),
			'shipping'       => array(
				'firstName'  => $address( 'first_name' ),
				'lastName'   => $address( 'last_name' ),
				'address1'   => $address( 'address_1' ),
				'city'       => $address( 'city' ),
				'postalCode' => $address( 'postcode' ),
				'country'    => $address( 'country' ),
			),
			'cart'           => self::items( $order, true ),
		);
	}

	/** The order's line items: product_id, (sku,) name, quantity, total. */
	private static function items( \WC_Order $order, bool $with_sku ): array {
		$items = array();
		foreach ( $order->get_items() as $item ) {
			$line    = $item instanceof \WC_Order_Item_Product ? $item : null;
			$product = $with_sku && $line ? $line->get_product() : null;
			$items[] = array( 'product_id' => $line ? $line->get_product_id() : 0 )
				+ ( $with_sku ? array( 'sku' => $product ? (string) $product->get_sku() : '' ) : array() )
				+ array(
					'name'     => $item->get_name(),
					'quantity' => (int) $item->get_quantity(),
					'total'    => wc_format_decimal( $item->get_total(), wc_get_price_decimals() ),
				);
		}
		return $items;
	}

	/** woocommerce_new_order: raised at the end of the request, once the order's items are saved. */
	public static function order_created( int|string $order_id ): void {
		if ( ! self::$created ) {
			add_action( 'shutdown', array( self::class, 'raise_created_orders' ), 5 );
		}
		self::$created[ (int) $order_id ] = (int) $order_id;
	}

	public static function raise_created_orders(): void {
		$ids           = self::$created;
		self::$created = array();
		foreach ( $ids as $id ) {
			$order = wc_get_order( $id );
			if ( ! $order instanceof \WC_Order ) {
				continue;
			}
			$created = $order->get_date_created();
			Outbox::emit(
				self::ORDER_CREATED,
				array(
					'id'             => $order->get_id(),
					'number'         => (string) $order->get_order_number(),
					'status'         => $order->get_status(),
					'currency'       => $order->get_currency(),
					'total'          => wc_format_decimal( $order->get_total(), wc_get_price_decimals() ),
					'customer_email' => $order->get_billing_email(),
					'created_gmt'    => $created ? gmdate( 'Y-m-d\TH:i:s\Z', $created->getTimestamp() ) : null,
					'items'          => self::items( $order, false ),
				),
				array( 'dedupe' => (string) $order->get_id() )
			);
		}
	}

	/** comment_post: a new comment (spam and trash excluded). */
	public static function comment_created( int|string $comment_id, int|string $approved ): void {
		if ( 'spam' === $approved || 'trash' === $approved ) {
			return;
		}
		$comment = get_comment( $comment_id );
		if ( ! $comment ) {
			return;
		}
		Outbox::emit(
			self::COMMENT_CREATED,
			array(
				'id'           => (int) $comment->comment_ID,
				'post_id'      => (int) $comment->comment_post_ID,
				'parent_id'    => (int) $comment->comment_parent,
				'author_name'  => $comment->comment_author,
				'author_email' => $comment->comment_author_email,
				'author_url'   => $comment->comment_author_url,
				'content'      => $comment->comment_content,
				'type'         => '' === $comment->comment_type ? 'comment' : $comment->comment_type,
				'status'       => 1 === (int) $approved ? 'approved' : 'pending',
				'date_gmt'     => gmdate( 'Y-m-d\TH:i:s\Z', strtotime( $comment->comment_date_gmt . ' UTC' ) ),
			),
			array( 'dedupe' => (string) $comment->comment_ID )
		);
	}

	/** user_register: a new user account. */
	public static function user_registered( int|string $user_id ): void {
		$user = get_userdata( $user_id );
		if ( ! $user ) {
			return;
		}
		Outbox::emit(
			self::USER_REGISTERED,
			array(
				'id'             => (int) $user->ID,
				'login'          => $user->user_login,
				'email'          => $user->user_email,
				'display_name'   => $user->display_name,
				'roles'          => array_values( (array) $user->roles ),
				'registered_gmt' => gmdate( 'Y-m-d\TH:i:s\Z', strtotime( $user->user_registered . ' UTC' ) ),
			),
			array( 'dedupe' => (string) $user->ID )
		);
	}
}
