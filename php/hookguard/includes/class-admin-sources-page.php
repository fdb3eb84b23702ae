<?php
/**
 * HookGuard → Sources: the sources saved in the admin (add, edit, delete),
 * those registered in code (read-only), and the site-wide settings.
 * Secrets are write-only: a saved secret is only ever shown masked.
 *
 * @package HookGuard
 */

namespace HookGuard;

final class Admin_Sources_Page {

	const SLUG = 'hookguard';

	public static function hook(): void {
		add_action( 'admin_menu', array( self::class, 'menu' ) );
		add_action( 'admin_init', array( self::class, 'register_settings' ) );
		add_action( 'admin_post_hookguard_save_source', array( self::class, 'save_source' ) );
		add_action( 'admin_post_hookguard_delete_source', array( self::class, 'delete_source' ) );
	}

	public static function capability(): string {
		return (string) apply_filters( 'hookguard_capability', 'manage_options' );
	}

	public static function menu(): void {
		add_menu_page( __( 'HookGuard sources', 'hookguard' ), __( 'HookGuard', 'hookguard' ), self::capability(), self::SLUG, array( self::class, 'render' ), 'dashicons-shield', 81 );
		add_submenu_page( self::SLUG, __( 'HookGuard sources', 'hookguard' ), __( 'Sources', 'hookguard' ), self::capability(), self::SLUG, array( self::class, 'render' ) );
	}

	public static function register_settings(): void {
		register_setting(
			'hookguard',
			Settings::OPTION,
			array(
				'type'              => 'array',
				'sanitize_callback' => array( Settings::class, 'sanitize' ),
				'default'           => Settings::DEFAULTS,
			)
		);
	}

	/** Sends the user back to the page with a one-time notice. */
	public static function redirect( string $page, string $type, string $text ): never {
		set_transient( 'hookguard_notice_' . get_current_user_id(), array( $type, $text ), 120 );
		wp_safe_redirect( admin_url( 'admin.php?page=' . $page ) );
		exit;
	}

	public static function notice(): void {
		$key    = 'hookguard_notice_' . get_current_user_id();
		$notice = get_transient( $key );
		if ( is_array( $notice ) ) {
			delete_transient( $key );
			printf( '<div class="notice notice-%1$s hookguard-notice"><p>%2$s</p></div>', esc_attr( 'error' === $notice[0] ? 'error' : 'success' ), esc_html( $notice[1] ) );
		}
	}

	/** Stops unless the user may manage HookGuard and $nonce_action's nonce is valid. */
	public static function require_capability( string $nonce_action ): void {
		if ( ! current_user_can( self::capability() ) ) {
			wp_die( esc_html__( 'You are not allowed to manage HookGuard.', 'hookguard' ), 403 );
		}
		check_admin_referer( $nonce_action );
	}

	public static function save_source(): void {
		self::require_capability( 'hookguard_save_source' );
		$post = wp_unslash( $_POST ); // phpcs:ignore WordPress.Security.NonceVerification -- checked above.
		$name = isset( $post['name'] ) ? sanitize_key( $post['name'] ) : '';
		if ( Source_Registry::is_code_source( $name ) ) {
			self::redirect( self::SLUG, 'error', __( 'This source is registered in code; change it there.', 'hookguard' ) );
		}
		$existing = Source_Registry::admin_sources();
		if ( empty( $post['editing'] ) && isset( $existing[ $name ] ) ) {
			/* translators: %s: source name */
			self::redirect( self::SLUG, 'error', sprintf( __( 'A source named "%s" already exists; edit it instead.', 'hookguard' ), $name ) );
		}
		$secrets  = isset( $existing[ $name ] ) ? $existing[ $name ]->secrets : array();
		$remove   = isset( $post['remove_secret'] ) ? array_map( 'intval', (array) $post['remove_secret'] ) : array();
		$secrets  = array_values( array_diff_key( $secrets, array_flip( $remove ) ) );
		// Secrets are taken byte for byte: no trimming or sanitising may change a key.
		$new = isset( $post['new_secret'] ) ? (string) $post['new_secret'] : '';
		if ( '' !== $new ) {
			$secrets[] = $new;
		}
		try {
			$source = Source::from_args( $name, self::args_from_form( $post, $secrets ), 'HookGuard' );
		} catch ( \ValueError | \TypeError $e ) {
			$why = preg_replace( '/^\S+\(\): Argument #\d+ \(\$\w+\) /', '', $e->getMessage() );
			/* translators: %s: what is wrong */
			self::redirect( self::SLUG, 'error', sprintf( __( 'Not saved: %s', 'hookguard' ), $why ) );
		}
		Source_Registry::save_admin_source( $source );
		/* translators: %s: source name */
		self::redirect( self::SLUG, 'success', sprintf( __( 'Source "%s" saved.', 'hookguard' ), $name ) );
	}

