# shellcheck shell=bash
# A real WooCommerce shop for tests: WordPress 6.9.7 and WooCommerce 10.0.2
# from the release builds in ../shared/fixtures (see tests/support/wordpress.sh),
# set up as a new shop (HPOS on), on the stack of hg_wordpress_site
# (MariaDB, nginx + php-fpm with the extension and HookGuard's fast-path location).
#
#   source tests/support/{mariadb,fpm,wordpress,woocommerce}.sh
#   status=0; hg_woocommerce_shop "$tmp" php/hookguard || status=$?
#   ((status == 2)) && { echo "skipped: $HG_FIXTURE_MISSING"; exit 0; }
#   ((status == 0)) || exit 1
#   hg_wp_php 'echo wc_get_order(1)->get_status();'   # or PHPUnit with tests/support/woocommerce.php
#   ...
#   hg_wordpress_site_stop
#
# hg_woocommerce_shop DIR [PLUGIN_DIR...]
#   Extracts both fixtures once into DIR/src, starts the site in DIR (db/, wp/)
#   with WooCommerce and the given plugins active, runs WooCommerce's
#   new-shop set-up (what its first admin page load runs: HPOS switched on)
#   and checks HPOS is on. Returns 2 with HG_FIXTURE_MISSING set (nothing
#   started) when a fixture is absent: print "skipped: ..." and exit 0.
#   Sets HG_WORDPRESS_SOURCE to the extracted WordPress.
#
# The shop's mu-plugin (hookguard-test-shop.php, written by this helper) lets
# WooCommerce's wp_safe_remote_request() reach this site (127.0.0.1 on a free
# port: refused by default), turns off Action Scheduler's loopback runner (a
# test runs the queue itself, see HookGuard\Tests\Shop::run_queue() in
# tests/support/woocommerce.php) and records every webhook delivery
# WooCommerce makes (from its own "woocommerce_webhook_delivery" action) and
# every ping, with the answer, in {$wpdb->prefix}hookguard_test_wc_deliveries
# (kind "delivery"/"ping", webhook_id, topic, arg, delivery_id, status,
# answer, duration): the shop's side of the story.
#
# PHP helpers for tests on this shop (webhooks created through WooCommerce's
# REST controller, orders, products, running Action Scheduler, WooCommerce's
# record of deliveries): tests/support/woocommerce.php.
#
# Exports HG_WC_VERSION and HG_WP_VERSION besides hg_wordpress_site's variables.

HG_WC_VERSION=${HG_WC_VERSION:-10.0.2}
HG_WP_VERSION=${HG_WP_VERSION:-6.9.7}
export HG_WC_VERSION HG_WP_VERSION

hg_woocommerce_shop() {
  local dir=$1 status=0
  shift
  hg_wordpress_use_fixture "$HG_WP_VERSION" "$dir/src" || return
  hg_fixture_extract "woocommerce-$HG_WC_VERSION.tar.xz" "$dir/src/woocommerce-$HG_WC_VERSION/woocommerce" || return
  hg_wordpress_site "$dir" "$dir/src/woocommerce-$HG_WC_VERSION/woocommerce" "$@" || return 1
  _hg_woocommerce_mu_plugin >"$HG_WP_DIR/wp-content/mu-plugins/hookguard-test-shop.php"
  hg_wp_php '
    WC_Install::newly_installed(); // What the first admin page load of a new shop runs.
    if (!\Automattic\WooCommerce\Utilities\OrderUtil::custom_orders_table_usage_is_enabled()) {
      fwrite(STDERR, "hg_woocommerce_shop: HPOS is off after the new-shop set-up (a plugin not declared HPOS-compatible?)\n");
      exit(1);
    }
    if (WC()->version !== getenv("HG_WC_VERSION")) { fwrite(STDERR, "WooCommerce " . WC()->version . " loaded\n"); exit(1); }' || status=1
  return $status
}

_hg_woocommerce_mu_plugin() {
  cat <<'PHP'
<?php
/* Plugin Name: Test shop (deliveries to this site allowed, Action Scheduler run by the tests, deliveries recorded) */

// WooCommerce delivers with wp_safe_remote_request(), which refuses loopback
// hosts and ports other than 80/443/8080: allow exactly this site.
add_filter('http_request_host_is_external', static function ($external, $host) {
    return $external || $host === parse_url(home_url(), PHP_URL_HOST);
}, 10, 2);
add_filter('http_allowed_safe_ports', static function ($ports, $host) {
    $ports[] = (int) parse_url(home_url(), PHP_URL_PORT);
    return $ports;
}, 10, 2);

// No loopback request to admin-ajax.php to run the queue: tests run it.
add_filter('action_scheduler_allow_async_request_runner', '__return_false');

// The shop's record of what it sent and what it was answered: every webhook
// delivery (from WooCommerce's own action) and every ping.
function hookguard_test_wc_record($kind, $webhook_id, $topic, $arg, $delivery_id, $response, $duration) {
    global $wpdb;
    $table = $wpdb->prefix . 'hookguard_test_wc_deliveries';
    $wpdb->query("CREATE TABLE IF NOT EXISTS $table (id bigint unsigned NOT NULL AUTO_INCREMENT PRIMARY KEY, kind varchar(16) NOT NULL, webhook_id bigint unsigned NOT NULL, topic varchar(191) NOT NULL, arg varchar(191) NOT NULL, delivery_id varchar(64) NOT NULL, status varchar(64) NOT NULL, answer text NOT NULL, duration double NOT NULL, delivered_at double NOT NULL) ENGINE=InnoDB");
    $wpdb->insert($table, array(
        'kind'         => $kind,
        'webhook_id'   => $webhook_id,
        'topic'        => $topic,
        'arg'          => is_scalar($arg) ? (string) $arg : wp_json_encode($arg),
        'delivery_id'  => $delivery_id,
        'status'       => is_wp_error($response) ? 'error:' . $response->get_error_code() : (string) wp_remote_retrieve_response_code($response),
        'answer'       => is_wp_error($response) ? $response->get_error_message() : substr(wp_remote_retrieve_body($response), 0, 500),
        'duration'     => $duration,
        'delivered_at' => microtime(true),
    ));
}

add_action('woocommerce_webhook_delivery', static function ($request, $response, $duration, $arg, $webhook_id) {
    hookguard_test_wc_record('delivery', $webhook_id, $request['headers']['X-WC-Webhook-Topic'], $arg, $request['headers']['X-WC-Webhook-Delivery-ID'], $response, $duration);
}, 10, 5);

// WC_Webhook::deliver_ping() has no action of its own: its request is the
// POST whose whole body is "webhook_id=<id>".
add_action('http_api_debug', static function ($response, $context, $class, $args, $url) {
    if ('response' === $context && isset($args['body']) && is_string($args['body']) && preg_match('/^webhook_id=([0-9]+)$/D', $args['body'], $m)) {
        hookguard_test_wc_record('ping', (int) $m[1], '', '', '', $response, 0);
    }
}, 10, 5);
PHP
}
