<?php
/**
 * TEST DOUBLE: what Perfex's Setup → Modules and its cron do, from the CLI.
 *   php index.php perfex_double activate|deactivate|uninstall MODULE
 *   php index.php perfex_double cron             (runs after_cron_run, as Perfex's cron does last)
 *   php index.php perfex_double source NAME SCHEME SECRET [max_attempts] [backoff] [failures per minute]
 */

defined( 'BASEPATH' ) || exit( 'No direct script access allowed' );

class Perfex_double extends App_Controller {

	public function __construct() {
		parent::__construct();
		is_cli() || show_404();
	}

	private function module_hook( $kind, $module ) {
		foreach ( $GLOBALS['perfex_double_module_hooks'][ $kind ][ $module ] ?? array() as $function ) {
			call_user_func( $function );
		}
		echo "$kind $module\n";
	}

	public function activate( $module ) {
		$this->module_hook( 'activate', $module );
	}

	public function deactivate( $module ) {
		$this->module_hook( 'deactivate', $module );
	}

	public function uninstall( $module ) {
		$this->module_hook( 'uninstall', $module );
	}

	public function cron() {
		hooks()->do_action( 'after_cron_run' );
		echo "cron\n";
	}

	public function source( $name, $scheme, $secret, $max_attempts = 5, $backoff = 60, $failures = 120 ) {
		HookGuard\Perfex\Source_Registry::save(
			$name,
			array(
				'scheme'       => $scheme,
				'secrets'      => array( $secret ),
				'max_attempts' => (int) $max_attempts,
				'backoff'      => (int) $backoff,
				'rate_limit'   => array( 'failed' => array( 'limit' => (int) $failures, 'period' => 60 ) ),
			)
		);
		echo "source $name\n";
	}
}
