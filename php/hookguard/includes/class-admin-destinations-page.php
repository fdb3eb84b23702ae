<?php
/**
 * HookGuard → Destinations: where events are pushed (add, edit, delete;
 * code destinations read-only), Test connection per destination, the
 * outbox monitor (counts, recent failures, Replay) and the WooCommerce
 * takeover setting. Secrets are write-only and sealed at rest, as for
 * sources. The HTML is in views/admin-destinations.php.
 *
 * @package HookGuard
 */

namespace HookGuard;

use HookGuard\Core\Connection_Test;
use HookGuard\Core\Destination;

final class Admin_Destinations_Page {

	const SLUG = 'hookguard-destinations';

	public static function hook(): void {
		add_action( 'admin_menu', array( self::class, 'menu' ), 20 );
		add_action( 'admin_post_hookguard_save_destination', array( self::class, 'save' ) );
		add_action( 'admin_post_hookguard_delete_destination', array( self::class, 'delete' ) );
		add_action( 'admin_post_hookguard_test_destination', array( self::class, 'test' ) );
		add_action( 'admin_post_hookguard_replay_outbox', array( self::class, 'replay' ) );
		add_action( 'admin_post_hookguard_save_sender_settings', array( self::class, 'save_settings' ) );
	}

	public static function menu(): void {
		add_submenu_page( Admin_Sources_Page::SLUG, __( 'HookGuard destinations', 'hookguard' ), __( 'Destinations', 'hookguard' ), Admin_Sources_Page::capability(), self::SLUG, array( self::class, 'render' ) );
	}

	private static function back( string $type, string $text ): never {
		Admin_Sources_Page::redirect( self::SLUG, $type, $text );
	}

	public static function save(): never {
		Admin_Sources_Page::require_capability( 'hookguard_save_destination' );
		$post = wp_unslash( $_POST ); // phpcs:ignore WordPress.Security.NonceVerification -- checked above.
		$name = isset( $post['name'] ) ? trim( (string) $post['name'] ) : '';
		$code = Destination_Registry::all();
		if ( isset( $code[ $name ] ) && 'code' === $code[ $name ]->origin ) {
			self::back( 'error', __( 'This destination is registered in code; change it there.', 'hookguard' ) );
		}
		$existing = Destination_Registry::admin_destinations();
		if ( empty( $post['editing'] ) && isset( $existing[ $name ] ) ) {
			/* translators: %s: destination name */
			self::back( 'error', sprintf( __( 'A destination named "%s" already exists; edit it instead.', 'hookguard' ), $name ) );
		}
		// A secret is kept byte for byte; an empty field keeps the stored one (write-only).
		$secret = isset( $post['secret'] ) ? (string) $post['secret'] : '';
		$secret = '' === $secret && isset( $existing[ $name ] ) ? $existing[ $name ]->secret : $secret;
		$text   = static function ( string $key ) use ( $post ): string {
			return isset( $post[ $key ] ) ? trim( sanitize_text_field( (string) $post[ $key ] ) ) : '';
		};
		$number = static function ( string $key ) use ( $text ): int|float|null {
			return is_numeric( $text( $key ) ) ? $text( $key ) + 0 : null;
		};
		$args   = array_filter(
			array(
				'url'          => isset( $post['url'] ) ? trim( (string) $post['url'] ) : '',
				'scheme'       => $text( 'scheme' ),
				'secret'       => $secret,
				'events'       => $text( 'events' ),
				'label'        => $text( 'label' ),
				'max_attempts' => null === $number( 'max_attempts' ) ? null : (int) $number( 'max_attempts' ),
				'backoff'      => $number( 'backoff' ),
				'timeout'      => $number( 'timeout' ),
				'enabled'      => ! empty( $post['enabled'] ),
			),
			static function ( mixed $v ): bool {
				return null !== $v && '' !== $v;
			}
		);
		try {
			$destination = Destination::from_args( $name, $args, 'HookGuard' );
		} catch ( \ValueError | \TypeError $e ) {
			/* translators: %s: what is wrong */
			self::back( 'error', sprintf( __( 'Not saved: %s', 'hookguard' ), preg_replace( '/^\S+\(\): Argument #\d+ \(\$\w+\) /', '', $e->getMessage() ) ) );
		}
		Destination_Registry::save_admin( $destination );
		/* translators: %s: destination name */
		self::back( 'success', sprintf( __( 'Destination "%s" saved.', 'hookguard' ), $name ) );
	}

