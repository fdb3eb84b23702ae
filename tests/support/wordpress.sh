# shellcheck shell=bash
# WordPress installed into a temporary directory against the database from
# tests/support/mariadb.sh: Debian's `wordpress` package (6.1) by default, or
# a release build from the fixtures beside the repository.
#
#   source tests/support/mariadb.sh; source tests/support/wordpress.sh
#   hg_mariadb_start "$tmp/db"
#   hg_wordpress_copy "$tmp/wp"                     # the files (hardlinked when possible)
#   hg_fpm_start "$tmp/wp" 4                         # from tests/support/fpm.sh
#   hg_wordpress_install "$tmp/wp" "http://127.0.0.1:$HG_HTTP_PORT" php/hookguard
#   hg_wp_php 'echo get_option("home");'            # PHP code run inside that WordPress
#
# hg_wordpress_install writes wp-config.php (fresh salts, pretty permalinks so
# /wp-json/ routes work, outgoing HTTP blocked except to 127.0.0.1, mail
# disabled), installs the site with wp_install(), links each plugin folder
# into wp-content/plugins and activates it. Extra wp-config.php lines can be
# passed in HG_WP_EXTRA_CONFIG. Exports HG_WP_DIR, HG_WP_URL,
# HG_WP_ADMIN_USER, HG_WP_ADMIN_PASSWORD.
#
# Which WordPress: HG_WORDPRESS_SOURCE, a directory holding WordPress's files
# (default /usr/share/wordpress). For a release build from the fixtures:
#
#   hg_wordpress_use_fixture 6.9.7 "$tmp/src" || { echo "skipped: $HG_FIXTURE_MISSING"; exit 0; }
#
# hg_scratch_dir PREFIX prints a new temporary directory for a whole site
# (MariaDB's datadir, WordPress's files): in $TMPDIR when set, else in
# /dev/shm when it has 2 GB free (the ten thousand small files of a
# WordPress with WooCommerce are made and removed there in a second, against
# tens of seconds on a busy disk), else in /tmp.
#
# Fixtures are release tarballs in $HG_FIXTURES_DIR (default
# <repo>/../shared/fixtures, see its README.md), checked against its
# SHA256SUMS and never copied into the repository:
#   hg_fixture_extract FILE DIR   extracts FILE into DIR once (a DIR that holds a
#                                 finished extraction is reused, so one run
#                                 extracts each tarball once); status 2 with
#                                 HG_FIXTURE_MISSING set when FILE is absent.
#   hg_wordpress_use_fixture VERSION CACHE
#                                 extracts wordpress-VERSION.tar.xz into
#                                 CACHE/wordpress-VERSION and points
#                                 HG_WORDPRESS_SOURCE at it (status 2 if absent).

HG_WORDPRESS_SOURCE=${HG_WORDPRESS_SOURCE:-/usr/share/wordpress}
HG_WORDPRESS_REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"

HG_FIXTURES_DIR=${HG_FIXTURES_DIR:-$HG_WORDPRESS_REPO/../shared/fixtures}

hg_scratch_dir() {
  local base=${TMPDIR:-} dir
  if [ -z "$base" ]; then
    base=/tmp
    if [ -d /dev/shm ] && [ -w /dev/shm ] && (($(df -Pk /dev/shm | awk 'NR == 2 { print $4 }') > 2097152)); then
      base=/dev/shm
    fi
  fi
  dir=$(mktemp -d "$base/$1.XXXXXX") || return 1
  chmod 755 "$dir" # nginx's workers (nobody) read the site's files
  echo "$dir"
}

hg_fixture_extract() {
  local file=$1 dir=$2 archive
  archive="$HG_FIXTURES_DIR/$file"
  if [ ! -f "$archive" ]; then
    HG_FIXTURE_MISSING="$archive not found (the fixtures live in ../shared/fixtures beside the repository)"
    return 2
  fi
  [ -f "$dir/.hg-extracted" ] && return 0
  if [ -f "$HG_FIXTURES_DIR/SHA256SUMS" ]; then
    (cd "$HG_FIXTURES_DIR" && grep " $file\$" SHA256SUMS | sha256sum --quiet -c -) \
      || { echo "hg_fixture_extract: $archive does not match SHA256SUMS" >&2; return 1; }
  fi
  rm -rf "$dir"
  mkdir -p "$dir"
  tar -xJf "$archive" -C "$dir" --no-same-owner || return 1
  # nginx's workers (nobody) read the copies, which are hardlinks to these.
  chmod -R a+rX "$dir"
  touch "$dir/.hg-extracted"
}

