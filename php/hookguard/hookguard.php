<?php
/**
 * Plugin Name:       HookGuard
 * Description:       Receive webhooks (WooCommerce, Stripe, GitHub, Shopify, Standard Webhooks and more): verified by the native hookguard extension, answered at once, queued durably and processed in the background with retries. Send them too: signed pushes from WordPress and WooCommerce through a durable outbox, and WooCommerce webhooks that stop getting disabled.
 * Version:           0.1.0
 * Requires at least: 6.1
 * Requires PHP:      8.2
 * Author:            HookGuard
 * License:           MIT
 * Text Domain:       hookguard
 *
 * @package HookGuard
 */

if ( ! defined( 'ABSPATH' ) ) {
	exit;
}

require_once __DIR__ . '/includes/autoload.php';
require_once __DIR__ . '/includes/functions.php';

HookGuard\Plugin::boot( __FILE__ );
