<?php
/**
 * Writes N signed WooCommerce order.created deliveries, one a line:
 * body TAB signature TAB delivery-id (each body unique, so each is accepted).
 * A line "forged" gives one body with a wrong signature instead.
 *
 * usage: php requests.php N SECRET [FIRST_ORDER_ID] > file   |   php requests.php forged SECRET
 */

list( , $n, $secret ) = $argv;
$first = isset( $argv[3] ) ? (int) $argv[3] : 100000;
$out = fopen( 'php://stdout', 'w' );
$count = 'forged' === $n ? 1 : (int) $n;
for ( $i = 1; $i <= $count; $i++ ) {
	$body = json_encode(
		array(
			'id'                => $first + $i,
			'status'            => 'processing',
			'currency'          => 'EUR',
			'total'             => sprintf( '%d.%02d', 10 + $i % 500, $i % 100 ),
			'date_created_gmt'  => '2024-05-01T10:00:00',
			'date_modified_gmt' => gmdate( 'Y-m-d\TH:i:s', 1714557600 + $i ),
			'billing'           => array( 'first_name' => 'Jane', 'last_name' => 'Doe', 'email' => "jane$i@example.com", 'phone' => '+31 6 1234 5678', 'city' => 'Utrecht', 'country' => 'NL' ),
			'line_items'        => array( array( 'product_id' => 12, 'name' => 'T-shirt', 'quantity' => 1 + $i % 3, 'total' => '19.00' ), array( 'product_id' => 31, 'name' => 'Mug', 'quantity' => 1, 'total' => '9.50' ) ),
			'payment_method'    => 'stripe',
		),
		JSON_UNESCAPED_SLASHES
	);
	$key       = 'forged' === $n ? 'not the secret' : $secret;
	$signature = base64_encode( hash_hmac( 'sha256', $body, $key, true ) );
	fwrite( $out, $body . "\t" . $signature . "\t" . bin2hex( random_bytes( 16 ) ) . "\n" );
}
