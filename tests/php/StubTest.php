<?php
use PHPUnit\Framework\TestCase;

/** php/hookguard.stub.php declares exactly what the loaded extension exposes. */
final class StubTest extends TestCase
{
    public function testStubMatchesTheExtension(): void
    {
        $stub = file_get_contents(__DIR__ . '/../../php/hookguard.stub.php');
        preg_match_all('/^function (\w+)\((.*)\)\s*:/m', $stub, $m, PREG_SET_ORDER);
        $declared = [];
        foreach ($m as [, $name, $params]) {
            preg_match_all('/\$(\w+)/', $params, $p);
            $declared[$name] = $p[1];
        }
        $exposed = [];
        foreach (get_extension_funcs('hookguard') as $fn) {
            $exposed[$fn] = array_map(fn($p) => $p->getName(), (new ReflectionFunction($fn))->getParameters());
        }
        ksort($declared);
        ksort($exposed);
        $this->assertSame($exposed, $declared);
    }
}
