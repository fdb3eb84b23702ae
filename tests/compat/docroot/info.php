<?php
// Which implementation and limiter mode a worker reports.
header('Content-Type: text/plain');
echo 'implementation => ', HOOKGUARD_IMPLEMENTATION, "\n", 'rate limiter => ', HOOKGUARD_RATE_LIMITER_MODE, "\n";
