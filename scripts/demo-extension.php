<?php
/**
 * The extension on its own: a WooCommerce-style delivery signed the way
 * WooCommerce signs it, then verified the way a receiver must, in every
 * header shape PHP hands over, plus the deliveries a receiver must refuse.
 */
$secret = 'demo-secret-&amp;-' . bin2hex(random_bytes(8)); // WooCommerce stores it HTML-escaped
$body = trim(json_encode(['id' => 10421, 'status' => 'processing', 'total' => '49.90', 'currency' => 'EUR']));

$signed = hookguard_sign('woocommerce', $body, $secret);
$headers = [
    'X-WC-Webhook-Source' => 'https://shop.example/',
    'X-WC-Webhook-Topic' => 'order.created',
    'X-WC-Webhook-Resource' => 'order',
    'X-WC-Webhook-Event' => 'created',
    'X-WC-Webhook-ID' => '7',
    'X-WC-Webhook-Delivery-ID' => md5('7' . time()),
] + $signed;

echo "hookguard ", phpversion('hookguard'), " in PHP ", PHP_VERSION, "\n";
echo "Signed a WooCommerce order.created delivery (", strlen($body), " bytes):\n";
echo "  X-WC-Webhook-Signature: ", $signed['X-WC-Webhook-Signature'], "\n";
require_once '/usr/share/wordpress/wp-includes/formatting.php'; // WordPress's own wp_specialchars_decode()
$php = base64_encode(hash_hmac('sha256', $body, wp_specialchars_decode($secret, ENT_QUOTES), true));
echo "  same as WooCommerce's base64(hash_hmac(sha256, body, wp_specialchars_decode(secret))): ", $php === $signed['X-WC-Webhook-Signature'] ? 'yes' : 'NO', "\n\n";

$server = [];
foreach ($headers as $k => $v) {
    $server['HTTP_' . strtoupper(str_replace('-', '_', $k))] = $v;
}
$rest = [];
foreach ($headers as $k => $v) {
    $rest[strtolower(str_replace('-', '_', $k))] = [$v];
}
$cases = [
    'authentic, headers from getallheaders()' => [$body, $headers],
    'authentic, headers from $_SERVER' => [$body, $server],
    'authentic, headers from WP_REST_Request' => [$body, $rest],
    'body re-encoded by a JSON parser' => [json_encode(json_decode($body), JSON_PRETTY_PRINT), $headers],
    'one byte changed (total 49.90 -> 19.90)' => [str_replace('49.90', '19.90', $body), $headers],
    'signature header missing' => [$body, array_diff_key($headers, $signed)],
    'signature header garbled' => [$body, ['X-WC-Webhook-Signature' => 'not-base64!'] + $headers],
];
$ok = true;
foreach ($cases as $what => [$b, $h]) {
    $answer = hookguard_check('woocommerce', $b, $h, $secret);
    $expected = str_starts_with($what, 'authentic') ? 'ok' : 'not ok';
    $ok = $ok && (($answer === 'ok') === ($expected === 'ok'));
    printf("  %-42s → %s\n", $what, $answer);
}
echo "\nRotation: verified against [old, new] secrets → ", var_export(hookguard_verify('woocommerce', $body, $headers, ['old-secret', $secret]), true), "\n";
exit($ok ? 0 : 1);
