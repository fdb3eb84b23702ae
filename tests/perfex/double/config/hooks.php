<?php
/** TEST DOUBLE (see helpers/perfex_double_helper.php): Perfex's pre_system work. */
defined( 'BASEPATH' ) || exit( 'No direct script access allowed' );

$hook['pre_system'][] = static function () {
	require_once APPPATH . 'helpers/perfex_double_helper.php';
	perfex_double_csrf_exclude_uris();
};
