<?php
/**
 * The typing gate (run by scripts/lint): every function, method, closure and
 * arrow function declares a type for each parameter and a return type (but
 * constructors, destructors and __clone, which cannot), no parameter is
 * implicitly nullable (`Foo $x = null`, deprecated by PHP 8.4: write
 * `?Foo $x = null`), and every property declares a type.
 *
 *   php scripts/lint-php-types.php [--allow FILE] PATH...
 *
 * PATH is a PHP file or a directory (its *.php files, recursively). Prints
 * one "path:line: what" per finding and exits 1 when there is any, or when
 * an allow-list entry no longer matches anything (so the list only shrinks).
 *
 * The allow-list (scripts/lint-php-types.allow) holds one entry a line:
 * a path (the whole file is skipped) or "path name" (that function, method
 * "Class::method", or property "Class::$name" only), each with a reason in a
 * "#" comment. Read with PHP's own tokenizer, so strings, comments and
 * heredocs never confuse it.
 *
 * @package HookGuard
 */

const NOT_RETURNING = array( '__construct', '__destruct', '__clone' );
const MODIFIERS     = array( T_PUBLIC, T_PROTECTED, T_PRIVATE, T_STATIC, T_VAR, T_READONLY, T_FINAL, T_ABSTRACT );

exit( main( array_slice( $argv, 1 ) ) );

function main( array $args ): int {
	$allow_file = null;
	if ( isset( $args[0] ) && '--allow' === $args[0] ) {
		$allow_file = $args[1] ?? '';
		$args       = array_slice( $args, 2 );
	}
	if ( ! $args ) {
		fwrite( STDERR, "usage: php scripts/lint-php-types.php [--allow FILE] PATH...\n" );
		return 2;
	}
	$allowed = null === $allow_file ? array() : read_allow_list( $allow_file );
	$used    = array();
	$failed  = false;
	foreach ( php_files( $args ) as $path ) {
		foreach ( findings( $path, (string) file_get_contents( $path ) ) as list( $line, $name, $what ) ) {
			$key = isset( $allowed[ $path ] ) ? $path : $path . ' ' . $name;
			if ( isset( $allowed[ $key ] ) ) {
				$used[ $key ] = true;
				continue;
			}
			echo "$path:$line: $name: $what\n";
			$failed = true;
		}
	}
	foreach ( array_diff_key( $allowed, $used ) as $entry => $line ) {
		echo "$allow_file:$line: \"$entry\" allows nothing any more: remove it\n";
		$failed = true;
	}
	return $failed ? 1 : 0;
}

/** @return array<string,int> entry => its line in the file */
function read_allow_list( string $file ): array {
	$entries = array();
	foreach ( file( $file, FILE_IGNORE_NEW_LINES ) ?: array() as $i => $line ) {
		$entry = trim( preg_replace( '/#.*/', '', $line ) );
		if ( '' !== $entry ) {
			$entries[ preg_replace( '/\s+/', ' ', $entry ) ] = $i + 1;
		}
	}
	return $entries;
}

/** @return list<string> */
function php_files( array $paths ): array {
	$files = array();
	foreach ( $paths as $path ) {
		if ( is_dir( $path ) ) {
			$tree = new RecursiveIteratorIterator( new RecursiveDirectoryIterator( $path, FilesystemIterator::SKIP_DOTS ) );
			foreach ( $tree as $file ) {
				if ( str_ends_with( $file->getFilename(), '.php' ) ) {
					$files[] = $file->getPathname();
				}
			}
		} else {
			$files[] = $path;
		}
	}
	sort( $files );
	return $files;
}

/**
 * What is untyped in one file's source.
 *
 * @return list<array{int,string,string}> line, name, what is wrong
 */
function findings( string $path, string $source ): array {
	$tokens = array_values(
		array_filter(
			PhpToken::tokenize( $source ),
			fn( PhpToken $t ): bool => ! $t->is( array( T_WHITESPACE, T_COMMENT, T_DOC_COMMENT, T_OPEN_TAG, T_CLOSE_TAG, T_INLINE_HTML ) )
		)
	);
	$out     = array();
	$classes = array(); // Stack of [name, brace depth of its body].
	$depth   = 0;
	$pending = null;    // A class name waiting for its opening brace.
	$count   = count( $tokens );
	for ( $i = 0; $i < $count; $i++ ) {
		$t = $tokens[ $i ];
		if ( $t->is( array( T_CLASS, T_INTERFACE, T_TRAIT, T_ENUM ) ) && ! ( $i > 0 && $tokens[ $i - 1 ]->is( T_DOUBLE_COLON ) ) ) {
			$next    = $tokens[ $i + 1 ] ?? null;
			$pending = $next && $next->is( T_STRING ) ? $next->text : 'class@anonymous';
		} elseif ( $t->is( array( '{', T_CURLY_OPEN, T_DOLLAR_OPEN_CURLY_BRACES ) ) ) {
			++$depth;
			if ( null !== $pending && '{' === $t->text ) {
				$classes[] = array( $pending, $depth );
				$pending   = null;
			}
		} elseif ( $t->is( '}' ) ) {
			if ( $classes && end( $classes )[1] === $depth ) {
				array_pop( $classes );
			}
			--$depth;
		} elseif ( $t->is( array( T_FUNCTION, T_FN ) ) && ! ( $i > 0 && $tokens[ $i - 1 ]->is( T_USE ) ) ) {
			$class = $classes ? end( $classes )[0] : null;
			array_push( $out, ...function_findings( $tokens, $i, $class ) );
		} elseif ( $t->is( T_VARIABLE ) && $classes && end( $classes )[1] === $depth ) {
			$finding = property_finding( $tokens, $i, end( $classes )[0] );
			if ( $finding ) {
				$out[] = $finding;
			}
		}
	}
	return $out;
}

