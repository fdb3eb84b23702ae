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

namespace HookGuard\Core;

final class Scheme_Profile {

	/**
	 * Defaults per scheme: topic spec, idempotency spec, sender retries, JSON body.
	 * Sources: docs/wire-formats.md and each provider's documentation.
	 *
	 * Idempotency keys come from signed bytes only (the body, or a header the
	 * signature covers), so that a captured delivery replayed with altered
	 * unsigned headers is still the same event. Topics from unsigned headers
	 * (WooCommerce, Shopify, GitHub) are authenticated only where a source is
	 * bound to one topic (see Source::bound_topic()).
	 */
	const DEFAULTS = array(
		'woocommerce'       => array( 'header:X-WC-Webhook-Topic', 'woocommerce', false, true ),
		'shopify'           => array( 'header:X-Shopify-Topic', 'body', true, true ),
		'github'            => array( 'header:X-GitHub-Event', 'body', false, true ),
		'woo-order-sync'    => array( 'value:order.completed', 'json:order_ref|body', false, true ),
		'pipedrive'         => array( 'json:event|json:meta.action', 'body', true, true ),
		'wp-relay'          => array( 'json:event|json:type', 'json:event_id|body', true, true ),
		'stripe'            => array( 'json:type', 'json:id|body', true, true ),
		'standard-webhooks' => array( 'json:type', 'header:webhook-id', true, true ),
		'slack'             => array( 'json:event.type|json:type', 'json:event_id|body', true, false ),
		'hmac'              => array( '', 'body', false, false ),
	);

	/** Headers each scheme's signature covers besides the body (lower case). */
	const SIGNED_HEADERS = array(
		'wp-relay'          => array( 'x-wp-timestamp' ),
		'standard-webhooks' => array( 'webhook-id', 'webhook-timestamp' ),
		'slack'             => array( 'x-slack-request-timestamp' ),
	);

	/** The header each scheme's signature travels in (lower case; "hmac" names its own). */
	const SIGNATURE_HEADERS = array(
		'woocommerce'       => 'x-wc-webhook-signature',
		'shopify'           => 'x-shopify-hmac-sha256',
		'github'            => 'x-hub-signature-256',
		'woo-order-sync'    => 'x-woo-signature',
		'pipedrive'         => 'x-pipedrive-signature',
		'wp-relay'          => 'x-wp-signature',
		'stripe'            => 'stripe-signature',
		'standard-webhooks' => 'webhook-signature',
		'slack'             => 'x-slack-signature',
	);

	/** @return string[] */
	public static function schemes(): array {
		return array_keys( self::DEFAULTS );
	}

	public static function topic_spec( string $scheme ): string {
		return self::DEFAULTS[ $scheme ][0];
	}

	public static function idempotency_spec( string $scheme, array $options ): string {
		// A custom scheme's id header is the key only when the signature covers it.
		if ( 'hmac' === $scheme && ! empty( $options['id_header'] ) && in_array( strtolower( $options['id_header'] ), self::signed_headers( $scheme, $options ), true ) ) {
			return 'header:' . $options['id_header'];
		}
		return self::DEFAULTS[ $scheme ][1];
	}

	/**
	 * The headers a delivery's signature covers, lower case. For "hmac",
	 * those its signed_content uses ({timestamp} is always signed when a
	 * timestamp_header is set; {id} only when written in signed_content).
	 *
	 * @return string[]
	 */
	public static function signed_headers( string $scheme, array $options ): array {
		if ( 'hmac' !== $scheme ) {
			return self::SIGNED_HEADERS[ $scheme ] ?? array();
		}
		$signed = array();
		if ( ! empty( $options['timestamp_header'] ) ) {
			$signed[] = strtolower( $options['timestamp_header'] );
		}
		if ( ! empty( $options['id_header'] ) && false !== strpos( (string) ( $options['signed_content'] ?? '' ), '{id}' ) ) {
			$signed[] = strtolower( $options['id_header'] );
		}
		return $signed;
	}

