<?php
/**
 * The framework-agnostic core without WordPress: the retry schedule and its
 * jitter, Retry-After in its three date forms, what an answer means, URL
 * and argument validation, the test-delivery proof, Test connection's
 * diagnosis, and the packaged plugin finding its core.
 */

namespace HookGuard\Tests;

use HookGuard\Core\Attempt;
use HookGuard\Core\Connection_Test;
use HookGuard\Core\Destination;
use HookGuard\Core\Retry_Policy;
use HookGuard\Core\Test_Delivery;
use PHPUnit\Framework\TestCase;

final class CoreTest extends TestCase {

	public function test_the_default_schedule_doubles_from_60_s_caps_at_10_hours_and_spans_about_three_days() {
		$policy = new Retry_Policy();
		$this->assertSame( array( 60.0, 120.0, 240.0, 480.0 ), array_map( array( $policy, 'nominal' ), array( 1, 2, 3, 4 ) ) );
		$this->assertSame( 30720.0, $policy->nominal( 10 ) );
		$this->assertSame( 36000.0, $policy->nominal( 11 ) );
		$this->assertSame( 36000.0, $policy->nominal( 90 ) );
		$span = $policy->span( Retry_Policy::DEFAULT_ATTEMPTS );
		$this->assertSame( 60.0 * 1023 + 5 * 36000, $span );
		$this->assertGreaterThan( 2.5 * 86400, $span );
		$this->assertLessThan( 3 * 86400, $span );
	}

	public function test_jitter_stays_within_ten_percent_and_varies() {
		$policy = new Retry_Policy( 100 );
		$seen   = array();
		for ( $i = 0; $i < 500; $i++ ) {
			$delay = $policy->delay( 2 );
			$this->assertGreaterThanOrEqual( 180.0, $delay );
			$this->assertLessThanOrEqual( 220.0, $delay );
			$seen[ (string) round( $delay ) ] = true;
		}
		$this->assertGreaterThan( 20, count( $seen ), 'deliveries failing together do not retry together' );
	}

	public function test_retry_after_is_a_lower_bound_capped_at_the_maximum() {
		$policy = new Retry_Policy( 1 );
		$this->assertSame( 30.0, $policy->delay( 1, 30 ) );
		$this->assertLessThanOrEqual( 1.1, $policy->delay( 1, 0 ) );
		$this->assertSame( (float) Retry_Policy::MAX_DELAY, $policy->delay( 1, 10 ** 9 ) );
	}

	public function test_retry_after_reads_seconds_and_the_three_http_date_forms() {
		$now = gmmktime( 8, 49, 37, 11, 6, 1994 ) - 120;
		$this->assertSame( 120, Retry_Policy::parse_retry_after( '120', $now ) );
		$this->assertSame( 120, Retry_Policy::parse_retry_after( 'Sun, 06 Nov 1994 08:49:37 GMT', $now ) );
		$this->assertSame( 120, Retry_Policy::parse_retry_after( 'Sunday, 06-Nov-94 08:49:37 GMT', $now ) );
		$this->assertSame( 120, Retry_Policy::parse_retry_after( 'Sun Nov  6 08:49:37 1994', $now ) );
		$this->assertSame( 0, Retry_Policy::parse_retry_after( 'Sun, 06 Nov 1994 08:49:37 GMT', $now + 3600 ), 'a date in the past: now' );
		foreach ( array( null, '', '-5', '1.5', 'soon', 'Sun, 06 Nov 1994 08:49:37 CET' ) as $bad ) {
			$this->assertNull( Retry_Policy::parse_retry_after( $bad, $now ), var_export( $bad, true ) );
		}
	}

	/** @dataProvider answers */
	public function test_what_an_answer_means( $status, $error, $outcome ) {
		$attempt         = new Attempt();
		$attempt->status = $status;
		$attempt->error  = $error;
		$this->assertSame( $outcome, $attempt->outcome() );
	}

	public function answers() {
		$cases = array(
			'connection error' => array( 0, Attempt::UNREACHABLE, Attempt::RETRY ),
			'timeout'          => array( 0, Attempt::TIMED_OUT, Attempt::RETRY ),
		);
		foreach ( array( 200, 201, 202, 204, 299 ) as $s ) {
			$cases[ "$s" ] = array( $s, null, Attempt::DELIVERED );
		}
		foreach ( array( 408, 425, 429, 500, 502, 503, 504, 599 ) as $s ) {
			$cases[ "$s" ] = array( $s, null, Attempt::RETRY );
		}
		foreach ( array( 100, 301, 302, 304, 307, 400, 401, 403, 404, 409, 410, 413, 422 ) as $s ) {
			$cases[ "$s" ] = array( $s, null, Attempt::FAILED );
		}
		return $cases;
	}

	public function test_the_summary_keeps_a_short_single_line_excerpt() {
		$attempt         = new Attempt();
		$attempt->status = 422;
		$attempt->body   = "{\"error\":\n\"bad\"}" . str_repeat( 'x', 1000 );
		$summary         = $attempt->summary();
		$this->assertStringStartsWith( 'HTTP 422: {"error": "bad"}', $summary );
		$this->assertLessThan( 320, mb_strlen( $summary ) );
		$this->assertStringNotContainsString( "\n", $summary );
	}

