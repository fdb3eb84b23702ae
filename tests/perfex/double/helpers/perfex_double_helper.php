<?php
/**
 * TEST DOUBLE of Perfex CRM's module API, written from Perfex's
 * documentation (help.perfexcrm.com: "Module Basics", "Common Module
 * Functions", "Action Hooks", "Working With Forms"), NOT Perfex's code:
 * hooks() (add_action / do_action / has_action / add_filter /
 * apply_filters), register_activation_hook / register_deactivation_hook /
 * register_uninstall_hook / register_cron_task, db_prefix() ("tbl"),
 * get_option / add_option / update_option / delete_option over a tbloptions
 * table, admin_url, staff_can, set_alert, init_head / init_tail. Loaded at
 * pre_system by config/hooks.php, as Perfex loads its own helpers early.
 */

defined( 'BASEPATH' ) || exit( 'No direct script access allowed' );

final class Perfex_Double_Hooks {
	private $actions = array();

	public function add_action( $tag, $callback, $priority = 10, $accepted_args = 1 ) {
		$this->actions[ $tag ][ $priority ][] = array( $callback, $accepted_args );
		ksort( $this->actions[ $tag ] );
		return true;
	}

	public function add_filter( $tag, $callback, $priority = 10, $accepted_args = 1 ) {
		return $this->add_action( $tag, $callback, $priority, $accepted_args );
	}

	public function has_action( $tag ) {
		return ! empty( $this->actions[ $tag ] );
	}

	public function do_action( $tag, $arg = '' ) {
		$args = array_slice( func_get_args(), 1 );
		foreach ( $this->actions[ $tag ] ?? array() as $callbacks ) {
			foreach ( $callbacks as list( $callback, $accepted ) ) {
				call_user_func_array( $callback, array_slice( $args, 0, $accepted ) );
			}
		}
	}

	public function apply_filters( $tag, $value, $additional = array() ) {
		foreach ( $this->actions[ $tag ] ?? array() as $callbacks ) {
			foreach ( $callbacks as list( $callback ) ) {
				$value = call_user_func( $callback, $value, $additional );
			}
		}
		return $value;
	}
}

function hooks() {
	static $hooks;
	return $hooks ?? ( $hooks = new Perfex_Double_Hooks() );
}

/** @var array<string,array<string,callable[]>> Module life-cycle hooks, by kind and module. */
$GLOBALS['perfex_double_module_hooks'] = array();

function register_activation_hook( $module, $function ) {
	$GLOBALS['perfex_double_module_hooks']['activate'][ $module ][] = $function;
}

function register_deactivation_hook( $module, $function ) {
	$GLOBALS['perfex_double_module_hooks']['deactivate'][ $module ][] = $function;
}

function register_uninstall_hook( $module, $function ) {
	$GLOBALS['perfex_double_module_hooks']['uninstall'][ $module ][] = $function;
}

/** "The cron task is executed after the core cron tasks are finished." */
function register_cron_task( $function ) {
	hooks()->add_action( 'after_cron_run', $function );
}

function db_prefix() {
	return 'tbl';
}

function get_option( $name ) {
	$row = get_instance()->db->where( 'name', $name )->get( db_prefix() . 'options' )->row();
	return $row ? $row->value : '';
}

function add_option( $name, $value = '', $autoload = 1 ) {
	$db = get_instance()->db;
	if ( $db->where( 'name', $name )->count_all_results( db_prefix() . 'options' ) ) {
		return false;
	}
	return $db->insert( db_prefix() . 'options', array( 'name' => $name, 'value' => $value, 'autoload' => (int) $autoload ) );
}

function update_option( $name, $value, $autoload = null ) {
	if ( ! add_option( $name, $value, null === $autoload ? 1 : $autoload ) ) {
		get_instance()->db->where( 'name', $name )->update( db_prefix() . 'options', array( 'value' => $value ) );
	}
	return true;
}

function delete_option( $name ) {
	return get_instance()->db->where( 'name', $name )->delete( db_prefix() . 'options' );
}

function admin_url( $url = '' ) {
	return site_url( 'admin/' . $url );
}

function is_admin() {
	return true;
}

function staff_can( $capability, $feature ) {
	return true;
}

function access_denied( $permission = '' ) {
	show_error( 'Access denied', 403 );
}

function set_alert( $type, $message ) {
	get_instance()->output->set_header( 'X-Perfex-Double-Alert: ' . $type . ': ' . str_replace( array( "\r", "\n" ), ' ', $message ) );
}

function init_head() {
	echo "<!DOCTYPE html><html><head><title>Perfex double</title></head><body>\n";
}

function init_tail() {
	echo "</body></html>\n";
}

/** Perfex's CSRF loader: every active module's config/csrf_exclude_uris.php, merged at pre_system. */
function perfex_double_csrf_exclude_uris() {
	$config = load_class( 'Config', 'core' );
	foreach ( glob( FCPATH . 'modules/*/config/csrf_exclude_uris.php' ) as $file ) {
		$uris = include $file;
		if ( is_array( $uris ) ) {
			$config->set_item( 'csrf_exclude_uris', array_merge( (array) $config->item( 'csrf_exclude_uris' ), $uris ) );
		}
	}
}
