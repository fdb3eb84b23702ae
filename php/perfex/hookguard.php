<?php
/*
Module Name: HookGuard
Description: Receive webhooks (WooCommerce above all) verified by the native hookguard extension: rate-limited per IP, deduplicated, queued in this CRM's database and processed in the background with retries through hooks you add.
Version: 0.1.0
Requires at least: 2.9.0
Author: HookGuard
*/

defined( 'BASEPATH' ) || exit( 'No direct script access allowed' );

require_once __DIR__ . '/includes/autoload.php';

define( 'HOOKGUARD_MODULE_NAME', 'hookguard' );

register_activation_hook( HOOKGUARD_MODULE_NAME, array( HookGuard\Perfex\Module::class, 'activate' ) );
register_deactivation_hook( HOOKGUARD_MODULE_NAME, array( HookGuard\Perfex\Module::class, 'deactivate' ) );
register_uninstall_hook( HOOKGUARD_MODULE_NAME, array( HookGuard\Perfex\Module::class, 'uninstall' ) );
register_cron_task( array( HookGuard\Perfex\Module::class, 'cron' ) );
hooks()->add_action( 'admin_init', array( HookGuard\Perfex\Module::class, 'admin_menu' ) );
