<?php
/**
 * Shared helpers: deliveries built from the senders' wire formats (with
 * PHP's own hash_hmac, not the extension's signer), real HTTP requests to
 * nginx, the queue's state, and the CLI worker.
 */

namespace HookGuard\Tests;

use HookGuard\Queue_Store;
use HookGuard\Source_Registry;

abstract class TestCase extends \PHPUnit\Framework\TestCase {

	/** The two ways in: the fast path at the REST URL (nginx location), the REST route itself. */
	public static function paths() {
		return array(
			'fast path'  => array( 'fast' ),
			'REST route' => array( 'rest' ),
		);
	}

	protected static function url( $path, $source ) {
		$base = getenv( 'HG_WP_URL' );
		return 'fast' === $path
			? $base . '/wp-json/hookguard/v1/receive/' . $source
			: $base . '/index.php?rest_route=/hookguard/v1/receive/' . rawurlencode( $source );
	}

	/**
	 * One HTTP request to nginx.
	 *
	 * @return array{status:int,json:mixed,body:string,headers:array<string,string>}
	 */
	protected static function http( $method, $url, $body = '', array $headers = array() ) {
		$ch       = curl_init( $url );
		$received = array();
		$lines    = array();
		foreach ( $headers as $name => $value ) {
			$lines[] = $name . ': ' . $value;
		}
		$lines[] = 'Expect:';
		curl_setopt_array(
			$ch,
			array(
				CURLOPT_CUSTOMREQUEST  => $method,
				CURLOPT_RETURNTRANSFER => true,
				CURLOPT_HTTPHEADER     => $lines,
				CURLOPT_TIMEOUT        => 30,
				CURLOPT_HEADERFUNCTION => static function ( $ch, $line ) use ( &$received ) {
					$parts = explode( ':', $line, 2 );
					if ( 2 === count( $parts ) ) {
						$received[ strtolower( trim( $parts[0] ) ) ] = trim( $parts[1] );
					}
					return strlen( $line );
				},
			)
		);
		if ( 'GET' !== $method && 'HEAD' !== $method ) {
			curl_setopt( $ch, CURLOPT_POSTFIELDS, $body );
		}
		$response = curl_exec( $ch );
		if ( false === $response ) {
			throw new \RuntimeException( 'HTTP request failed: ' . curl_error( $ch ) );
		}
		$status = (int) curl_getinfo( $ch, CURLINFO_RESPONSE_CODE );
		curl_close( $ch );
		return array(
			'status'  => $status,
			'json'    => json_decode( $response, true ),
			'body'    => $response,
			'headers' => $received,
		);
	}

	protected static function post( $path, $source, array $delivery, array $extra_headers = array() ) {
		return self::http( 'POST', self::url( $path, $source ), $delivery['body'], array_merge( $delivery['headers'], $extra_headers ) );
	}

	/**
	 * A WooCommerce delivery exactly as WC_Webhook::deliver() builds it:
	 * body trim(wp_json_encode($payload)), signature base64(HMAC-SHA256(body,
	 * wp_specialchars_decode($secret, ENT_QUOTES))), Delivery-ID
	 * wp_hash($webhook_id . time()).
	 */
	protected static function woocommerce( array $payload, $topic = 'order.created', $webhook_id = 7, $secret = HOOKGUARD_TEST_WC_SECRET, $time = null ) {
		$body = trim( wp_json_encode( $payload ) );
		list( $resource, $event ) = explode( '.', $topic, 2 );
		return array(
			'body'    => $body,
			'headers' => array(
				'Content-Type'             => 'application/json',
				'User-Agent'               => 'WooCommerce/7.9.0 Hookshot (WordPress/6.1.1)',
				'X-WC-Webhook-Source'      => 'https://shop.example/',
				'X-WC-Webhook-Topic'       => $topic,
				'X-WC-Webhook-Resource'    => $resource,
				'X-WC-Webhook-Event'       => $event,
				'X-WC-Webhook-Signature'   => base64_encode( hash_hmac( 'sha256', $body, wp_specialchars_decode( $secret, ENT_QUOTES ), true ) ),
				'X-WC-Webhook-ID'          => (string) $webhook_id,
				'X-WC-Webhook-Delivery-ID' => wp_hash( $webhook_id . ( null === $time ? time() : $time ) ),
			),
		);
	}

