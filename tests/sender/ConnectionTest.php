<?php
/**
 * HookGuard's own receiver as the far end (both paths of it), and Test
 * connection's exact diagnosis against it and against the fault receiver.
 */

namespace HookGuard\Tests;

use HookGuard\Core\Connection_Test;
use HookGuard\Destination_Registry;
use HookGuard\Outbox;

final class ConnectionTest extends SenderTestCase {

	private static function far_end( $path = 'fast', array $extra = array() ) {
		return self::relay_destination( '/', $extra + array( 'url' => self::url( $path, 'relay-in' ) ) );
	}

	private static function test_connection( $name ) {
		return Connection_Test::run( Destination_Registry::get( $name ), home_url( '/' ) );
	}

	public function test_events_pushed_to_a_hookguard_source_are_verified_and_queued_there_exactly_once() {
		global $wpdb;
		$wpdb->query( 'DELETE FROM ' . self::store()->table() );
		self::destinations( array( 'peer-fast' => self::far_end( 'fast' ), 'peer-rest' => self::far_end( 'rest' ) ) );
		$event_id = hookguard_emit( 'test.peer', array( 'hello' => 'world' ) );
		$rows     = self::send_until_settled( $event_id );
		$this->assertSame( array( 'delivered', 'delivered' ), array_column( $rows, 'status' ) );
		$this->assertSame( array( '202', '200' ), array_column( $rows, 'last_status' ), 'queued by the first path; the second is the same event id: a duplicate' );
		$queued = $wpdb->get_results( $wpdb->prepare( 'SELECT body, source FROM ' . self::store()->table() . ' WHERE source = %s', 'relay-in' ) );
		$this->assertCount( 1, $queued );
		$this->assertSame( $rows[0]['payload'], $queued[0]->body );
	}

	public function test_every_scheme_signed_by_the_sender_is_verified_and_queued_by_hookguards_receiver() {
		global $wpdb;
		$wpdb->query( 'DELETE FROM ' . self::store()->table() );
		$destinations = array();
		foreach ( hookguard_test_schemes() as $scheme => $spec ) {
			$destinations[ 'to-' . $scheme ] = array(
				'url'     => self::url( 'fast', 'in-' . $scheme ),
				'scheme'  => $scheme,
				'secret'  => $spec['secret'],
				'options' => $spec['options'] ?? array(),
				'events'  => array( 'test.schemes' ),
			);
		}
		self::destinations( $destinations );
		usleep( 1100000 ); // The fast path's configuration cache lives one second.
		$event_id = hookguard_emit( 'test.schemes', array( 'order' => 1042, 'note' => "bytes: \u{e9}\u{1F600} \" \\ /" ) );
		$rows     = self::send_until_settled( $event_id );
		$this->assertCount( count( $destinations ), $rows );
		foreach ( $rows as $row ) {
			$this->assertSame( array( 'delivered', '202' ), array( $row['status'], $row['last_status'] ), $row['destination'] . ': ' . $row['last_error'] );
			$source = 'in-' . substr( $row['destination'], 3 );
			$body   = $wpdb->get_var( $wpdb->prepare( 'SELECT body FROM ' . self::store()->table() . ' WHERE source = %s', $source ) );
			$this->assertSame( $row['payload'], $body, "$source: the exact bytes" );
		}
		foreach ( array_keys( $destinations ) as $name ) {
			$this->assertSame( 'verified', self::test_connection( $name )['result'], "Test connection of $name" );
		}
	}

