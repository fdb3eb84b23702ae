<?php
/**
 * Site Health (Tools → Site Health) test: is the native extension loaded,
 * and does it have the rate limiter?
 *
 * @package HookGuard
 */

namespace HookGuard;

final class Site_Health {

	public static function register( $tests ) {
		$tests['direct']['hookguard_extension'] = array(
			'label' => __( 'HookGuard extension', 'hookguard' ),
			'test'  => array( self::class, 'test' ),
		);
		return $tests;
	}

	public static function test() {
		$result = array(
			'label'       => __( 'The HookGuard PHP extension is loaded', 'hookguard' ),
			'status'      => 'good',
			'badge'       => array(
				'label' => __( 'Security', 'hookguard' ),
				'color' => 'blue',
			),
			'description' => '',
			'actions'     => '',
			'test'        => 'hookguard_extension',
		);
		if ( ! Plugin::extension_loaded() ) {
			$result['label']       = __( 'The HookGuard PHP extension is not loaded', 'hookguard' );
			$result['status']      = 'critical';
			$result['badge']['color'] = 'red';
			$result['description'] = '<p>' . esc_html__( 'Webhook deliveries cannot be verified and are answered 503 until the hookguard extension is enabled for this PHP (extension=hookguard.so in php.ini for PHP-FPM and the CLI).', 'hookguard' ) . '</p>';
			return $result;
		}
		$version = phpversion( 'hookguard' );
		$text    = sprintf(
			/* translators: 1: extension version, 2: scheme list */
			__( 'Version %1$s, verifying %2$s.', 'hookguard' ),
			$version ? $version : '?',
			implode( ', ', hookguard_schemes() )
		);
		$result['description'] = '<p>' . esc_html( $text ) . '</p>';
		if ( ! Limiter::available() ) {
			$result['status']          = 'recommended';
			$result['label']           = __( 'The HookGuard extension has no rate limiter', 'hookguard' );
			$result['badge']['color']  = 'orange';
			$result['description']    .= '<p>' . esc_html__( 'hookguard_rate_limit() is missing (an older extension), so rate limits are not enforced. Update the extension.', 'hookguard' ) . '</p>';
		}
		return $result;
	}
}
