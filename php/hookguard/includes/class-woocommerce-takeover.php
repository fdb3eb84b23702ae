<?php
/**
 * Durable WooCommerce webhooks: with the "woocommerce_takeover" setting on,
 * HookGuard delivers WooCommerce's own webhooks through the outbox instead
 * of WooCommerce's one-shot delivery.
 *
 * woocommerce_webhook_should_deliver (last in line) keeps WooCommerce from
 * queueing the delivery and notes the webhook and its argument. At the end
 * of that same request (shutdown, as WooCommerce itself waits for the
 * resource to be saved) the payload is built with WooCommerce's own
 * WC_Webhook::build_payload() and its "woocommerce_webhook_http_args"
 * filter, and stored as one outbox row for the destination
 * "wc-webhook-<id>". At send time the request gets exactly WooCommerce's
 * headers: X-WC-Webhook-Source/Topic/Resource/Event/ID as built, a fresh
 * X-WC-Webhook-Delivery-ID (wp_hash(id . time())) and X-WC-Webhook-Signature
 * (base64 HMAC of the body under the webhook's current secret, with the
 * "woocommerce_webhook_hash_algorithm" filter), its User-Agent and HTTP/1.0.
 * WooCommerce never sees a failure, so it never counts one nor disables the
 * webhook; HookGuard retries with the takeover's policy.
 *
 * @package HookGuard
 */

namespace HookGuard;

use HookGuard\Core\Destination;

final class Woocommerce_Takeover {

	const PREFIX = 'wc-webhook-';
	const EVENT  = 'woocommerce.webhook';

	/** @var array<string,array{0:\WC_Webhook,1:mixed}> Deliveries noted in this request. */
	private static array $pending = array();

	public static function hook(): void {
		add_filter( 'woocommerce_webhook_should_deliver', array( self::class, 'intercept' ), PHP_INT_MAX, 3 );
		add_filter( 'hookguard_resolve_destination', array( self::class, 'destination' ), 10, 2 );
	}

	public static function enabled(): bool {
		return (bool) Sender_Settings::get( 'woocommerce_takeover' );
	}

	/** woocommerce_webhook_should_deliver: takes the delivery over (false: WooCommerce queues nothing). */
	public static function intercept( mixed $should_deliver, mixed $webhook, mixed $arg ): mixed {
		if ( ! $should_deliver || ! $webhook instanceof \WC_Webhook || ! self::enabled() ) {
			return $should_deliver;
		}
		if ( ! self::$pending ) {
			add_action( 'shutdown', array( self::class, 'store_pending' ), 5 );
		}
		// Several hooks of one topic fire for the same resource: one delivery each, as WooCommerce does.
		$key = is_object( $arg ) ? 'object:' . spl_object_id( $arg ) : md5( serialize( $arg ) );
		self::$pending[ $webhook->get_id() . ':' . $key ] = array( $webhook, $arg );
		return false;
	}

	/** shutdown: builds each noted delivery as WooCommerce's deliver() would, into the outbox. */
	public static function store_pending(): void {
		$pending       = self::$pending;
		self::$pending = array();
		foreach ( $pending as list( $webhook, $arg ) ) {
			try {
				$request = self::request( $webhook, $arg );
			} catch ( \Throwable $e ) {
				Log::error( 'WooCommerce webhook ' . $webhook->get_id() . ': could not build the payload: ' . $e->getMessage() );
				continue;
			}
			$event_id = 'wc_' . bin2hex( random_bytes( 12 ) );
			Outbox::add_request( self::PREFIX . $webhook->get_id(), self::EVENT . '.' . $webhook->get_topic(), $event_id, $event_id, $request['body'], $request['headers'] );
		}
	}

	/**
	 * WC_Webhook::deliver()'s request without the per-attempt headers.
	 *
	 * @return array{body:string,headers:array<string,string>}
	 */
	public static function request( \WC_Webhook $webhook, mixed $arg ): array {
		$http_args = array(
			'method'      => 'POST',
			'timeout'     => MINUTE_IN_SECONDS,
			'redirection' => 0,
			'httpversion' => '1.0',
			'blocking'    => true,
			'user-agent'  => sprintf( 'WooCommerce/%s Hookshot (WordPress/%s)', WC()->version, $GLOBALS['wp_version'] ),
			'body'        => trim( wp_json_encode( $webhook->build_payload( $arg ) ) ),
			'headers'     => array( 'Content-Type' => 'application/json' ),
			'cookies'     => array(),
		);
		$http_args = apply_filters( 'woocommerce_webhook_http_args', $http_args, $arg, $webhook->get_id() );
		$headers   = (array) $http_args['headers'] + array(
			'User-Agent'            => $http_args['user-agent'],
			'X-WC-Webhook-Source'   => home_url( '/' ),
			'X-WC-Webhook-Topic'    => $webhook->get_topic(),
			'X-WC-Webhook-Resource' => $webhook->get_resource(),
			'X-WC-Webhook-Event'    => $webhook->get_event(),
			'X-WC-Webhook-ID'       => (string) $webhook->get_id(),
		);
		return array(
			'body'    => (string) $http_args['body'],
			'headers' => array_map( 'strval', $headers ),
		);
	}

	/** hookguard_resolve_destination: "wc-webhook-<id>" is that webhook's delivery URL and secret. */
	public static function destination( mixed $found, string $name ): mixed {
		if ( $found || 0 !== strncmp( $name, self::PREFIX, strlen( self::PREFIX ) ) || ! function_exists( 'wc_get_webhook' ) ) {
			return $found;
		}
		$webhook = wc_get_webhook( (int) substr( $name, strlen( self::PREFIX ) ) );
		if ( ! $webhook || ! $webhook->get_id() || '' === (string) $webhook->get_delivery_url() ) {
			return null;
		}
		$destination               = Destination::from_array(
			array(
				'name'         => $name,
				'label'        => $webhook->get_name(),
				'url'          => $webhook->get_delivery_url(),
				'scheme'       => 'woocommerce',
				'secret'       => wp_specialchars_decode( (string) $webhook->get_secret(), ENT_QUOTES ),
				'events'       => array( self::EVENT . '.*' ),
				'max_attempts' => (int) Sender_Settings::get( 'takeover_attempts' ),
				'backoff'      => (float) Sender_Settings::get( 'takeover_backoff' ),
				'timeout'      => (float) MINUTE_IN_SECONDS,
				'options'      => array(),
				'origin'       => 'woocommerce',
				'http_version' => '1.0',
			)
		);
		$destination->signer       = static function ( string $body, string $event_id, int $now, array $stored ) use ( $webhook, $destination ): array {
			$algo      = apply_filters( 'woocommerce_webhook_hash_algorithm', 'sha256', $body, $webhook->get_id() );
			$signature = hookguard_sign( 'woocommerce', $body, $destination->secret, array( 'algo' => $algo ) );
			$id        = $stored['X-WC-Webhook-ID'] ?? (string) $webhook->get_id();
			unset( $stored['X-WC-Webhook-ID'] );
			return $stored + $signature + array(
				'X-WC-Webhook-ID'          => $id,
				'X-WC-Webhook-Delivery-ID' => wp_hash( $webhook->get_id() . $now ),
			);
		};
		return $destination;
	}
}
