<?php
// The same request with no limiter: the floor every limiter adds to.
require __DIR__ . '/../limiters.php';
echo "allowed\n";