	/** hookguard_register_source()-style arguments from the form. */
	private static function args_from_form( array $post, array $secrets ): array {
		$text = static function ( string $key ) use ( $post ): string {
			return isset( $post[ $key ] ) ? trim( sanitize_text_field( (string) $post[ $key ] ) ) : '';
		};
		$int  = static function ( string $key, int $default ) use ( $text ): int {
			return ctype_digit( $text( $key ) ) ? (int) $text( $key ) : $default;
		};
		$options = array();
		foreach ( array( 'algo', 'encoding', 'header', 'prefix', 'timestamp_header', 'id_header', 'signed_content' ) as $key ) {
			if ( '' !== $text( 'opt_' . $key ) ) {
				$options[ $key ] = $text( 'opt_' . $key );
			}
		}
		if ( '' !== $text( 'opt_tolerance' ) ) {
			$options['tolerance'] = $int( 'opt_tolerance', 300 );
		}
		$args = array(
			'scheme'         => $text( 'scheme' ),
			'secrets'        => $secrets ? $secrets : array(),
			'label'          => '' !== $text( 'label' ) ? $text( 'label' ) : $text( 'name' ),
			'options'        => $options,
			'topics'         => array_values( array_filter( array_map( 'trim', explode( ',', $text( 'topics' ) ) ) ) ),
			'max_body'       => $int( 'max_body', Source::DEFAULT_MAX_BODY ),
			'max_attempts'   => $int( 'max_attempts', Source::DEFAULT_ATTEMPTS ),
			'backoff'        => $int( 'backoff', Source::DEFAULT_BACKOFF ),
			'sender_retries' => ! empty( $post['sender_retries'] ),
			'rate_limit'     => array(
				'failed'   => $int( 'fail_limit', 0 ) > 0 ? array( 'limit' => $int( 'fail_limit', 0 ), 'period' => $int( 'fail_period', 60 ) ) : false,
				'verified' => $int( 'verified_limit', 0 ) > 0 ? array( 'limit' => $int( 'verified_limit', 0 ), 'period' => $int( 'verified_period', 60 ) ) : false,
			),
		);
		foreach ( array( 'idempotency', 'topic_from' ) as $key ) {
			if ( '' !== $text( $key ) ) {
				$args[ $key ] = $text( $key );
			}
		}
		return $args;
	}

	public static function delete_source(): void {
		$name = isset( $_POST['name'] ) ? sanitize_key( wp_unslash( $_POST['name'] ) ) : ''; // phpcs:ignore WordPress.Security.NonceVerification -- checked next.
		self::require_capability( 'hookguard_delete_source_' . $name );
		Source_Registry::delete_admin_source( $name );
		/* translators: %s: source name */
		self::redirect( self::SLUG, 'success', sprintf( __( 'Source "%s" deleted.', 'hookguard' ), $name ) );
	}

	public static function render(): void {
		if ( ! current_user_can( self::capability() ) ) {
			return;
		}
		$editing = isset( $_GET['edit'] ) ? sanitize_key( wp_unslash( $_GET['edit'] ) ) : ''; // phpcs:ignore WordPress.Security.NonceVerification -- only selects what to show.
		$sources = Source_Registry::all();
		$stored  = Source_Registry::admin_stored();
		echo '<div class="wrap"><h1>' . esc_html__( 'HookGuard sources', 'hookguard' ) . '</h1>';
		self::notice();
		if ( ! Plugin::extension_loaded() ) {
			echo '<div class="notice notice-error"><p>' . esc_html__( 'The hookguard PHP extension is not loaded: deliveries are answered 503.', 'hookguard' ) . '</p></div>';
		}
		self::render_table( $sources, $stored );
		$current = $editing && isset( $sources[ $editing ] ) && 'admin' === $sources[ $editing ]->origin ? $sources[ $editing ] : null;
		self::render_form( $current, $editing && isset( $stored[ $editing ] ) ? count( (array) $stored[ $editing ]['secrets'] ) : 0 );
		self::render_settings();
		echo '</div>';
	}

