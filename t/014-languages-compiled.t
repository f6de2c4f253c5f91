# What the compilers of runner/languages.json say: a program that does
# not compile comes back as compilation_error, runs no test, and its
# compile.diagnostics point at the file, line and column of the error;
# also in the second file of a program, for several errors, for a missing
# header, and for a warning that lets the program run.  The end of the
# file checks that every language with a compile step has such a block.
#
# Requests are built by submission() of Sbx::Languages; the files of a
# multi-file program are given as a txtar ("-- name --" lines).

use Test::Nginx::Socket 'no_plan';
use Sbx::Test;
use Sbx::Languages;

no_shuffle();
no_root_location();

Sbx::Test::blocks(timeout => 90);

run_tests();

# Every language of %Sbx::Languages::Core with a compile step has a
# block above that sends it a program and expects compilation_error
# (t/022-languages-all.t gives every compiled language of the table one).

Sbx::Languages::each_language_has(
    'a compilation error block' =>
        sub { $_[0] =~ /^status: "compilation_error"$/m },
    only => sub { $_[0]{compile} },
);

__DATA__

=== TEST 1: C: a missing semicolon, at the line and column GCC points at
--- request eval
main::submission(language => 'c', source => <<'C')
#include <stdio.h>

int main(void)
{
    int total = 0;
    for (int i = 0; i < 3; i++)
        total += i
    printf("%d\n", total);
    return 0;
}
C
--- error_code: 200
--- response_json
status: "compilation_error"
compile.status: "compilation_error"
compile.exit_code: 1
compile.diagnostics.0.file: "main.c"
compile.diagnostics.0.line: 7
compile.diagnostics.0.column: 19
compile.diagnostics.0.severity: "error"
compile.diagnostics.0.message: "expected ‘;’ before ‘printf’"
compile.diagnostics.1 !
compile.stderr =~ \nmain\.c:7:19: error: expected 
tests: []



=== TEST 2: C: a missing header is a fatal error at the #include
--- request eval
main::submission(language => 'c', source => <<'C')
#include <stdio.h>
#include "config.h"

int main(void)
{
    return 0;
}
C
--- error_code: 200
--- response_json
status: "compilation_error"
compile.status: "compilation_error"
compile.diagnostics.0.file: "main.c"
compile.diagnostics.0.line: 2
compile.diagnostics.0.column: 10
compile.diagnostics.0.severity: "fatal error"
compile.diagnostics.0.message: "config.h: No such file or directory"
tests: []



=== TEST 3: C: an error in the second source file names that file
--- request eval
main::submission(language => 'c', files => <<'TXTAR')
-- main.c --
#include "greet.h"

int main(void)
{
    greet("world");
    return 0;
}
-- greet.h --
void greet(const char *name);
-- greet.c --
#include <stdio.h>
#include "greet.h"

void greet(const char *name)
{
    printf("hello, %s\n", nam);
}
TXTAR
--- error_code: 200
--- response_json
status: "compilation_error"
compile.diagnostics.0.file: "greet.c"
compile.diagnostics.0.line: 6
compile.diagnostics.0.column: 27
compile.diagnostics.0.severity: "error"
compile.diagnostics.0.message: "‘nam’ undeclared (first use in this function); did you mean ‘name’?"
tests: []



=== TEST 4: C: a warning is reported, and the program still runs
--- request eval
main::submission(language => 'c', source => <<'C')
#include <stdio.h>

int main(void)
{
    int unused;

    printf("still runs\n");
    return 0;
}
C
--- error_code: 200
--- response_json
status: "accepted"
stdout: "still runs\n"
compile.status: "ok"
compile.diagnostics.0.file: "main.c"
compile.diagnostics.0.line: 5
compile.diagnostics.0.column: 9
compile.diagnostics.0.severity: "warning"
compile.diagnostics.0.message: "unused variable ‘unused’ [-Wunused-variable]"
compile.diagnostics.1 !



=== TEST 5: C++: two errors are both reported, in order
--- request eval
main::submission(language => 'cpp', source => <<'CPP')
#include <iostream>