/** A property declared with modifiers only ("public $x;"), not a promoted parameter. */
function property_finding( array $tokens, int $i, string $class ): ?array {
	$j = $i - 1;
	while ( $j >= 0 && $tokens[ $j ]->is( MODIFIERS ) ) {
		--$j;
	}
	$declares = $j < $i - 1 && ( $j < 0 || $tokens[ $j ]->is( array( ';', '{', '}', ']' ) ) );
	return $declares ? array( $tokens[ $i ]->line, "$class::{$tokens[$i]->text}", 'property has no type' ) : null;
}

/** @return list<array{int,string,string}> */
function function_findings( array $tokens, int $i, ?string $class ): array {
	$line = $tokens[ $i ]->line;
	$j    = $i + 1;
	if ( $tokens[ $j ]->is( array( '&', T_AMPERSAND_NOT_FOLLOWED_BY_VAR_OR_VARARG, T_AMPERSAND_FOLLOWED_BY_VAR_OR_VARARG ) ) ) {
		++$j;
	}
	if ( $tokens[ $j ]->is( '(' ) ) {
		$method = null;
		$name   = $tokens[ $i ]->is( T_FN ) ? "{arrow function at line $line}" : "{closure at line $line}";
	} else {
		$method = $tokens[ $j ]->text;
		$name   = null === $class ? $method : "$class::$method";
		++$j;
	}
	$out = array();
	list( $params, $j ) = parameters( $tokens, $j );
	foreach ( $params as $param ) {
		$problem = parameter_problem( $param );
		if ( $problem ) {
			$out[] = array( $line, $name, $problem );
		}
	}
	if ( $tokens[ $j ]->is( T_USE ) ) {
		list( , $j ) = parameters( $tokens, $j + 1 );
	}
	if ( ! $tokens[ $j ]->is( ':' ) && ! in_array( strtolower( (string) $method ), NOT_RETURNING, true ) ) {
		$out[] = array( $line, $name, 'no return type' );
	}
	return $out;
}

/**
 * The parameters between the "(" at $j and its ")", each a list of tokens.
 *
 * @return array{list<list<PhpToken>>, int} the parameters, and the index after ")"
 */
function parameters( array $tokens, int $j ): array {
	$params  = array();
	$current = array();
	$nesting = 0;
	for ( ++$j; ; ++$j ) {
		$t = $tokens[ $j ];
		if ( $t->is( array( '(', '[', '{', T_ATTRIBUTE, T_CURLY_OPEN ) ) ) {
			++$nesting;
		} elseif ( $t->is( array( ')', ']', '}' ) ) ) {
			if ( 0 === $nesting-- ) {
				break;
			}
		} elseif ( $t->is( ',' ) && 0 === $nesting ) {
			$params[] = $current;
			$current  = array();
			continue;
		}
		$current[] = $t;
	}
	if ( $current ) {
		$params[] = $current;
	}
	return array( $params, $j + 1 );
}

/** Why one parameter's declaration is not good enough, or null. */
function parameter_problem( array $param ): ?string {
	$type     = '';
	$variable = '';
	$default  = array();
	$nesting  = 0;
	foreach ( $param as $k => $t ) {
		if ( $t->is( T_ATTRIBUTE ) ) {
			++$nesting;
		} elseif ( $nesting > 0 ) {
			$nesting += $t->is( '[' ) ? 1 : ( $t->is( ']' ) ? -1 : 0 );
		} elseif ( $t->is( T_VARIABLE ) ) {
			$variable = $t->text;
			$default  = array_slice( $param, $k + 2 ); // After "=".
			break;
		} elseif ( ! $t->is( array( T_ELLIPSIS, T_AMPERSAND_FOLLOWED_BY_VAR_OR_VARARG, T_PUBLIC, T_PROTECTED, T_PRIVATE, T_READONLY ) ) ) {
			$type .= $t->text;
		}
	}
	if ( '' === $variable ) {
		return null; // A trailing comma.
	}
	if ( '' === $type ) {
		return "parameter $variable has no type";
	}
	$null_default = 1 === count( $default ) && 'null' === strtolower( $default[0]->text );
	$nullable     = '?' === $type[0] || in_array( strtolower( $type ), array( 'mixed', 'null' ), true ) || preg_match( '/(^|[|(])null($|[|)])/i', $type );
	if ( $null_default && ! $nullable ) {
		$nullable = str_contains( $type, '|' ) ? "$type|null" : "?$type";
		return "parameter $variable is implicitly nullable ($type $variable = null): declare $nullable $variable = null";
	}
	return null;
}