	/** A WooCommerce order payload (the fields a receiver reads; date_modified_gmt included as WC sends it). */
	protected static function order( $id, $status = 'processing', $modified = '2024-05-01T10:00:00' ) {
		return array(
			'id'                => $id,
			'status'            => $status,
			'currency'          => 'EUR',
			'total'             => '42.50',
			'date_modified_gmt' => $modified,
			'billing'           => array(
				'email' => 'jane.doe@example.com',
				'phone' => '+31 6 1234 5678',
			),
			'line_items'        => array(
				array(
					'product_id' => 12,
					'quantity'   => 2,
				),
			),
		);
	}

	/** A generic "hmac" delivery (header X-Sig: hex HMAC-SHA256). */
	protected static function hmac( $body, $secret = HOOKGUARD_TEST_HMAC_SECRET ) {
		return array(
			'body'    => $body,
			'headers' => array(
				'Content-Type' => 'application/json',
				'X-Sig'        => hash_hmac( 'sha256', $body, $secret ),
			),
		);
	}

	/**
	 * A "wp-relay" delivery: base64(HMAC-SHA256(timestamp . "." . body)),
	 * X-Event-Id. An array body is the relay's JSON event with this event_id.
	 */
	protected static function relay( $body, $event_id, $secret = HOOKGUARD_TEST_RELAY_NEW, $timestamp = null ) {
		$timestamp = null === $timestamp ? time() : $timestamp;
		$body      = is_array( $body ) ? (string) wp_json_encode( $body + array( 'event_id' => $event_id ) ) : $body;
		return array(
			'body'    => $body,
			'headers' => array(
				'Content-Type'   => 'application/json',
				'X-WP-Timestamp' => (string) $timestamp,
				'X-WP-Signature' => base64_encode( hash_hmac( 'sha256', $timestamp . '.' . $body, $secret, true ) ),
				'X-Event-Id'     => $event_id,
			),
		);
	}

	/** A client address of its own (requests come from 127.0.0.1, a trusted proxy in these tests). */
	protected static function client_ip() {
		return '10.' . random_int( 0, 255 ) . '.' . random_int( 0, 255 ) . '.' . random_int( 1, 254 );
	}

	protected static function store() {
		return new Queue_Store();
	}

	protected static function reset_queue() {
		global $wpdb;
		$wpdb->query( 'DELETE FROM ' . self::store()->table() );
		$wpdb->query( 'DELETE FROM ' . hookguard_test_log_table() );
		foreach ( (array) glob( self::spool()->dir() . '/*' ) as $file ) {
			unlink( $file );
		}
	}

	/** The spool the site uses (its directory, beside WordPress's). */
	protected static function spool() {
		return new \HookGuard\Spool( \HookGuard\Spool::default_dir() );
	}

	protected static function row( $id ) {
		return self::store()->get( $id );
	}

	/**
	 * Requests arrive from 127.0.0.1: trusting it as a proxy lets each test
	 * be its own client IP (X-Forwarded-For); no worker is kicked.
	 */
	protected static function trust_the_local_proxy() {
		self::settings(
			array(
				'trusted_proxies' => array( '127.0.0.1' ),
				'kick'            => false,
			)
		);
	}

	/**
	 * Changes site settings and waits until the fast path sees them (its
	 * cached configuration lives one second in PHP-FPM's APCu).
	 */
	protected static function settings( array $changes ) {
		update_option( \HookGuard\Settings::OPTION, array_merge( \HookGuard\Settings::all(), $changes ) );
		Source_Registry::compile();
		self::await_fast_path_refresh();
	}

	/** How many times the fast path has loaded WordPress for a fresh configuration (the fixtures' log). */
	protected static function fast_path_refreshes() {
		$log = getenv( 'HG_WP_DIR' ) . '/wp-content/hookguard-test-refreshes.log';
		clearstatcache();
		return is_file( $log ) ? count( file( $log ) ) : 0;
	}

	/**
	 * Waits until the fast path's cached configuration has expired and been
	 * read again: past its TTL, the first request is still answered from the
	 * expired entry and refreshes it after answering, so one request (a GET,
	 * answered 405) starts the refresh and the fixtures' log says when it is done.
	 */
	protected static function await_fast_path_refresh() {
		self::outlive_fast_path_cache();
		$before = self::fast_path_refreshes();
		self::http( 'GET', self::url( 'fast', 'any' ) );
		self::await_refreshes_past( $before );
	}