	public function test_destination_urls_must_be_plain_http_or_https() {
		$this->assertNull( Destination::url_problem( 'https://crm.example/api/woo/order-completed?x=1' ) );
		$this->assertNull( Destination::url_problem( 'http://127.0.0.1:8080/' ) );
		foreach ( array( 'ftp://x/', 'file:///etc/passwd', '/relative', 'https://u:p@x/', 'https://x/#frag', "https://x/\n", 'https:///nohost' ) as $bad ) {
			$this->assertNotNull( Destination::url_problem( $bad ), $bad );
		}
	}

	public function test_a_destination_gets_the_events_it_lists_and_patterns() {
		$d = Destination::from_args( 'd', array( 'url' => 'https://x/', 'scheme' => 'wp-relay', 'secret' => 's3cret-s3cret', 'events' => 'woocommerce.*, wordpress.comment.created' ) );
		$this->assertTrue( $d->wants( 'woocommerce.order.completed' ) );
		$this->assertTrue( $d->wants( 'wordpress.comment.created' ) );
		$this->assertFalse( $d->wants( 'wordpress.user.registered' ) );
		$this->assertFalse( $d->wants( 'woocommercex.order' ) );
		$this->assertSame( 16, $d->max_attempts );
		$this->assertSame( 60.0, $d->backoff );
	}

	public function test_signing_at_send_time_gives_a_fresh_timestamp_and_the_same_id() {
		$d     = Destination::from_args( 'd', array( 'url' => 'https://x/', 'scheme' => 'wp-relay', 'secret' => 'k', 'events' => '*' ) );
		$first = $d->headers( '{"a":1}', 'evt_1', 1700000000 );
		$later = $d->headers( '{"a":1}', 'evt_1', 1700000300 );
		$this->assertSame( '1700000000', $first['X-WP-Timestamp'] );
		$this->assertSame( '1700000300', $later['X-WP-Timestamp'] );
		$this->assertSame( 'evt_1', $first['X-Event-Id'] );
		$this->assertSame( $first['X-Event-Id'], $later['X-Event-Id'] );
		$this->assertSame( base64_encode( hash_hmac( 'sha256', '1700000300.{"a":1}', 'k', true ) ), $later['X-WP-Signature'] );
	}

	public function test_the_proof_is_keyed_by_the_secret_and_is_no_signature_under_it() {
		$nonce = Test_Delivery::nonce();
		$proof = Test_Delivery::proof( 'secret', $nonce );
		$this->assertMatchesRegularExpression( '/^[0-9a-f]{64}$/', $proof );
		$this->assertNotSame( $proof, Test_Delivery::proof( 'other', $nonce ) );
		$this->assertNotSame( $proof, hash_hmac( 'sha256', $nonce, 'secret' ), 'not an HMAC under the secret itself (no signing oracle)' );
		$this->assertSame( $nonce, Test_Delivery::nonce_of( Test_Delivery::body( $nonce, 'https://shop/' ) ) );
		$this->assertNull( Test_Delivery::nonce_of( '{"event":"hookguard.test","data":{"nonce":"chosen by an attacker"}}' ) );
		$this->assertNull( Test_Delivery::nonce_of( '{"event":"order.created","data":{"nonce":"' . $nonce . '"}}' ) );
	}

	public function test_test_connection_tells_a_skewed_clock_from_a_wrong_secret() {
		$attempt          = new Attempt();
		$attempt->status  = 401;
		$attempt->body    = '{"error":"signature_mismatch"}';
		$this->assertSame( 'secret_mismatch', Connection_Test::diagnose( $attempt, 's', 'n', 1700000000 ) );
		$attempt->headers = array( 'date' => gmdate( 'D, d M Y H:i:s \G\M\T', 1700000000 + 900 ) );
		$this->assertSame( 'timestamp_rejected', Connection_Test::diagnose( $attempt, 's', 'n', 1700000000 ) );
		$attempt->status  = 200;
		$attempt->body    = json_encode( Test_Delivery::answer( 's', 'n' ) );
		$this->assertSame( 'verified', Connection_Test::diagnose( $attempt, 's', 'n', 1700000000 ) );
		$this->assertSame( 'wrong_proof', Connection_Test::diagnose( $attempt, 'other', 'n', 1700000000 ) );
	}

	public function test_the_packaged_plugin_carries_its_core_and_finds_it() {
		$dir = sys_get_temp_dir() . '/hookguard-package-' . bin2hex( random_bytes( 4 ) );
		exec( escapeshellarg( dirname( __DIR__, 2 ) . '/scripts/package-plugin' ) . ' ' . escapeshellarg( $dir ) . ' 2>&1', $out, $status );
		try {
			$this->assertSame( 0, $status, implode( "\n", $out ) );
			$this->assertFileExists( "$dir/hookguard/hookguard.php" );
			$this->assertFileExists( "$dir/hookguard/core/class-sender.php" );
			$this->assertFileExists( "$dir/hookguard/compat/hookguard.php" );
			$this->assertFileExists( "$dir/hookguard.zip" );
			$probe = 'require ' . var_export( "$dir/hookguard/includes/autoload.php", true ) . '; echo (new ReflectionClass("HookGuard\\\\Core\\\\Sender"))->getFileName();';
			$this->assertSame( "$dir/hookguard/core/class-sender.php", shell_exec( escapeshellarg( PHP_BINARY ) . ' -r ' . escapeshellarg( $probe ) ) );
		} finally {
			exec( 'rm -rf ' . escapeshellarg( $dir ) );
		}
	}
}
