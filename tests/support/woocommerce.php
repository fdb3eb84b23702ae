<?php
/**
 * PHP helpers for tests on the shop of tests/support/woocommerce.sh
 * (hg_woocommerce_shop), loaded by a PHPUnit bootstrap after wp-load.php.
 *
 * What the shop does runs in requests of its own: Shop::request() starts a
 * PHP process that loads WordPress, runs the code and ends, so WooCommerce's
 * hooks load fresh and its end-of-request work happens (webhooks are put
 * into Action Scheduler on "shutdown"), as in a real request. The test
 * process only reads the database.
 *
 *   Shop::create_webhook('orders', 'order.created', $url)  // WooCommerce's REST controller, as an admin (or create_webhooks())
 *   Shop::request('return wc_create_order()->get_id();')  // any code, JSON result
 *   Shop::run_queue()                                      // Action Scheduler until nothing is due
 *   Shop::deliveries(), Shop::pings()                       // what WooCommerce sent, and the answers
 *
 * @package HookGuard
 */

namespace HookGuard\Tests;

final class Shop {

	/** @var string What the shop's requests wrote to stderr besides PHP errors (log lines). */
	public static $log = '';

	/**
	 * Runs PHP code in a fresh request of the shop (a CLI process with the
	 * extension, WordPress fully loaded, these helpers available) and
	 * returns what the code returned, through JSON.
	 *
	 * @throws \RuntimeException When the process fails, prints anything else
	 *                           or reports a PHP error, warning, notice or deprecation.
	 */
	public static function request( $code ) {
		$boot    = '$_SERVER["HTTP_HOST"] = parse_url(getenv("HG_WP_URL"), PHP_URL_HOST);'
			. 'require getenv("HG_WP_DIR") . "/wp-load.php";'
			. 'require ' . var_export( __FILE__, true ) . ';'
			. '$hg_result = (static function () { ' . $code . ' })();'
			. 'echo "\n@@hookguard-result@@", json_encode($hg_result);';
		$command = array( PHP_BINARY, '-d', 'display_errors=stderr' );
		if ( getenv( 'HG_EXTENSION' ) ) {
			array_push( $command, '-d', 'extension=' . getenv( 'HG_EXTENSION' ) );
		}
		array_push( $command, '-r', $boot );
		$process = proc_open( $command, array( 1 => array( 'pipe', 'w' ), 2 => array( 'pipe', 'w' ) ), $pipes );
		$out     = stream_get_contents( $pipes[1] );
		$err     = stream_get_contents( $pipes[2] );
		$status  = proc_close( $process );
		$marker  = strrpos( $out, "\n@@hookguard-result@@" );
		self::$log .= $err;
		if ( 0 !== $status || false === $marker || '' !== trim( substr( $out, 0, $marker ) ) || preg_match( '/^(PHP )?(Fatal error|Parse error|Warning|Notice|Deprecated):/m', $err ) ) {
			throw new \RuntimeException( "shop request failed ($status):\n$out\n$err" );
		}
		return json_decode( substr( $out, $marker + strlen( "\n@@hookguard-result@@" ) ), true );
	}

	/**
	 * Creates active webhooks the way WooCommerce's REST API does (POST
	 * /wc/v3/webhooks as the admin, no secret given: WooCommerce generates
	 * one and pings the delivery URL), all in one request of their own.
	 *
	 * @param array<int,array{name:string,topic:string,delivery_url:string}> $specs
	 * @return array<int,array{id:int,pending_delivery:bool,status:string,secret:string}> In the order given;
	 *         pending_delivery false means the ping was answered 200.
	 */
	public static function create_webhooks( array $specs ) {
		return self::request(
			'wp_set_current_user(1);
			$out = array();
			foreach (' . var_export( array_values( $specs ), true ) . ' as $spec) {
				$request = new WP_REST_Request("POST", "/wc/v3/webhooks");
				$request->set_body_params($spec + array("status" => "active"));
				$response = rest_do_request($request);
				if ($response->is_error()) { throw new RuntimeException(json_encode($response->get_data())); }
				$webhook = wc_get_webhook($response->get_data()["id"]);
				$out[] = array("id" => $webhook->get_id(), "pending_delivery" => $webhook->get_pending_delivery(), "status" => $webhook->get_status(), "secret" => $webhook->get_secret());
			}
			return $out;'
		);
	}

	/** One webhook, as create_webhooks() makes them. */
	public static function create_webhook( $name, $topic, $delivery_url ) {
		return self::create_webhooks( array( array( 'name' => $name, 'topic' => $topic, 'delivery_url' => $delivery_url ) ) )[0];
	}

	/**
	 * Runs Action Scheduler's queue runner, in a request of its own, until
	 * no action is due (WooCommerce delivers webhooks from there).
	 *
	 * @return int How many actions ran.
	 */
	public static function run_queue( $max_rounds = 50 ) {
		return self::request(
			'$ran = 0;
			for ($round = 0; $round < ' . (int) $max_rounds . '; $round++) {
				$due = as_get_scheduled_actions(array("status" => ActionScheduler_Store::STATUS_PENDING, "date" => as_get_datetime_object(), "date_compare" => "<=", "per_page" => 1), "ids");
				if (!$due) { return $ran; }
				$ran += ActionScheduler_QueueRunner::instance()->run("HookGuard tests");
			}
			throw new RuntimeException("Action Scheduler still has due actions after ' . (int) $max_rounds . ' rounds");'
		);
	}

	/** Action Scheduler actions of a hook in a status: list of their args. */
	public static function actions( $hook, $status ) {
		global $wpdb;
		$rows = $wpdb->get_col( $wpdb->prepare( "SELECT args FROM {$wpdb->prefix}actionscheduler_actions WHERE hook = %s AND status = %s ORDER BY action_id", $hook, $status ) );
		return array_map(
			static function ( $args ) {
				return json_decode( $args, true );
			},
			$rows
		);
	}

	/**
	 * Every webhook delivery WooCommerce made, as its "woocommerce_webhook_delivery"
	 * action reported it, with the answer (recorded by the shop's mu-plugin).
	 *
	 * @return array<int,array{webhook_id:int,topic:string,arg:string,delivery_id:string,status:string,answer:string}>
	 */
	public static function deliveries() {
		return self::recorded( 'delivery' );
	}

	/** Every ping WooCommerce sent, with the answer: list of {webhook_id, status, answer}. */
	public static function pings() {
		return self::recorded( 'ping' );
	}

	private static function recorded( $kind ) {
		global $wpdb;
		$table = $wpdb->prefix . 'hookguard_test_wc_deliveries';
		if ( $wpdb->get_var( $wpdb->prepare( 'SHOW TABLES LIKE %s', $table ) ) !== $table ) {
			return array();
		}
		return array_map(
			static function ( $row ) {
				$row['webhook_id'] = (int) $row['webhook_id'];
				return $row;
			},
			$wpdb->get_results( $wpdb->prepare( "SELECT webhook_id, topic, arg, delivery_id, status, answer, delivered_at FROM $table WHERE kind = %s ORDER BY id", $kind ), ARRAY_A )
		);
	}

	/** A webhook as stored now (WooCommerce's object cache in this process bypassed). */
	public static function webhook( $id ) {
		wp_cache_delete( $id, 'webhooks' );
		return new \WC_Webhook( $id );
	}
}