int main()
{
    int count = 0;
    std::cout << cuont << '\n';
    return count.size();
}
CPP
--- error_code: 200
--- response_json
status: "compilation_error"
compile.status: "compilation_error"
compile.diagnostics.0.file: "main.cpp"
compile.diagnostics.0.line: 6
compile.diagnostics.0.column: 18
compile.diagnostics.0.severity: "error"
compile.diagnostics.0.message: "‘cuont’ was not declared in this scope; did you mean ‘count’?"
compile.diagnostics.1.file: "main.cpp"
compile.diagnostics.1.line: 7
compile.diagnostics.1.column: 18
compile.diagnostics.1.message: "request for member ‘size’ in ‘count’, which is of non-class type ‘int’"
compile.diagnostics.2 !
tests: []



=== TEST 6: Java: a type error, at the line javac names
javac's "file:line: error:" line has no column (only the caret line
below it shows one): the column is null.
--- request eval
main::submission(language => 'java', source => <<'JAVA')
public class Main {
    public static void main(String[] args) {
        int count = "three";
        System.out.println(count);
    }
}
JAVA
--- error_code: 200
--- response_json
status: "compilation_error"
compile.status: "compilation_error"
compile.exit_code: 1
compile.diagnostics.0.file: "Main.java"
compile.diagnostics.0.line: 3
compile.diagnostics.0.column: null
compile.diagnostics.0.severity: "error"
compile.diagnostics.0.message: "incompatible types: String cannot be converted to int"
compile.diagnostics.1 !
tests: []



=== TEST 7: Java: an error in a second class's file names that file
--- request eval
main::submission(language => 'java', files => <<'TXTAR')
-- Main.java --
public class Main {
    public static void main(String[] args) {
        System.out.println(new Greeter().greet("world"));
    }
}
-- Greeter.java --
public class Greeter {
    public String greet(String name) {
        return "hello, " + name
    }
}
TXTAR
--- error_code: 200
--- response_json
status: "compilation_error"
compile.diagnostics.0.file: "Greeter.java"
compile.diagnostics.0.line: 3
compile.diagnostics.0.severity: "error"
compile.diagnostics.0.message: "';' expected"
tests: []



=== TEST 8: Kotlin: a type mismatch, at its line and column
--- request eval
main::submission(language => 'kotlin', source => <<'KT')
fun main() {
    val count: Int = "three"
    println(count)
}
KT
--- error_code: 200
--- response_json
status: "compilation_error"
compile.status: "compilation_error"
compile.diagnostics.0.file: "Main.kt"
compile.diagnostics.0.line: 2
compile.diagnostics.0.column: 22
compile.diagnostics.0.severity: "error"
compile.diagnostics.0.message: "type mismatch: inferred type is String but Int was expected"
compile.diagnostics.1 !
tests: []



=== TEST 9: TypeScript: a type error, at its line and column, with its code
--- request eval
main::submission(language => 'typescript', source => <<'TS')
function greet(name: string): string {
    return `hello, ${name}`;
}

console.log(greet(42));
TS
--- error_code: 200
--- response_json
status: "compilation_error"
compile.status: "compilation_error"
compile.diagnostics.0.file: "main.ts"
compile.diagnostics.0.line: 5
compile.diagnostics.0.column: 19
compile.diagnostics.0.severity: "error"
compile.diagnostics.0.message: "TS2345: Argument of type 'number' is not assignable to parameter of type 'string'."
compile.diagnostics.1 !
tests: []



=== TEST 10: Go: an unused import is an error, at its line and column
The go tool's lines carry no severity: it is "error" by default.
--- request eval
main::submission(language => 'go', source => <<'GO')
package main

import (
	"fmt"
	"os"
)

func main() {
	fmt.Println("hello")
}
GO
--- error_code: 200
--- response_json
status: "compilation_error"
compile.status: "compilation_error"
compile.diagnostics.0.file: "main.go"
compile.diagnostics.0.line: 5
compile.diagnostics.0.column: 2
compile.diagnostics.0.severity: "error"
compile.diagnostics.0.message: "imported and not used: \"os\""
compile.diagnostics.1 !
tests: []