	public static function delete(): never {
		$name = isset( $_POST['name'] ) ? sanitize_text_field( wp_unslash( $_POST['name'] ) ) : ''; // phpcs:ignore WordPress.Security.NonceVerification -- checked next.
		Admin_Sources_Page::require_capability( 'hookguard_delete_destination_' . $name );
		Destination_Registry::delete_admin( $name );
		/* translators: %s: destination name */
		self::back( 'success', sprintf( __( 'Destination "%s" deleted.', 'hookguard' ), $name ) );
	}

	/** Test connection: a signed test delivery, and exactly what came of it. */
	public static function test(): never {
		$name = isset( $_POST['name'] ) ? sanitize_text_field( wp_unslash( $_POST['name'] ) ) : ''; // phpcs:ignore WordPress.Security.NonceVerification -- checked next.
		Admin_Sources_Page::require_capability( 'hookguard_test_destination_' . $name );
		$destination = Destination_Registry::get( $name );
		if ( ! $destination || '' === $destination->secret ) {
			self::back( 'error', __( 'This destination has no readable secret: enter it again.', 'hookguard' ) );
		}
		$result         = Connection_Test::run( $destination, home_url( '/' ) );
		$result['name'] = $name;
		set_transient( 'hookguard_test_' . get_current_user_id(), $result, 120 );
		wp_safe_redirect( admin_url( 'admin.php?page=' . self::SLUG ) );
		exit;
	}

	public static function replay(): never {
		Admin_Sources_Page::require_capability( 'hookguard_replay_outbox' );
		$ids = isset( $_POST['id'] ) ? array( (int) $_POST['id'] ) : null; // phpcs:ignore WordPress.Security.NonceVerification -- checked above.
		$n   = Outbox::store()->replay( $ids );
		/* translators: %d: number of events */
		self::back( 'success', sprintf( _n( '%d event queued to be sent again.', '%d events queued to be sent again.', $n, 'hookguard' ), $n ) );
	}

	public static function save_settings(): never {
		Admin_Sources_Page::require_capability( 'hookguard_save_sender_settings' );
		update_option( Sender_Settings::OPTION, Sender_Settings::sanitize( isset( $_POST['sender'] ) ? wp_unslash( $_POST['sender'] ) : array() ), false ); // phpcs:ignore WordPress.Security.NonceVerification,WordPress.Security.ValidatedSanitizedInput -- checked above; sanitize() keeps known keys only.
		self::back( 'success', __( 'Sender settings saved.', 'hookguard' ) );
	}

	public static function render(): void {
		if ( ! current_user_can( Admin_Sources_Page::capability() ) ) {
			return;
		}
		$editing      = isset( $_GET['edit'] ) ? sanitize_text_field( wp_unslash( $_GET['edit'] ) ) : ''; // phpcs:ignore WordPress.Security.NonceVerification -- only selects what to show.
		$destinations = Destination_Registry::all();
		$current      = isset( $destinations[ $editing ] ) && 'admin' === $destinations[ $editing ]->origin ? $destinations[ $editing ] : null;
		$test         = get_transient( 'hookguard_test_' . get_current_user_id() );
		delete_transient( 'hookguard_test_' . get_current_user_id() );
		$store        = Outbox::store();
		$view         = array(
			'destinations' => $destinations,
			'current'      => $current,
			'test'         => is_array( $test ) ? $test : null,
			'counts'       => $store->counts(),
			'failures'     => $store->recent_failures( 20 ),
			'settings'     => Sender_Settings::all(),
			'schemes'      => function_exists( 'hookguard_schemes' ) ? hookguard_schemes() : array(),
			'events'       => array( Events::ORDER_COMPLETED, Events::ORDER_CREATED, Events::COMMENT_CREATED, Events::USER_REGISTERED ),
		);
		require __DIR__ . '/views/admin-destinations.php';
	}
}