	private static function render_table( array $sources, array $stored ): void {
		echo '<h2>' . esc_html__( 'Configured sources', 'hookguard' ) . '</h2>';
		echo '<table class="widefat striped hookguard-sources"><thead><tr>';
		foreach ( array( __( 'Name', 'hookguard' ), __( 'Scheme', 'hookguard' ), __( 'Secrets', 'hookguard' ), __( 'Topics', 'hookguard' ), __( 'Delivery URL', 'hookguard' ), __( 'Defined in', 'hookguard' ), '' ) as $heading ) {
			echo '<th>' . esc_html( $heading ) . '</th>';
		}
		echo '</tr></thead><tbody>';
		if ( ! $sources ) {
			echo '<tr><td colspan="7">' . esc_html__( 'No sources yet. Add one below or register one in code with hookguard_register_source().', 'hookguard' ) . '</td></tr>';
		}
		foreach ( $sources as $name => $source ) {
			$masked = array_map( array( Crypto::class, 'mask' ), $source->secrets );
			if ( 'admin' === $source->origin && isset( $stored[ $name ] ) && count( (array) $stored[ $name ]['secrets'] ) > count( $source->secrets ) ) {
				$masked[] = __( '(unreadable: the encryption key changed; enter it again)', 'hookguard' );
			}
			echo '<tr class="hookguard-source" data-source="' . esc_attr( $name ) . '">';
			echo '<td><strong>' . esc_html( $name ) . '</strong>' . ( $source->label !== $name ? '<br>' . esc_html( $source->label ) : '' ) . '</td>';
			echo '<td>' . esc_html( $source->scheme ) . '</td>';
			echo '<td class="hookguard-secrets">' . implode( '<br>', array_map( 'esc_html', $masked ) ) . '</td>';
			echo '<td>' . esc_html( $source->topics ? implode( ', ', $source->topics ) : __( 'all', 'hookguard' ) ) . '</td>';
			echo '<td><code>' . esc_html( rest_url( 'hookguard/v1/receive/' . $name ) ) . '</code></td>';
			echo '<td>' . esc_html( 'code' === $source->origin ? __( 'code', 'hookguard' ) : __( 'settings', 'hookguard' ) ) . '</td><td>';
			if ( 'admin' === $source->origin ) {
				echo '<a class="button" href="' . esc_url( admin_url( 'admin.php?page=' . self::SLUG . '&edit=' . rawurlencode( $name ) ) ) . '">' . esc_html__( 'Edit', 'hookguard' ) . '</a> ';
				echo '<form method="post" action="' . esc_url( admin_url( 'admin-post.php' ) ) . '" style="display:inline">';
				wp_nonce_field( 'hookguard_delete_source_' . $name );
				echo '<input type="hidden" name="action" value="hookguard_delete_source"><input type="hidden" name="name" value="' . esc_attr( $name ) . '">';
				echo '<button class="button button-link-delete" type="submit">' . esc_html__( 'Delete', 'hookguard' ) . '</button></form>';
			}
			echo '</td></tr>';
		}
		echo '</tbody></table>';
	}

	private static function field( string $label, string $html, string $help = '' ): void {
		echo '<tr><th scope="row">' . esc_html( $label ) . '</th><td>' . $html . ( $help ? '<p class="description">' . esc_html( $help ) . '</p>' : '' ) . '</td></tr>'; // phpcs:ignore WordPress.Security.EscapeOutput -- $html is built from escaped parts.
	}

	private static function input( string $name, string|int|float $value, string $type = 'text', string $extra = '' ): string {
		return '<input type="' . esc_attr( $type ) . '" name="' . esc_attr( $name ) . '" id="hookguard-' . esc_attr( $name ) . '" value="' . esc_attr( (string) $value ) . '" class="regular-text" ' . $extra . '>';
	}