=== TEST 11: Go: an error in the second file names that file
--- request eval
main::submission(language => 'go', files => <<'TXTAR')
-- main.go --
package main

import "fmt"

func main() {
	fmt.Println(greet("world"))
}
-- greet.go --
package main

func greet(name string) string {
	return "hello, " + nam
}
TXTAR
--- error_code: 200
--- response_json
status: "compilation_error"
compile.diagnostics.0.file: "greet.go"
compile.diagnostics.0.line: 4
compile.diagnostics.0.column: 21
compile.diagnostics.0.message: "undefined: nam"
tests: []



=== TEST 12: Rust: a use after move, where the borrow checker points
--- request eval
main::submission(language => 'rust', source => <<'RS')
fn main() {
    let name = String::from("world");
    let moved = name;
    println!("hello, {}", name);
    drop(moved);
}
RS
--- error_code: 200
--- response_json
status: "compilation_error"
compile.status: "compilation_error"
compile.diagnostics.0.file: "main.rs"
compile.diagnostics.0.line: 4
compile.diagnostics.0.column: 27
compile.diagnostics.0.severity: "error"
compile.diagnostics.0.message: "borrow of moved value: `name`"
compile.diagnostics.1 !
compile.stderr =~ ^error\[E0382\]: borrow of moved value: `name`\n --> main\.rs:4:27\n
tests: []



=== TEST 13: Rust: an error in a module's file names that file
--- request eval
main::submission(language => 'rust', files => <<'TXTAR')
-- main.rs --
mod greet;

fn main() {
    println!("{}", greet::greet("world"));
}
-- greet.rs --
pub fn greet(name: &str) -> String {
    format!("hello, {}", nam)
}
TXTAR
--- error_code: 200
--- response_json
status: "compilation_error"
compile.diagnostics.0.file: "greet.rs"
compile.diagnostics.0.line: 2
compile.diagnostics.0.column: 26
compile.diagnostics.0.severity: "error"
compile.diagnostics.0.message: "cannot find value `nam` in this scope"
tests: []



=== TEST 14: Haskell: a type error, at its line and column
--- request eval
main::submission(language => 'haskell', source => <<'HS')
main :: IO ()
main = do
  let n = 1 :: Int
  putStrLn ("n = " ++ n)
HS
--- error_code: 200
--- response_json
status: "compilation_error"
compile.status: "compilation_error"
compile.diagnostics.0.file: "main.hs"
compile.diagnostics.0.line: 4
compile.diagnostics.0.column: 23
compile.diagnostics.0.severity: "error"
compile.diagnostics.0.message: "Couldn't match expected type ‘[Char]’ with actual type ‘Int’"
compile.diagnostics.1 !
tests: []



=== TEST 15: Haskell: a parse error, at the line where the layout breaks
--- request eval
main::submission(language => 'haskell', source => <<'HS')
main :: IO ()
main = do
  let x =
  print x
HS
--- error_code: 200
--- response_json
status: "compilation_error"
compile.diagnostics.0.file: "main.hs"
compile.diagnostics.0.line: 4
compile.diagnostics.0.column: 3
compile.diagnostics.0.severity: "error"
compile.diagnostics.0.message =~ ^parse error
tests: []



=== TEST 16: C#: a type error, at its line and column, with its code
--- request eval
main::submission(language => 'csharp', source => <<'CS')
using System;

class Program
{
    static void Main()
    {
        int count = "three";
        Console.WriteLine(count);
    }
}
CS
--- error_code: 200
--- response_json
status: "compilation_error"
compile.status: "compilation_error"
compile.diagnostics.0.file: "main.cs"
compile.diagnostics.0.line: 7
compile.diagnostics.0.column: 21
compile.diagnostics.0.severity: "error"
compile.diagnostics.0.message: "CS0029: Cannot implicitly convert type `string' to `int'"
compile.diagnostics.1 !
tests: []
