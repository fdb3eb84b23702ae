<?php
// The suite runs against one implementation, chosen by HG_IMPLEMENTATION:
// "native" (default: the extension, loaded with -d extension=...) or "php"
// (php/compat/hookguard.php in a PHP without the extension: php -n ...).
// It fails loudly when the wanted one is not what runs, rather than skipping.
$wanted = getenv('HG_IMPLEMENTATION') ?: 'native';
if ($wanted === 'php') {
    if (extension_loaded('hookguard')) {
        fwrite(STDERR, "HG_IMPLEMENTATION=php needs a PHP without the extension: php -n -d extension=... (see tests/compat/run)\n");
        exit(1);
    }
    require_once __DIR__ . '/../../php/compat/hookguard.php';
} elseif (!extension_loaded('hookguard')) {
    fwrite(STDERR, "hookguard is not loaded: run via scripts/test, or php -d extension=target/release/libhookguard.so \$(command -v phpunit) -c tests/php/phpunit.xml\n");
    exit(1);
}
if (HOOKGUARD_IMPLEMENTATION !== $wanted) {
    fwrite(STDERR, "HOOKGUARD_IMPLEMENTATION is " . HOOKGUARD_IMPLEMENTATION . ", wanted $wanted\n");
    exit(1);
}
fwrite(STDERR, 'hookguard implementation: ' . HOOKGUARD_IMPLEMENTATION . '; rate limiter: ' . HOOKGUARD_RATE_LIMITER_MODE . "\n");

/** Whether the extension (not php/compat) runs. */
function hookguard_test_native(): bool
{
    return HOOKGUARD_IMPLEMENTATION === 'native';
}

/** The shared vectors (tests/vectors.json), with bodies and secrets as bytes. */
function hookguard_test_vectors(): array
{
    $json = json_decode(file_get_contents(__DIR__ . '/../vectors.json'), true, 512, JSON_THROW_ON_ERROR);
    $out = [];
    foreach ($json['vectors'] as $v) {
        $v['body'] = $v['body'] ?? base64_decode($v['body_base64']);
        $v['secret'] = $v['secret'] ?? base64_decode($v['secret_base64']);
        $out[$v['name']] = $v;
    }
    return $out;
}

/** The same headers in each shape PHP hands them over in. */
function hookguard_header_shapes(array $headers): array
{
    $server = $getall = $rest = [];
    foreach ($headers as $name => $value) {
        $server['HTTP_' . strtoupper(str_replace('-', '_', $name))] = $value;
        $getall[$name] = $value;
        $rest[strtolower(str_replace('-', '_', $name))] = [$value];
    }
    $server += ['REQUEST_METHOD' => 'POST', 'CONTENT_TYPE' => 'application/json', 'REMOTE_ADDR' => '127.0.0.1'];
    return ['$_SERVER' => $server, 'getallheaders()' => $getall, 'WP_REST_Request::get_headers()' => $rest,
            'lower-case' => array_change_key_case($getall, CASE_LOWER)];
}

// The API number php-config reports (the same one the engine checks at load).
define('PHP_API_VERSION_FOR_TEST', trim((string) shell_exec('php-config --phpapi')));
