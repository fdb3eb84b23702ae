<?php
// One rate-limited request: 200 "allowed" or 429 "denied". php/compat is
// loaded by auto_prepend_file (tests/compat/run), as a plugin would require it.
$r = hookguard_rate_limit($_GET['key'], (int) $_GET['limit'], (int) ($_GET['period'] ?? 3600));
http_response_code($r['allowed'] ? 200 : 429);
echo $r['allowed'] ? "allowed\n" : "denied\n";
