<?php
// Spends one unit, records which worker holds the request, then stays busy
// so the test can SIGKILL the worker in the middle of a request.
hookguard_rate_limit($_GET['key'], (int) $_GET['limit'], 3600);
file_put_contents(__DIR__ . '/held.pid', getmypid());
sleep(30);
