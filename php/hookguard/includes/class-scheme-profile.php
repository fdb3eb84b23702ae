<?php
/**
 * What HookGuard knows about each sender beyond its signature: where its
 * topic is, what identifies one event (the idempotency key), whether it
 * re-sends after a 429/5xx and whether its bodies are JSON.
 *
 * Field specs are strings so that a source stays plain data (the fast path
 * caches it): "header:X-Name", "json:a.b", "value:literal", "body" (a hash
 * of the raw body), "woocommerce" (see woocommerce_key()); "a|b" means the
 * first of a, b that yields a value.
 *
 * @package HookGuard
 */

namespace HookGuard;

final class Scheme_Profile {

	/**
	 * Defaults per scheme: topic spec, idempotency spec, sender retries, JSON body.
	 * Sources: ../shared/wire-formats.md and each provider's documentation.
	 */
	const DEFAULTS = array(
		'woocommerce'       => array( 'header:X-WC-Webhook-Topic', 'woocommerce', false, true ),
		'shopify'           => array( 'header:X-Shopify-Topic', 'header:X-Shopify-Webhook-Id|body', true, true ),
		'github'            => array( 'header:X-GitHub-Event', 'header:X-GitHub-Delivery|body', false, true ),
		'woo-order-sync'    => array( 'value:order.completed', 'json:order_ref|body', false, true ),
		'pipedrive'         => array( 'json:event|json:meta.action', 'body', true, true ),
		'wp-relay'          => array( 'json:type|json:event', 'header:X-Event-Id', true, true ),
		'stripe'            => array( 'json:type', 'json:id|body', true, true ),
		'standard-webhooks' => array( 'json:type', 'header:webhook-id', true, true ),
		'slack'             => array( 'json:event.type|json:type', 'json:event_id|body', true, false ),
		'hmac'              => array( '', 'body', false, false ),
	);

	/** @return string[] */
	public static function schemes() {
		return array_keys( self::DEFAULTS );
	}

	public static function topic_spec( $scheme ) {
		return self::DEFAULTS[ $scheme ][0];
	}

	public static function idempotency_spec( $scheme, array $options ) {
		if ( 'hmac' === $scheme && ! empty( $options['id_header'] ) ) {
			return 'header:' . $options['id_header'];
		}
		return self::DEFAULTS[ $scheme ][1];
	}

	public static function sender_retries( $scheme ) {
		return self::DEFAULTS[ $scheme ][2];
	}

	public static function json( $scheme ) {
		return self::DEFAULTS[ $scheme ][3];
	}

	/** Whether $spec is a well-formed field spec ("" allowed: no topic). */
	public static function valid_spec( $spec, $allow_special ) {
		if ( '' === $spec ) {
			return true;
		}
		foreach ( explode( '|', $spec ) as $part ) {
			if ( $allow_special && ( 'body' === $part || 'woocommerce' === $part ) ) {
				continue;
			}
			if ( ! preg_match( '/^(header:[A-Za-z0-9_-]+|json:[A-Za-z0-9_.-]+|value:.+)$/', $part ) ) {
				return false;
			}
		}
		return true;
	}

	/**
	 * A WooCommerce ping: sent when a webhook is created or activated, form
	 * body "webhook_id=<id>" and no signature. It must be answered exactly 200.
	 */
	public static function is_woocommerce_ping( Request $request ) {
		return null === $request->header( 'x-wc-webhook-signature' )
			&& 1 === preg_match( '/^webhook_id=[0-9]+$/D', $request->body );
	}

	/**
	 * The value a spec selects from a delivery, or '' when none of its parts
	 * yields one.
	 *
	 * @param string     $spec    Field spec.
	 * @param Request    $request The delivery.
	 * @param array|null $json    The decoded body, or null when it is not JSON.
	 */
	public static function extract( $spec, Request $request, $json ) {
		if ( '' === $spec ) {
			return '';
		}
		foreach ( explode( '|', $spec ) as $part ) {
			$value = self::extract_one( $part, $request, $json );
			if ( '' !== $value ) {
				return $value;
			}
		}
		return '';
	}

	private static function extract_one( $part, Request $request, $json ) {
		if ( 'body' === $part ) {
			return 'body:' . hash( 'sha256', $request->body );
		}
		if ( 'woocommerce' === $part ) {
			return self::woocommerce_key( $request, $json );
		}
		list( $kind, $name ) = explode( ':', $part, 2 );
		if ( 'value' === $kind ) {
			return $name;
		}
		if ( 'header' === $kind ) {
			return (string) $request->header( $name );
		}
		$node = $json;
		foreach ( explode( '.', $name ) as $step ) {
			if ( ! is_array( $node ) || ! array_key_exists( $step, $node ) ) {
				return '';
			}
			$node = $node[ $step ];
		}
		return is_scalar( $node ) && ! is_bool( $node ) ? (string) $node : '';
	}

	/**
	 * WooCommerce's idempotency key.
	 *
	 * X-WC-Webhook-Delivery-ID is wp_hash($webhook_id . time()): every
	 * delivery of one webhook within the same second shares it (a bulk edit
	 * of 20 products sends 20 events with one Delivery-ID), and a re-send a
	 * second later gets a new one. So it identifies neither an event nor a
	 * re-send. What does: the webhook, the topic and the exact body. Resource
	 * payloads carry their own date_modified, so a re-send is byte-identical
	 * and a later change is not.
	 *
	 * Payloads without such a stamp ("deleted" is only {"id": N}; action.*
	 * payloads) cannot tell a re-send from a second, identical event (delete,
	 * restore, delete again). For those the Delivery-ID's second is added:
	 * a re-send is then processed again (harmless for a deletion) rather than
	 * a real event being dropped.
	 */
	public static function woocommerce_key( Request $request, $json ) {
		$key = 'wc:' . $request->header( 'x-wc-webhook-id' ) . ':' . $request->header( 'x-wc-webhook-topic' )
			. ':' . hash( 'sha256', $request->body );
		$stamped = is_array( $json ) && ( isset( $json['date_modified_gmt'] ) || isset( $json['date_modified'] ) );
		if ( ! $stamped ) {
			$key .= ':' . $request->header( 'x-wc-webhook-delivery-id' );
		}
		return $key;
	}
}
