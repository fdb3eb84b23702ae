<?php
/**
 * Helpers for the sender tests: the fault receiver (scripts and its log),
 * destinations set for every process, the outbox, the in-process sender.
 */

namespace HookGuard\Tests;

use HookGuard\Destination_Registry;
use HookGuard\Outbox;

abstract class SenderTestCase extends TestCase {

	const RELAY_SECRET = 'relay-secret-0123456789abcdef';
	const SYNC_SECRET  = '4f1c2b3a5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f7081';

	protected function setUp(): void {
		global $wpdb;
		self::fault( 'POST', '/_reset' );
		$wpdb->query( 'DELETE FROM ' . Outbox::store()->table() );
		update_option( 'hookguard_test_destinations', array() );
		foreach ( Destination_Registry::all() as $name => $destination ) {
			if ( 'code' === $destination->origin ) {
				Destination_Registry::unregister( $name ); // Registered by an earlier test in this process.
			}
		}
		update_option( \HookGuard\Settings::OPTION, array_merge( \HookGuard\Settings::all(), array( 'kick' => false ) ) );
	}

	/** A request to the fault receiver's control API. */
	protected static function fault( $method, $path, $json = null ) {
		return self::http( $method, getenv( 'HG_FAULT_URL' ) . $path, null === $json ? '' : json_encode( $json ), array( 'Content-Type' => 'application/json' ) );
	}

	/** What $path answers next: one step per request, then 200. */
	protected static function script( $path, $scheme, $secret, array $steps ) {
		self::fault( 'POST', '/_script', array( 'path' => $path, 'scheme' => $scheme, 'secret' => $secret, 'steps' => $steps ) );
	}

	/** The fault receiver's log (of $path only when given). */
	protected static function received( $path = null ) {
		$log = self::fault( 'GET', '/_log' )['json'];
		return array_values(
			array_filter(
				$log,
				static function ( $entry ) use ( $path ) {
					return null === $path || $entry['path'] === $path;
				}
			)
		);
	}

	/**
	 * Sets the destinations for this process and every other (the fixture
	 * plugin registers them on init): name => args.
	 */
	protected static function destinations( array $destinations ) {
		update_option( 'hookguard_test_destinations', $destinations );
		foreach ( $destinations as $name => $args ) {
			hookguard_register_destination( $name, $args );
		}
	}

	protected static function relay_destination( $path, array $extra = array() ) {
		return $extra + array(
			'url'          => getenv( 'HG_FAULT_URL' ) . $path,
			'scheme'       => 'wp-relay',
			'secret'       => self::RELAY_SECRET,
			'events'       => array( 'test.*', 'wordpress.*' ),
			'max_attempts' => 5,
			'backoff'      => 1,
			'timeout'      => 2,
		);
	}

	/** Runs the sender here until nothing is due for $idle seconds (or $limit seconds pass). */
	protected static function drain( $idle = 0.0, $limit = 30 ) {
		return Outbox::drain( array( 'idle_wait' => $idle, 'time_limit' => $limit ) );
	}

	/** The outbox rows of an event. */
	protected static function rows_of( $event_id ) {
		return Outbox::store()->for_event( $event_id );
	}

	protected static function header( array $entry, $name ) {
		foreach ( $entry['headers'] as $key => $value ) {
			if ( 0 === strcasecmp( $key, $name ) ) {
				return $value;
			}
		}
		return null;
	}

	/**
	 * Runs the sender here until none of the event's rows is pending (a
	 * retry is picked up when it falls due) or $seconds pass.
	 */
	protected static function send_until_settled( $event_id, $seconds = 15 ) {
		$deadline = microtime( true ) + $seconds;
		do {
			Outbox::drain( array( 'idle_wait' => 0, 'time_limit' => 20 ) );
			$pending = array_filter(
				self::rows_of( $event_id ),
				static function ( $row ) {
					return in_array( $row['status'], array( 'pending', 'sending' ), true );
				}
			);
			if ( ! $pending ) {
				break;
			}
			usleep( 20000 );
		} while ( microtime( true ) < $deadline );
		return self::rows_of( $event_id );
	}
}