hg_wordpress_use_fixture() {
  local version=$1 cache=$2
  hg_fixture_extract "wordpress-$version.tar.xz" "$cache/wordpress-$version" || return
  HG_WORDPRESS_SOURCE=$cache/wordpress-$version
}

# PHP CLI with the HookGuard extension when HG_EXTENSION names the built .so.
hg_php() {
  if [ -n "${HG_EXTENSION:-}" ]; then php -d extension="$HG_EXTENSION" "$@"; else php "$@"; fi
}

hg_wordpress_copy() {
  local dir=$1
  mkdir -p "$dir"
  chmod 755 "$dir"
  # Hardlinks make the copy instant; nothing below edits a core file in place.
  cp -al "$HG_WORDPRESS_SOURCE/." "$dir/" 2>/dev/null || cp -a "$HG_WORDPRESS_SOURCE/." "$dir/"
  rm -f "$dir/wp-config.php" "$dir/.htaccess" "$dir/.hg-extracted"
  mkdir -p "$dir/wp-content/uploads" "$dir/wp-content/mu-plugins"
  chmod 1777 "$dir/wp-content/uploads"
}

hg_wordpress_install() {
  local dir=$1 url=$2
  shift 2
  HG_WP_DIR=$dir
  HG_WP_URL=$url
  HG_WP_ADMIN_USER=admin
  HG_WP_ADMIN_PASSWORD=${HG_WP_ADMIN_PASSWORD:-$(openssl rand -hex 12)}
  export HG_WP_DIR HG_WP_URL HG_WP_ADMIN_USER HG_WP_ADMIN_PASSWORD

  local salts="" name
  for name in AUTH_KEY SECURE_AUTH_KEY LOGGED_IN_KEY NONCE_KEY AUTH_SALT SECURE_AUTH_SALT LOGGED_IN_SALT NONCE_SALT; do
    salts+="define('$name', '$(openssl rand -hex 32)');"$'\n'
  done
  cat >"$dir/wp-config.php" <<PHP
<?php
define('DB_NAME', '$HG_DB_NAME');
define('DB_USER', '$HG_DB_USER');
define('DB_PASSWORD', '$HG_DB_PASSWORD');
define('DB_HOST', 'localhost:$HG_DB_SOCKET');
define('DB_CHARSET', 'utf8mb4');
define('DB_COLLATE', '');
$salts
\$table_prefix = 'wp_';
define('WP_HOME', '$url');
define('WP_SITEURL', '$url');
define('WP_DEBUG', false);
define('WP_HTTP_BLOCK_EXTERNAL', true);
define('AUTOMATIC_UPDATER_DISABLED', true);
define('WP_AUTO_UPDATE_CORE', false);
define('FS_METHOD', 'direct');
${HG_WP_EXTRA_CONFIG:-}
if (!defined('ABSPATH')) {
    define('ABSPATH', __DIR__ . '/');
}
require_once ABSPATH . 'wp-settings.php';
PHP
  # No mail server here: WordPress's notices would only fail slowly.
  cat >"$dir/wp-content/mu-plugins/hookguard-test-site.php" <<'PHP'
<?php
/* Plugin Name: Test site (no outgoing mail, no update checks) */
add_filter('pre_wp_mail', '__return_true');
// Nor any route to WordPress.org: no update checks.
foreach (array('update_core', 'update_plugins', 'update_themes') as $hg_transient) {
    add_filter('pre_site_transient_' . $hg_transient, static function () {
        return (object) array('last_checked' => time(), 'version_checked' => $GLOBALS['wp_version'], 'updates' => array(), 'response' => array(), 'translations' => array());
    });
}
PHP

  local plugin plugins=()
  for plugin in "$@"; do
    plugin=$(cd "$plugin" && pwd)
    ln -sfn "$plugin" "$dir/wp-content/plugins/$(basename "$plugin")"
    plugins+=("$(basename "$plugin")")
  done

  HG_WP_PLUGINS="${plugins[*]}"
  export HG_WP_PLUGINS
  HG_WP_DIR="$dir" hg_php -d display_errors=stderr -r '
    define("WP_INSTALLING", true);
    $_SERVER["HTTP_HOST"] = parse_url(getenv("HG_WP_URL") ?: "http://127.0.0.1", PHP_URL_HOST);
    require getenv("HG_WP_DIR") . "/wp-load.php";
    require_once ABSPATH . "wp-admin/includes/upgrade.php";
    $r = wp_install("HookGuard test site", "admin", "admin@example.com", false, "", getenv("HG_WP_ADMIN_PASSWORD"));
    if (is_wp_error($r)) { fwrite(STDERR, $r->get_error_message() . "\n"); exit(1); }
  ' || return 1
  # Activation runs in a normal (not installing) request so plugins boot fully.
  hg_wp_php '
    global $wp_rewrite;
    $wanted = array_filter(explode(" ", getenv("HG_WP_PLUGINS")));
    $wp_rewrite->set_permalink_structure("/%postname%/");
    flush_rewrite_rules(false);
    require_once ABSPATH . "wp-admin/includes/plugin.php";
    foreach ($wanted as $slug) {
      $file = null;
      foreach (get_plugins("/" . $slug) as $f => $_) { $file = $slug . "/" . $f; }
      if (!$file) { fwrite(STDERR, "no plugin in $slug\n"); exit(1); }
      $r = activate_plugin($file);
      if (is_wp_error($r)) { fwrite(STDERR, $r->get_error_message() . "\n"); exit(1); }
    }
    if (count(get_option("active_plugins")) !== count($wanted)) { fwrite(STDERR, "plugins not active\n"); exit(1); }' || return 1
}