	private static function render_form( ?Source $source, int $stored_secret_count ): void {
		$s = $source ? $source : Source::from_array( array( 'scheme' => 'woocommerce', 'secrets' => array(), 'options' => array(), 'topics' => array(), 'fail_limit' => array( 'limit' => Source::DEFAULT_FAIL_LIMIT, 'period' => Source::DEFAULT_PERIOD ), 'max_body' => Source::DEFAULT_MAX_BODY, 'max_attempts' => Source::DEFAULT_ATTEMPTS, 'backoff' => Source::DEFAULT_BACKOFF ) );
		echo '<h2>' . esc_html( $source ? __( 'Edit source', 'hookguard' ) : __( 'Add a source', 'hookguard' ) ) . '</h2>';
		echo '<form method="post" action="' . esc_url( admin_url( 'admin-post.php' ) ) . '" class="hookguard-source-form" autocomplete="off">';
		wp_nonce_field( 'hookguard_save_source' );
		echo '<input type="hidden" name="action" value="hookguard_save_source"><input type="hidden" name="editing" value="' . ( $source ? '1' : '' ) . '"><table class="form-table" role="presentation">';
		self::field( __( 'Name', 'hookguard' ), self::input( 'name', $source ? $source->name : '', 'text', $source ? 'readonly' : 'required pattern="[a-z0-9][a-z0-9_\-]{0,63}"' ), __( 'Lower-case letters, digits, "-" and "_". The delivery URL ends with it.', 'hookguard' ) );
		self::field( __( 'Label', 'hookguard' ), self::input( 'label', $source ? $source->label : '' ) );
		$options = '';
		foreach ( Scheme_Profile::schemes() as $scheme ) {
			$options .= '<option value="' . esc_attr( $scheme ) . '"' . selected( $s->scheme, $scheme, false ) . '>' . esc_html( $scheme ) . '</option>';
		}
		self::field( __( 'Scheme', 'hookguard' ), '<select name="scheme" id="hookguard-scheme">' . $options . '</select>' );
		$current = '';
		foreach ( $s->secrets as $i => $secret ) {
			$current .= '<label><input type="checkbox" name="remove_secret[]" value="' . esc_attr( (string) $i ) . '"> ' . esc_html( sprintf( /* translators: %s: masked secret */ __( 'remove %s', 'hookguard' ), Crypto::mask( $secret ) ) ) . '</label><br>';
		}
		if ( $stored_secret_count > count( $s->secrets ) ) {
			$current .= '<p>' . esc_html__( 'A stored secret can no longer be read (the encryption key changed); enter it again.', 'hookguard' ) . '</p>';
		}
		self::field( __( 'Secrets', 'hookguard' ), $current . self::input( 'new_secret', '', 'password', 'autocomplete="new-password"' ), __( 'Write-only: a saved secret is never shown again. Add the new secret before removing the old one to rotate without rejecting deliveries.', 'hookguard' ) );
		self::field( __( 'Topics', 'hookguard' ), self::input( 'topics', implode( ', ', $s->topics ) ), __( 'Comma-separated, e.g. "order.created, order.updated" or "order.*". Empty accepts every topic; others are answered 200 "ignored".', 'hookguard' ) );
		self::field( __( 'Hash algorithm', 'hookguard' ), self::input( 'opt_algo', isset( $s->options['algo'] ) ? $s->options['algo'] : '' ), __( 'woocommerce and hmac only: sha256 (default), sha1 or sha512.', 'hookguard' ) );
		self::field( __( 'Timestamp tolerance (s)', 'hookguard' ), self::input( 'opt_tolerance', isset( $s->options['tolerance'] ) ? $s->options['tolerance'] : '', 'number' ), __( 'Timestamped schemes; default 300.', 'hookguard' ) );
		foreach ( array( 'header', 'encoding', 'prefix', 'timestamp_header', 'id_header', 'signed_content' ) as $key ) {
			/* translators: %s: option name */
			self::field( sprintf( __( 'hmac: %s', 'hookguard' ), $key ), self::input( 'opt_' . $key, isset( $s->options[ $key ] ) ? $s->options[ $key ] : '' ) );
		}
		self::field( __( 'Failed requests per client IP', 'hookguard' ), self::input( 'fail_limit', $s->fail_limit ? $s->fail_limit['limit'] : 0, 'number', 'min="0" style="width:8em"' ) . ' / ' . self::input( 'fail_period', $s->fail_limit ? $s->fail_limit['period'] : 60, 'number', 'min="1" style="width:6em"' ) . ' s', __( 'Past this, unverified requests from that IP get 429. 0 turns it off.', 'hookguard' ) );
		self::field( __( 'Sender retries after 429/5xx', 'hookguard' ), '<label><input type="checkbox" name="sender_retries" value="1"' . checked( $s->sender_retries, true, false ) . '> ' . esc_html__( 'yes', 'hookguard' ) . '</label>', __( 'WooCommerce does not: its verified deliveries are never limited.', 'hookguard' ) );
		self::field( __( 'Verified deliveries', 'hookguard' ), self::input( 'verified_limit', $s->verified_limit ? $s->verified_limit['limit'] : 0, 'number', 'min="0" style="width:8em"' ) . ' / ' . self::input( 'verified_period', $s->verified_limit ? $s->verified_limit['period'] : 60, 'number', 'min="1" style="width:6em"' ) . ' s', __( 'Only for senders that retry. 0 = no limit.', 'hookguard' ) );
		self::field( __( 'Largest body (bytes)', 'hookguard' ), self::input( 'max_body', $s->max_body, 'number', 'min="1"' ) );
		self::field( __( 'Attempts', 'hookguard' ), self::input( 'max_attempts', $s->max_attempts, 'number', 'min="1"' ) );
		self::field( __( 'Retry delay (s)', 'hookguard' ), self::input( 'backoff', $s->backoff, 'number', 'min="0"' ), __( 'Doubled after each failed attempt, with jitter.', 'hookguard' ) );
		self::field( __( 'Idempotency key', 'hookguard' ), self::input( 'idempotency', $source ? $s->idempotency : '' ), __( 'Empty = the scheme\'s default. "header:Name", "json:path", "body".', 'hookguard' ) );
		echo '</table>';
		submit_button( $source ? __( 'Save source', 'hookguard' ) : __( 'Add source', 'hookguard' ), 'primary', 'submit', true, array( 'id' => 'hookguard-save-source' ) );
		echo '</form>';
	}

