<?php
namespace HookGuard\Compat;

/**
 * The $options array of sign/verify/check, read as src/php/args.rs reads
 * it: entries in order, the first bad one throws; the same messages.
 */
final class Options
{
    public const KEYS = ['tolerance', 'now', 'timestamp', 'id', 'algo', 'encoding', 'header', 'prefix',
                         'timestamp_header', 'id_header', 'signed_content'];

    /** @var array<string, string> the scheme-shaping options that were set */
    public array $layout = [];
    public ?int $tolerance = null;
    public ?int $now = null;
    public ?int $timestamp = null;
    public ?string $id = null;

    /** No options: the common case, made once. */
    public static function none(): self
    {
        static $none = null;
        return $none ??= new self();
    }

    /** @throws Misuse */
    public static function parse(string $caller, int $position, array $options): self
    {
        $o = new self();
        foreach ($options as $key => $value) {
            $o->set($caller, $position, is_string($key) && self::isUtf8($key) ? $key : '', $value);
        }
        return $o;
    }

    private function set(string $caller, int $position, string $key, mixed $v): void
    {
        $type = fn(string $want) => Misuse::type($caller, $position, 'options', "option \"$key\" must be of type $want, " . self::typeName($v) . ' given');
        $value = fn(string $what) => Misuse::value($caller, $position, 'options', "option \"$key\" $what");
        switch ($key) {
            case 'tolerance':
            case 'now':
            case 'timestamp':
                if (!is_int($v)) {
                    throw $type('int');
                }
                if ($v < 0 && $key !== 'now') {
                    throw $value('must be greater than or equal to 0');
                }
                $this->$key = $v;
                return;
            case 'id':
                if (!is_string($v)) {
                    throw $type('string');
                }
                if ($v === '') {
                    throw $value('must not be empty');
                }
                $this->id = $v;
                return;
            case 'algo':
            case 'encoding':
            case 'header':
            case 'prefix':
            case 'timestamp_header':
            case 'id_header':
            case 'signed_content':
                // The extension reads these as UTF-8 text: other bytes are refused as if not a string.
                if (!is_string($v) || !self::isUtf8($v)) {
                    throw $type('string');
                }
                $this->layout[$key] = $v;
                return;
        }
        throw Misuse::value($caller, $position, 'options',
            'has an unknown option "' . self::escapeDebug($key) . '"; known options are "' . implode('", "', self::KEYS) . '"');
    }

    public static function isUtf8(string $s): bool
    {
        return preg_match('//u', $s) === 1;
    }

    /** The type word of the extension's messages (php-src's zend_zval_value_name(): a class name for objects). */
    public static function typeName(mixed $v): string
    {
        return match (true) {
            $v === null => 'null',
            is_bool($v) => 'bool',
            is_int($v) => 'int',
            is_float($v) => 'float',
            is_string($v) => 'string',
            is_array($v) => 'array',
            is_object($v) => get_class($v),
            default => 'mixed',
        };
    }

    /**
     * Rust's str::escape_debug(), which quotes the unknown key: exact for
     * ASCII; other characters are escaped by Unicode category (control,
     * format, unassigned, private use, separators; a combining mark first).
     */
    private static function escapeDebug(string $key): string
    {
        $out = '';
        foreach (preg_split('//u', $key, -1, PREG_SPLIT_NO_EMPTY) as $i => $c) {
            $named = ["\t" => '\t', "\r" => '\r', "\n" => '\n', '\\' => '\\\\', '"' => '\"', "'" => "\\'", "\0" => '\0'][$c] ?? null;
            if ($named !== null) {
                $out .= $named;
            } elseif ($c === ' ' || (strlen($c) === 1 ? (ord($c) > 0x20 && ord($c) < 0x7f) : !preg_match($i === 0 ? '/[\p{C}\p{Z}\p{Mn}\p{Me}]/u' : '/[\p{C}\p{Z}]/u', $c))) {
                $out .= $c;
            } else {
                $out .= sprintf('\u{%x}', self::codePoint($c));
            }
        }
        return $out;
    }

    /** The code point of one UTF-8 character (no mbstring needed). */
    private static function codePoint(string $c): int
    {
        $n = strlen($c);
        $cp = $n === 1 ? ord($c) : ord($c[0]) & (0xff >> ($n + 1));
        for ($i = 1; $i < $n; $i++) {
            $cp = ($cp << 6) | (ord($c[$i]) & 0x3f);
        }
        return $cp;
    }
}
