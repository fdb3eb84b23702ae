<?php
// The extension's `php --ri` rows, as this worker sees them, as plain text
// ("name => value" a line, like the CLI prints them).
header('Content-Type: text/plain');
ob_start();
(new ReflectionExtension('hookguard'))->info();
$text = strip_tags(preg_replace('#\s*</t[dh]>\s*<t[dh][^>]*>\s*#', ' => ', ob_get_clean()));
echo preg_replace('/[ \t]*\n+[ \t]*/', "\n", $text);
