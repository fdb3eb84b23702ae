<?php
require __DIR__ . '/../limiters.php';
echo bench_apcu_allows($_GET['client']) ? "allowed\n" : "denied\n";
