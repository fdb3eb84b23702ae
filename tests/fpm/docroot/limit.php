<?php
// One rate-limited request: 200 "allowed" or 429 "denied".
$r = hookguard_rate_limit($_GET['key'], (int) $_GET['limit'], 3600, (int) ($_GET['cost'] ?? 1));
http_response_code($r['allowed'] ? 200 : 429);
echo $r['allowed'] ? "allowed\n" : "denied\n";
