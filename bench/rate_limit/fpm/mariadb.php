<?php
require __DIR__ . '/../limiters.php';
echo bench_mariadb_allows(bench_mariadb_connect(true), $_GET['client']) ? "allowed\n" : "denied\n";
