<?php
/**
 * Removes HookGuard's table, options and schedules when the plugin is deleted.
 *
 * @package HookGuard
 */

if ( ! defined( 'WP_UNINSTALL_PLUGIN' ) ) {
	exit;
}

require_once __DIR__ . '/includes/autoload.php';

( new HookGuard\Queue_Store() )->drop();
HookGuard\Outbox::store()->drop();
foreach ( array( HookGuard\Settings::OPTION, HookGuard\Source_Registry::ADMIN_OPTION, HookGuard\Source_Registry::COMPILED_OPTION, HookGuard\Outbox::VERSION_OPTION, HookGuard\Destination_Registry::ADMIN_OPTION, HookGuard\Sender_Settings::OPTION ) as $hookguard_option ) {
	delete_option( $hookguard_option );
}
wp_clear_scheduled_hook( HookGuard\Plugin::CRON_DRAIN );
wp_clear_scheduled_hook( HookGuard\Plugin::CRON_CLEANUP );