	/** Waits until the fast path's cached configuration is older than its TTL. */
	protected static function outlive_fast_path_cache() {
		usleep( (int) ( \HookGuard\Fast_Path_Cache::TTL * 1000000 ) + 100000 );
	}

	/** Polls the fixtures' log until it counts more refreshes than $before (or time is up): the count then. */
	protected static function await_refreshes_past( $before ) {
		return self::poll( static function () {
			return self::fast_path_refreshes();
		}, static function ( $count ) use ( $before ) {
			return $count > $before;
		} );
	}

	/** PHP as this pass runs it: with the built extension, or (HG_EXTENSION="") without, on php/compat. */
	protected static function php() {
		return '' === (string) getenv( 'HG_EXTENSION' ) ? array( PHP_BINARY ) : array( PHP_BINARY, '-d', 'extension=' . getenv( 'HG_EXTENSION' ) );
	}

	/** Whether this pass runs the native extension (not php/compat). */
	protected static function native() {
		return defined( 'HOOKGUARD_IMPLEMENTATION' ) && 'native' === HOOKGUARD_IMPLEMENTATION;
	}

	/** The CLI worker as a command line (php with the extension). */
	protected static function cli_command( $command, array $options = array() ) {
		$cmd = array_merge( self::php(), array( getenv( 'HG_WP_DIR' ) . '/wp-content/plugins/hookguard/cli.php', $command, '--path=' . getenv( 'HG_WP_DIR' ) ) );
		foreach ( $options as $name => $value ) {
			$cmd[] = '--' . $name . '=' . $value;
		}
		return $cmd;
	}

	/**
	 * Calls $probe until $done accepts its result or $seconds pass; returns
	 * the last result (the caller asserts on it).
	 */
	protected static function poll( callable $probe, callable $done, $seconds = 3 ) {
		$deadline = microtime( true ) + $seconds;
		do {
			$result = $probe();
			if ( $done( $result ) ) {
				return $result;
			}
			usleep( 50000 );
		} while ( microtime( true ) < $deadline );
		return $result;
	}

	/** @var string What CLI workers wrote to stderr (their log lines), for the log checks. */
	public static $cli_logs = '';

	/**
	 * Runs a command to completion: [exit status, stdout, stderr]. Both
	 * pipes are read as data arrives, so a child filling one cannot block on
	 * it while we wait on the other.
	 */
	protected static function run_process( array $command ) {
		$process = proc_open( $command, array( 1 => array( 'pipe', 'w' ), 2 => array( 'pipe', 'w' ) ), $pipes );
		$out     = array( 1 => '', 2 => '' );
		$open    = array( 1 => $pipes[1], 2 => $pipes[2] );
		while ( $open ) {
			$read  = array_values( $open );
			$write = null;
			$none  = null;
			if ( false === stream_select( $read, $write, $none, 30 ) ) {
				break;
			}
			foreach ( $read as $pipe ) {
				$n     = array_search( $pipe, $open, true );
				$chunk = fread( $pipe, 65536 );
				if ( false === $chunk || ( '' === $chunk && feof( $pipe ) ) ) {
					fclose( $pipe );
					unset( $open[ $n ] );
					continue;
				}
				$out[ $n ] .= $chunk;
			}
		}
		return array( proc_close( $process ), $out[1], $out[2] );
	}

	/** PHP code in a fresh PHP process with the extension: [exit status, stdout, stderr]. */
	protected static function php_process( $code ) {
		return self::run_process( array_merge( self::php(), array( '-r', $code ) ) );
	}

	/** Runs the CLI worker to completion; returns its JSON output. */
	protected static function drain( array $options = array() ) {
		list( $status, $out, $err ) = self::run_process( self::cli_command( 'drain', $options ) );
		self::$cli_logs            .= $err;
		if ( 0 !== $status ) {
			throw new \RuntimeException( "cli.php drain failed ($status): $err" );
		}
		return json_decode( trim( $out ), true );
	}

	/** @return array<int,int> delivery id => times its handler completed. */
	protected static function handled() {
		global $wpdb;
		$out = array();
		foreach ( $wpdb->get_results( 'SELECT delivery_id, COUNT(*) AS n FROM ' . hookguard_test_log_table() . ' GROUP BY delivery_id' ) as $row ) {
			$out[ (int) $row->delivery_id ] = (int) $row->n;
		}
		return $out;
	}
}