	/** The headers that carry a signature for this scheme and options (never stored). */
	public static function signature_headers( string $scheme, array $options ): array {
		$names = isset( self::SIGNATURE_HEADERS[ $scheme ] ) ? array( self::SIGNATURE_HEADERS[ $scheme ] ) : array();
		if ( 'github' === $scheme ) {
			$names[] = 'x-hub-signature';
		}
		if ( ! empty( $options['header'] ) ) {
			$names[] = strtr( strtolower( $options['header'] ), '_', '-' );
		}
		return $names;
	}

	/**
	 * Whether every value $spec can select is covered by the signature:
	 * the body, JSON fields of the body, literal values, signed headers.
	 * The "woocommerce" key is not: for payloads without a date_modified
	 * stamp it takes the unsigned Delivery-ID (see woocommerce_key()).
	 */
	public static function spec_is_signed( string $spec, string $scheme, array $options ): bool {
		$signed = self::signed_headers( $scheme, $options );
		foreach ( explode( '|', $spec ) as $part ) {
			if ( 'woocommerce' === $part ) {
				return false;
			}
			if ( 0 === strncmp( $part, 'header:', 7 ) && ! in_array( strtr( strtolower( substr( $part, 7 ) ), '_', '-' ), $signed, true ) ) {
				return false;
			}
		}
		return true;
	}

	public static function sender_retries( string $scheme ): bool {
		return self::DEFAULTS[ $scheme ][2];
	}

	public static function json( string $scheme ): bool {
		return self::DEFAULTS[ $scheme ][3];
	}

	/** Whether $spec is a well-formed field spec ("" allowed: no topic). */
	public static function valid_spec( string $spec, bool $allow_special ): bool {
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
	public static function is_woocommerce_ping( Request $request ): bool {
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
	 * @param string     $topic   The delivery's topic (the "woocommerce" key uses it).
	 */
	public static function extract( string $spec, Request $request, mixed $json, string $topic = '' ): string {
		if ( '' === $spec ) {
			return '';
		}
		foreach ( explode( '|', $spec ) as $part ) {
			$value = self::extract_one( $part, $request, $json, $topic );
			if ( '' !== $value ) {
				return $value;
			}
		}
		return '';
	}

	private static function extract_one( string $part, Request $request, mixed $json, string $topic ): string {
		if ( 'body' === $part ) {
			return 'body:' . hash( 'sha256', $request->body );
		}
		if ( 'woocommerce' === $part ) {
			return self::woocommerce_key( $request, $json, $topic );
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
	 * WooCommerce's idempotency key, from the signed body wherever possible.
	 *
	 * WooCommerce signs only the body: X-WC-Webhook-ID, -Topic and
	 * -Delivery-ID can be altered by anyone replaying a captured delivery, so
	 * none of them may turn a replay into a new event. Resource payloads carry
	 * their own date_modified stamp: a re-send is byte-identical and a later
	 * change is not, so the body alone identifies the event.
	 *
	 * Payloads without a stamp ("deleted" is only {"id": N}; action.*
	 * payloads) cannot tell a re-send from a second, identical event
	 * (delete, restore, delete again). For those the topic (bound by the
	 * source where it has one topic) and the Delivery-ID (wp_hash of the
	 * webhook id and the second it was sent) are added: a genuine repeat is
	 * kept, and a replay with a forged Delivery-ID is processed again, which
	 * handlers of deletions must tolerate (the README says so).
	 */
	public static function woocommerce_key( Request $request, mixed $json, string $topic = '' ): string {
		$body    = hash( 'sha256', $request->body );
		$stamped = is_array( $json ) && ( isset( $json['date_modified_gmt'] ) || isset( $json['date_modified'] ) );
		if ( $stamped ) {
			return 'wc:' . $body;
		}
		return 'wc:' . $topic . ':' . $body . ':' . $request->header( 'x-wc-webhook-delivery-id' );
	}
}
