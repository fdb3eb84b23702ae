<?php
/**
 * Site Health (Tools → Site Health) test: is the native extension loaded,
 * and does it have the rate limiter?
 *
 * @package HookGuard
 */

namespace HookGuard;

final class Site_Health {

	public static function register( mixed $tests ): mixed {
		$tests['direct']['hookguard_extension'] = array(
			'label' => __( 'HookGuard extension', 'hookguard' ),
			'test'  => array( self::class, 'test' ),
		);
		$tests['direct']['hookguard_spool'] = array(
			'label' => __( 'HookGuard spool', 'hookguard' ),
			'test'  => array( self::class, 'spool' ),
		);
		return $tests;
	}

	public static function test(): array {
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
		if ( 'php' === Plugin::implementation() ) {
			$result['label']          = __( 'HookGuard runs its PHP implementation', 'hookguard' );
			$result['status']         = 'recommended';
			$result['badge']['color'] = 'orange';
			$result['description']    = '<p>' . esc_html(
				sprintf(
					/* translators: 1: scheme list, 2: rate limiter mode */
					__( 'Verifying %1$s with the same results as the native extension. Rate limiter: %2$s. The native hookguard extension would verify about 5 times faster and keep rate limits exact across every PHP worker of the host (extension=hookguard.so for PHP-FPM and the CLI).', 'hookguard' ),
					implode( ', ', hookguard_schemes() ),
					HOOKGUARD_RATE_LIMITER_MODE
				)
			) . '</p>';
			return $result;
		}
		$version = phpversion( 'hookguard' );
		$text    = sprintf(
			/* translators: 1: extension version, 2: scheme list */
			__( 'Version %1$s, verifying %2$s.', 'hookguard' ),
			$version ? $version : '?',
			implode( ', ', hookguard_schemes() )
		);
		$result['description'] = '<p>' . esc_html( $text ) . '</p><p>' . esc_html(
			/* translators: %s: where rate limits are kept */
			sprintf( __( 'Rate limits: %s.', 'hookguard' ), $mode = Limiter::for_site()->mode() )
		) . '</p>';
		if ( 0 === strncmp( $mode, 'local fallback', 14 ) ) {
			$result['status']         = 'recommended';
			$result['label']          = __( 'HookGuard cannot reach Redis: rate limits are per web server', 'hookguard' );
			$result['badge']['color'] = 'orange';
		}
		return $result;
	}

	/**
	 * The spool (where deliveries wait while the database cannot take them):
	 * usable, and empty or draining; and the db-error.php drop-in that lets
	 * the REST route spool while WordPress cannot reach its database.
	 */
	public static function spool(): array {
		$spool                   = new Spool( Spool::default_dir( $_SERVER ) );
		list( $records, $bytes ) = $spool->usage();
		$dir                     = $spool->dir();
		$writable                = is_dir( $dir ) ? is_writable( $dir ) : is_writable( dirname( $dir ) );
		$result                  = array(
			'label'       => __( 'HookGuard can spool deliveries while the database is down', 'hookguard' ),
			'status'      => 'good',
			'badge'       => array(
				'label' => __( 'Reliability', 'hookguard' ),
				'color' => 'blue',
			),
			'description' => '<p>' . esc_html(
				/* translators: 1: directory, 2: record count, 3: bytes */
				sprintf( __( 'Spool directory %1$s: %2$d deliveries waiting (%3$d bytes).', 'hookguard' ), $dir, $records, $bytes )
			) . '</p>',
			'actions'     => '',
			'test'        => 'hookguard_spool',
		);
		if ( ! $writable ) {
			$result['status']          = 'critical';
			$result['label']           = __( 'HookGuard cannot spool deliveries', 'hookguard' );
			$result['badge']['color']  = 'red';
			$result['description']    .= '<p>' . esc_html__( 'PHP cannot write this directory, so a delivery the database cannot take is answered 503. Define HOOKGUARD_SPOOL_DIR in wp-config.php (and the same-named fastcgi_param in the fast path\'s nginx location) as a directory outside the web root that PHP can write.', 'hookguard' ) . '</p>';
		} elseif ( $records > 0 ) {
			$result['status']          = 'recommended';
			$result['label']           = __( 'HookGuard has deliveries waiting in its spool', 'hookguard' );
			$result['badge']['color']  = 'orange';
			$result['description']    .= '<p>' . esc_html__( 'They move into the queue at the next delivery, worker run or php cli.php drain, once the database answers.', 'hookguard' ) . '</p>';
		}
		if ( ! Plugin::drop_in_is_ours() ) {
			$result['description'] .= '<p>' . esc_html__( 'wp-content/db-error.php is not HookGuard\'s: while the database is down, the REST route answers with WordPress\'s error page instead of spooling (the fast path is not affected).', 'hookguard' ) . '</p>';
		}
		return $result;
	}
}
