<?php
// What the extension reports against what php/hookguard.stub.php documents:
// the reason codes (hookguard_reasons(), the stub's header and the
// hookguard_check() @return union) and the scheme names.
declare(strict_types=1);

$stub = file_get_contents(__DIR__ . '/../../php/hookguard.stub.php');
$failures = [];
$expect = function (string $what, array $want, array $got) use (&$failures): void {
    if ($want !== $got) {
        $failures[] = "$what:\n  extension: " . implode(', ', $want) . "\n  stub:      " . implode(', ', $got);
    }
};
$listAfter = function (string $label) use ($stub): array {
    if (!preg_match('/' . preg_quote($label, '/') . '\s*((?:[a-z0-9_-]+,?\s*\*?\s*)+)\./', $stub, $m)) {
        return ["(no \"$label\" list in the stub)"];
    }
    return preg_split('/[\s,*]+/', trim($m[1]), -1, PREG_SPLIT_NO_EMPTY);
};

$reasons = hookguard_reasons();
if ($reasons[0] !== 'ok' || count(array_unique($reasons)) !== count($reasons)) {
    $failures[] = "hookguard_reasons() must start with 'ok' and hold each code once: " . implode(', ', $reasons);
}
$expect('reason codes in the stub header', $reasons, $listAfter('Reason codes (hookguard_check()):'));
preg_match("/@return ('[a-z_]+'(?:\|'[a-z_]+')*)\s*\n[^\n]*\n[^\n]*\n\s*\*\/\s*\nfunction hookguard_check/", $stub, $m);
$expect('hookguard_check() @return in the stub', $reasons, $m ? explode('|', str_replace("'", '', $m[1])) : []);
$expect('scheme names in the stub header', hookguard_schemes(), $listAfter('Schemes (hookguard_schemes()):'));

if ($failures) {
    fwrite(STDERR, "contract: FAIL\n" . implode("\n", $failures) . "\n");
    exit(1);
}
echo 'contract: ', count($reasons), ' reason codes and ', count(hookguard_schemes()), " schemes match the stub\n";
