<?php
/**
 * The sending half inside WordPress: writes events into the outbox (one
 * row per event and destination, nothing sent in the request) and drains
 * it with the core's Sender from the same entry points as the queue (the
 * CLI's drain, WP-Cron, the kicked drain route).
 *
 * @package HookGuard
 */

namespace HookGuard;

use HookGuard\Core\Outbox_Store;
use HookGuard\Core\Sender;

final class Outbox {

	const VERSION_OPTION = 'hookguard_outbox_db_version';

	/** @var bool Whether a kick is already planned for the end of this request. */
	private static bool $kick_planned = false;

	public static function store(): Outbox_Store {
		global $wpdb;
		return new Outbox_Store( new Wpdb_Database( $wpdb ), $wpdb->prefix . 'hookguard_outbox' );
	}

	public static function install(): void {
		global $wpdb;
		self::store()->install( $wpdb->get_charset_collate() );
		update_option( self::VERSION_OPTION, Outbox_Store::SCHEMA_VERSION );
	}

	public static function maybe_upgrade(): void {
		if ( get_option( self::VERSION_OPTION ) !== Outbox_Store::SCHEMA_VERSION ) {
			self::install();
		}
	}

	/** A new event id: "evt_" and 24 hex digits. */
	public static function new_event_id(): string {
		return 'evt_' . bin2hex( random_bytes( 12 ) );
	}

	/**
	 * Raises $event: one outbox row per enabled destination that gets it.
	 * See hookguard_emit() for the arguments.
	 *
	 * @return string|null The event id, or null when no destination gets the event.
	 */
	public static function emit( string $event, array $data, array $options = array() ): ?string {
		$destinations = Destination_Registry::for_event( $event );
		if ( ! $destinations ) {
			return null;
		}
		$event_id = isset( $options['event_id'] ) ? (string) $options['event_id'] : self::new_event_id();
		$dedupe   = $event . ':' . ( isset( $options['dedupe'] ) ? (string) $options['dedupe'] : $event_id );
		$envelope = ! isset( $options['envelope'] ) || $options['envelope'];
		$payload  = $envelope ? array(
			'event'    => $event,
			'event_id' => $event_id,
			'site'     => home_url( '/' ),
			'data'     => $data,
		) : $data;
		$store    = self::store();
		foreach ( $destinations as $destination ) {
			/**
			 * Filters an event's payload for one destination before it is
			 * stored. Return false to send nothing to this destination.
			 *
			 * @param array  $payload     The body, as an array (encoded as JSON).
			 * @param string $event       The event name.
			 * @param string $destination The destination's name.
			 * @param string $event_id    The event id.
			 */
			$filtered = apply_filters( 'hookguard_event_payload', $payload, $event, $destination->name, $event_id );
			if ( false === $filtered ) {
				continue;
			}
			$body = wp_json_encode( $filtered, JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE );
			if ( ! is_string( $body ) || ! $store->add( $destination->name, $event, $event_id, $dedupe, $body ) ) {
				Log::error( "could not store event $event ($event_id) for destination {$destination->name}" );
			}
		}
		self::plan_kick();
		return $event_id;
	}

	/** Stores one ready-made request (the WooCommerce takeover) and plans a kick. */
	public static function add_request( string $destination, string $event, string $event_id, string $dedupe, string $body, array $headers ): bool {
		$stored = self::store()->add( $destination, $event, $event_id, $dedupe, $body, $headers );
		self::plan_kick();
		return null !== $stored;
	}

	/** Starts a worker once this request has its answer (as for a queued delivery). */
	private static function plan_kick(): void {
		if ( ! self::$kick_planned && Settings::get( 'kick' ) ) {
			self::$kick_planned = true;
			add_action( 'shutdown', array( Rest_Controller::class, 'kick_after_response' ), 100 );
		}
	}

	/**
	 * Sends what is due (the drain paths call it after the queue's worker).
	 *
	 * @param array $options Sender options (batch, lease, time_limit, idle_wait).
	 * @return array The Sender's counts.
	 */
	public static function drain( array $options = array() ): array {
		self::maybe_upgrade();
		$options += array(
			'batch'      => Settings::get( 'batch' ),
			'lease'      => Settings::get( 'lease' ),
			'time_limit' => Settings::get( 'time_limit' ),
			'log'        => array( Log::class, 'error' ),
		);
		$client = new Core\Http_Client( 'HookGuard/' . self::version() . ' (WordPress/' . get_bloginfo( 'version' ) . ')' );
		return ( new Sender( self::store(), array( Destination_Registry::class, 'get' ), $client, $options ) )->run();
	}

	private static function version(): string {
		return (string) get_file_data( Plugin::$file, array( 'version' => 'Version' ) )['version'];
	}
}
