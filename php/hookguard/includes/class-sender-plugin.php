<?php
/**
 * Wires the sending half into WordPress (called once from Plugin::boot()):
 * the built-in events, the WooCommerce takeover, the outbox table, the
 * Destinations admin page.
 *
 * @package HookGuard
 */

namespace HookGuard;

final class Sender_Plugin {

	public static function boot(): void {
		Events::hook();
		Woocommerce_Takeover::hook();
		add_action( 'init', array( Outbox::class, 'maybe_upgrade' ), 0 );
		add_action( Plugin::CRON_CLEANUP, array( self::class, 'cleanup' ) );
		if ( is_admin() ) {
			Admin_Destinations_Page::hook();
		}
	}

	/** Daily: delivered rows go after the queue's retention; failed ones are kept for Replay. */
	public static function cleanup(): void {
		Outbox::store()->purge( 'delivered', (int) Settings::get( 'retention_days' ) );
	}
}