	private static function render_settings(): void {
		$settings = Settings::all();
		echo '<h2>' . esc_html__( 'Settings', 'hookguard' ) . '</h2><form method="post" action="options.php" class="hookguard-settings-form">';
		settings_fields( 'hookguard' );
		$name = Settings::OPTION;
		echo '<table class="form-table" role="presentation">';
		self::field( __( 'Trusted proxies', 'hookguard' ), '<textarea name="' . esc_attr( $name ) . '[trusted_proxies]" rows="3" class="large-text code">' . esc_textarea( implode( "\n", $settings['trusted_proxies'] ) ) . '</textarea>', __( 'IPs or CIDR ranges, one per line. Only requests from these have X-Forwarded-For believed.', 'hookguard' ) );
		self::field( __( 'Start a worker after each delivery', 'hookguard' ), '<input type="hidden" name="' . esc_attr( $name ) . '[kick]" value="0"><label><input type="checkbox" name="' . esc_attr( $name ) . '[kick]" value="1"' . checked( $settings['kick'], true, false ) . '> ' . esc_html__( 'yes (otherwise WP-Cron or the CLI drains)', 'hookguard' ) . '</label>' );
		self::field( __( 'Worker kick URL', 'hookguard' ), self::input( $name . '[kick_url]', $settings['kick_url'], 'url', 'class="regular-text code" placeholder="' . esc_attr( Kicker::target() ) . '"' ), __( 'Where the worker is started, fixed here and never taken from a request. Empty = the drain route under the site address stored in the database.', 'hookguard' ) );
		foreach ( array( 'lease' => __( 'Claim lease (s)', 'hookguard' ), 'batch' => __( 'Batch size', 'hookguard' ), 'time_limit' => __( 'Worker time limit (s)', 'hookguard' ), 'retention_days' => __( 'Keep completed deliveries (days)', 'hookguard' ) ) as $key => $label ) {
			self::field( $label, self::input( $name . '[' . $key . ']', $settings[ $key ], 'number', 'min="1"' ) );
		}
		echo '</table>';
		submit_button( __( 'Save settings', 'hookguard' ) );
		echo '</form>';
		echo '<h2>' . esc_html__( 'Fast path (nginx)', 'hookguard' ) . '</h2><p>' . esc_html__( 'Put this location in the site\'s nginx server block (before its other locations) and keep that file readable by root only: the key in it is this site\'s own. It changes when the encryption key changes.', 'hookguard' ) . '</p>';
		echo '<pre class="hookguard-nginx code">' . esc_html( Fast_Path::nginx_location() ) . '</pre>';
	}
}