	public function test_test_connection_is_green_with_the_right_secret_and_queues_nothing() {
		global $wpdb;
		$before = (int) $wpdb->get_var( 'SELECT COUNT(*) FROM ' . self::store()->table() );
		self::destinations( array( 'peer' => self::far_end( 'fast' ), 'peer-rest' => self::far_end( 'rest' ) ) );
		foreach ( array( 'peer', 'peer-rest' ) as $name ) {
			$result = self::test_connection( $name );
			$this->assertSame( 'verified', $result['result'], $name . ': ' . $result['message'] );
			$this->assertTrue( $result['ok'] );
		}
		$this->assertSame( $before, (int) $wpdb->get_var( 'SELECT COUNT(*) FROM ' . self::store()->table() ), 'a test delivery is never queued' );
		$this->assertCount( 0, Outbox::store()->recent( 5 ), 'nor written to the outbox' );
	}

	public function test_test_connection_is_red_with_the_wrong_secret_or_a_skewed_clock() {
		self::destinations( array( 'wrong' => self::far_end( 'fast', array( 'secret' => 'not-the-secret-at-all' ) ), 'peer' => self::far_end( 'rest' ) ) );
		$result = self::test_connection( 'wrong' );
		$this->assertSame( 'secret_mismatch', $result['result'], $result['message'] );
		$this->assertSame( 401, $result['status'] );
		$this->assertFalse( $result['ok'] );
		$skewed = Connection_Test::run( Destination_Registry::get( 'peer' ), home_url( '/' ), null, time() - 3600 );
		$this->assertSame( 'timestamp_rejected', $skewed['result'], $skewed['message'] );
	}

	public function test_rotation_without_a_gap_the_receiver_accepts_both_secrets_while_the_sender_switches() {
		$new = 'relay-secret-new-abcdef0123456789';
		update_option( 'hookguard_test_relay_second_secret', $new );
		try {
			// Step 1 done (the receiver holds old and new); the sender still signs with the old one, then switches.
			self::destinations( array( 'old' => self::far_end( 'fast' ), 'new' => self::far_end( 'fast', array( 'secret' => $new ) ) ) );
			usleep( 1100000 ); // The fast path's configuration cache lives one second.
			$this->assertSame( 'verified', self::test_connection( 'old' )['result'] );
			$this->assertSame( 'verified', self::test_connection( 'new' )['result'], 'proved under the secret that verified it' );
		} finally {
			delete_option( 'hookguard_test_relay_second_secret' );
		}
	}

	/** @dataProvider fault_answers */
	public function test_test_connection_says_exactly_what_a_receiver_did( $steps, $timeout, $expected ) {
		self::destinations( array( 'far' => self::relay_destination( '/far', array( 'timeout' => $timeout ) ) ) );
		self::script( '/far', 'wp-relay', self::RELAY_SECRET, $steps );
		$result = self::test_connection( 'far' );
		$this->assertSame( $expected, $result['result'], $result['message'] );
		$this->assertFalse( $result['ok'] );
	}

	public function fault_answers() {
		return array(
			'2xx without proof'      => array( array(), 2, 'unproven' ),
			'a proof that is wrong'  => array( array( array( 'status' => 200, 'body' => '{"proof":"00"}' ) ), 2, 'wrong_proof' ),
			'403'                    => array( array( array( 'status' => 403 ) ), 2, 'secret_mismatch' ),
			'401 naming a timestamp' => array( array( array( 'status' => 401, 'body' => '{"error":"timestamp_too_old"}' ) ), 2, 'timestamp_rejected' ),
			'slower than timeout'    => array( array( array( 'sleep' => 1.5 ) ), 0.5, 'timed_out' ),
			'connection dropped'     => array( array( array( 'close' => true ) ), 2, 'unreachable' ),
			'redirect'               => array( array( array( 'status' => 302, 'location' => '/x' ) ), 2, 'redirect' ),
			'500'                    => array( array( array( 'status' => 500 ) ), 2, 'http_error' ),
		);
	}

	public function test_test_connection_to_nothing_listening_is_unreachable() {
		self::destinations( array( 'nowhere' => self::relay_destination( '/', array( 'url' => 'http://127.0.0.1:9/' ) ) ) );
		$this->assertSame( 'unreachable', self::test_connection( 'nowhere' )['result'] );
	}
}