# Runs PHP code inside the installed WordPress (full load, as WP-CLI would).
hg_wp_php() {
  HG_WP_CODE=$1 hg_php -d display_errors=stderr -r '
    $_SERVER["HTTP_HOST"] = parse_url(getenv("HG_WP_URL"), PHP_URL_HOST);
    require getenv("HG_WP_DIR") . "/wp-load.php";
    eval(getenv("HG_WP_CODE"));'
}

# The nginx location of HookGuard's fast path (for HG_NGINX_EXTRA of
# tests/support/fpm.sh): the snippet site owners are given (the plugin's
# php/hookguard/fast-path.nginx.conf with the installed site's key, as
# `cli.php nginx` prints it), pointed at this pool's socket. The REST route
# stays reachable as /index.php?rest_route=/hookguard/v1/receive/{source}.
hg_wordpress_fast_path_location() {
  hg_wp_php 'echo HookGuard\Fast_Path::nginx_location("\$document_root/wp-content/plugins/hookguard/receive.php", "unix:@FPM_SOCKET@");' |
    sed -e 's|^\( *\)include fastcgi_params;|\1include /etc/nginx/fastcgi_params;|'
}

# hg_wordpress_site DIR PLUGIN_DIR...: the whole stack the WordPress suite,
# the demo and the benchmark run on: MariaDB in DIR/db, WordPress in DIR/wp
# with the plugins active, nginx + php-fpm (HG_FPM_WORKERS, default 4) with
# the extension and HookGuard's fast-path location. WP-Cron is off (each
# caller runs workers itself). Needs tests/support/{mariadb,fpm}.sh sourced.
# Stop it with hg_wordpress_site_stop.
hg_wordpress_site() {
  local dir=$1
  shift
  hg_mariadb_start "$dir/db" >/dev/null || return 1
  hg_wordpress_copy "$dir/wp"
  # The pool settings the README asks for: a frozen database costs a request
  # a bounded time on the REST route too (WordPress connects before plugins load).
  hg_fpm_start "$dir/wp" "${HG_FPM_WORKERS:-4}" -d mysqlnd.net_read_timeout=2 -d default_socket_timeout=2 || return 1
  HG_WP_EXTRA_CONFIG="define('DISABLE_WP_CRON', true);${HG_WP_EXTRA_CONFIG:-}" \
    hg_wordpress_install "$dir/wp" "$HG_BASE_URL" "$@" || return 1
  # The fast-path location carries the site's key, known once WordPress is installed.
  local location
  location=$(hg_wordpress_fast_path_location) || return 1
  HG_NGINX_EXTRA="${HG_NGINX_EXTRA:-}
$location"
  export HG_NGINX_EXTRA
  hg_nginx_reload
}

hg_wordpress_site_stop() {
  hg_fpm_stop
  hg_mariadb_stop
}
