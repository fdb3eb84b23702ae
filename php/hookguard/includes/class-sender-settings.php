<?php
/**
 * Settings of the sending half (option "hookguard_sender"): the WooCommerce
 * takeover and the retry policy of the webhooks it takes over.
 *
 * @package HookGuard
 */

namespace HookGuard;

final class Sender_Settings {

	const OPTION = 'hookguard_sender';

	const DEFAULTS = array(
		'woocommerce_takeover' => false, // Deliver WooCommerce's own webhooks through the outbox.
		'takeover_attempts'    => Core\Retry_Policy::DEFAULT_ATTEMPTS,
		'takeover_backoff'     => Core\Retry_Policy::DEFAULT_BACKOFF,
	);

	public static function all(): array {
		$stored = get_option( self::OPTION, array() );
		return array_merge( self::DEFAULTS, is_array( $stored ) ? array_intersect_key( $stored, self::DEFAULTS ) : array() );
	}

	public static function get( string $key ): mixed {
		return self::all()[ $key ];
	}

	public static function sanitize( mixed $input ): array {
		$input = is_array( $input ) ? $input : array();
		return array(
			'woocommerce_takeover' => ! empty( $input['woocommerce_takeover'] ),
			'takeover_attempts'    => isset( $input['takeover_attempts'] ) && is_numeric( $input['takeover_attempts'] ) ? max( 1, min( 100, (int) $input['takeover_attempts'] ) ) : self::DEFAULTS['takeover_attempts'],
			'takeover_backoff'     => isset( $input['takeover_backoff'] ) && is_numeric( $input['takeover_backoff'] ) ? max( 0, min( Core\Retry_Policy::MAX_DELAY, (int) $input['takeover_backoff'] ) ) : self::DEFAULTS['takeover_backoff'],
		);
	}
}
