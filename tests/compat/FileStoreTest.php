<?php
use HookGuard\Compat\FileStore;
use HookGuard\Compat\Gcra;
use PHPUnit\Framework\TestCase;

/** The file store (servers without APCu) in one process; tests/compat/run checks it across a php-fpm pool. */
final class FileStoreTest extends TestCase
{
    private string $dir;

    protected function setUp(): void
    {
        $this->dir = sys_get_temp_dir() . '/hookguard-filestore-test-' . bin2hex(random_bytes(6));
    }

    protected function tearDown(): void
    {
        array_map('unlink', glob("$this->dir/*") ?: []);
        @rmdir($this->dir);
    }

    private function store(): FileStore
    {
        $store = FileStore::open($this->dir);
        $this->assertNotNull($store);
        return $store;
    }

    public function testBurstThenDenyThenReset(): void
    {
        $q = Gcra::quota(3, 60);
        $store = $this->store();
        $allowed = array_map(fn() => $store->spend("ip\0a", $q, 1)['allowed'], range(1, 5));
        $this->assertSame([true, true, true, false, false], $allowed);
        $this->assertSame(['allowed' => false, 'remaining' => 0, 'retry_after' => 20, 'reset_after' => 60], $store->spend("ip\0a", $q, 1));
        $this->assertTrue($this->store()->spend("ip\0b", $q, 3)['allowed'], 'another key, read by another instance');
        $store->reset("ip\0a");
        $this->assertSame(3, $store->spend("ip\0a", $q, 0)['remaining']);
    }

    public function testStateIsInTheFilesAndKeysStayApart(): void
    {
        $q = Gcra::quota(1, 60);
        $keys = array_map(fn($i) => "key-$i", range(1, 300)); // several keys per bucket
        foreach ($keys as $key) {
            $this->assertTrue($this->store()->spend($key, $q, 1)['allowed'], $key);
        }
        foreach ($keys as $key) {
            $this->assertFalse($this->store()->spend($key, $q, 1)['allowed'], $key);
        }
        $this->assertTrue($this->store()->spend('123', $q, 1)['allowed'], 'a numeric key');
        $this->assertFalse($this->store()->spend('123', $q, 1)['allowed']);
    }

    public function testACutShortBucketReadsAsEmpty(): void
    {
        $q = Gcra::quota(1, 60);
        $this->store()->spend('k', $q, 1);
        foreach (glob("$this->dir/bucket-*") as $file) {
            file_put_contents($file, 'a:1:{s:1:"k";i:');
        }
        $this->assertTrue($this->store()->spend('k', $q, 1)['allowed'], 'the key starts again from a full allowance');
        $this->assertFalse($this->store()->spend('k', $q, 1)['allowed'], 'and is stored again');
    }

    public function testAnUnwritableDirectoryIsRefused(): void
    {
        $this->assertNull(FileStore::open('/proc/hookguard-test'));
    }
}
