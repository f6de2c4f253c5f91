# Every language of runner/languages.json, written the way its users
# write it: a program that reads stdin and answers test by test, a
# runtime error as that runtime reports it, and the version the table
# promises, printed by the program itself.  Then arguments, programs in
# several files, and the JVM under a 256 MiB limit.  The end of the file
# checks that no language of the table lacks its three blocks.
#
# Requests are built by submission() of Sbx::Languages; the files of a
# multi-file program are given as a txtar ("-- name --" lines), and
# {version} in a --- response_json given through with_version() is the
# table's version.

use Test::Nginx::Socket 'no_plan';
use Sbx::Test;
use Sbx::Languages;

no_shuffle();
no_root_location();

Sbx::Test::blocks(timeout => 90);

run_tests();

# Every language of %Sbx::Languages::Core has a greeting, a runtime
# error and a version block above, told by what each block sends and
# checks (t/022-languages-all.t runs every language of the table).

Sbx::Languages::each_language_has(
    'a greeting block'      => sub { $_[0] eq $Greeted },
    'a runtime error block' => sub { $_[0] =~ /^status: "runtime_error"$/m },
    'a version block'       => sub { $_[0] =~ /^language\.version: /m },
);

__DATA__

=== TEST 1: Python: a program reads a line and answers each test
--- request eval
main::submission(language => 'python', tests => 'greetings', source => <<'PY')
name = input()
print(f"hello, {name}")
PY
--- error_code: 200
--- response_json eval
$main::Greeted



=== TEST 2: Python: an uncaught exception is a runtime error with its traceback
--- request eval
main::submission(language => 'python', stdin => "abc\n", source => <<'PY')
def parse(text):
    return int(text)

print(parse(input()))
PY
--- error_code: 200
--- response_json
status: "runtime_error"
exit_code: 1
signal: null
stdout: ""
stderr =~ ^Traceback \(most recent call last\):\n
stderr =~ File "/work/main\.py", line 2, in parse\n
stderr =~ \nValueError: invalid literal for int\(\) with base 10: 'abc'\n$



=== TEST 3: Python: the interpreter is the version the table names
--- request eval
main::submission(language => 'python', source => <<'PY')
import platform

print(platform.python_version())
PY
--- error_code: 200
--- response_json eval
main::with_version('python', <<'EOJ')
status: "accepted"
language.version: "{version}"
stdout: "{version}\n"
EOJ



=== TEST 4: C: a program reads a line and answers each test
--- request eval
main::submission(language => 'c', tests => 'greetings', source => <<'C')
#include <stdio.h>
#include <string.h>

int main(void)
{
    char name[256];

    if (fgets(name, sizeof name, stdin) == NULL)
        return 1;
    name[strcspn(name, "\n")] = '\0';
    printf("hello, %s\n", name);
    return 0;
}
C
--- error_code: 200
--- response_json eval
$main::Greeted



=== TEST 5: C: a failed assert() kills the program with SIGABRT
--- request eval
main::submission(language => 'c', stdin => "-4\n", source => <<'C')
#include <assert.h>
#include <stdio.h>

int main(void)
{
    int n = 0;

    if (scanf("%d", &n) != 1)
        return 1;
    assert(n > 0);
    printf("%d\n", n);
    return 0;
}
C
--- error_code: 200
--- response_json
status: "runtime_error"
exit_code: null
signal: "SIGABRT"
stderr: "main: main.c:10: main: Assertion `n > 0' failed.\n"



=== TEST 6: C: a program's own exit code comes back, with what libc said
--- request eval
main::submission(language => 'c', source => <<'C')
#include <stdio.h>

int main(void)
{
    FILE *in = fopen("input.txt", "r");

    if (in == NULL) {
        perror("input.txt");
        return 3;
    }
    fclose(in);
    return 0;
}
C
--- error_code: 200
--- response_json
status: "runtime_error"
exit_code: 3
signal: null
stderr: "input.txt: No such file or directory\n"



=== TEST 7: C: the program sees the GCC version the table names
--- request eval
main::submission(language => 'c', source => <<'C')
#include <stdio.h>

int main(void)
{
    printf("%d.%d.%d\n", __GNUC__, __GNUC_MINOR__, __GNUC_PATCHLEVEL__);
    return 0;
}
C
--- error_code: 200
--- response_json eval
main::with_version('c', <<'EOJ')
status: "accepted"
language.version: "{version}"
stdout: "{version}\n"
EOJ



=== TEST 8: C++: a program reads a line and answers each test
--- request eval
main::submission(language => 'cpp', tests => 'greetings', source => <<'CPP')
#include <iostream>
#include <string>

int main()
{
    std::string name;
    std::getline(std::cin, name);
    std::cout << "hello, " << name << '\n';
}
CPP
--- error_code: 200
--- response_json eval
$main::Greeted



=== TEST 9: C++: an uncaught exception ends in std::terminate and SIGABRT
--- request eval
main::submission(language => 'cpp', stdin => "abc\n", source => <<'CPP')
#include <iostream>
#include <string>

int main()
{
    std::string line;
    std::getline(std::cin, line);
    std::cout << std::stoi(line) << '\n';
}
CPP
--- error_code: 200
--- response_json
status: "runtime_error"
exit_code: null
signal: "SIGABRT"
stderr =~ ^terminate called after throwing an instance of 'std::invalid_argument'\n  what\(\):  stoi\n$



=== TEST 10: C++: the program sees the G++ version the table names
--- request eval
main::submission(language => 'cpp', source => <<'CPP')
#include <iostream>

int main()
{
    std::cout << __GNUC__ << '.' << __GNUC_MINOR__ << '.'
              << __GNUC_PATCHLEVEL__ << '\n';
}
CPP
--- error_code: 200
--- response_json eval
main::with_version('cpp', <<'EOJ')
status: "accepted"
language.version: "{version}"
stdout: "{version}\n"
EOJ



=== TEST 11: Java: a program reads a line and answers each test
--- request eval
main::submission(language => 'java', tests => 'greetings', source => <<'JAVA')
import java.util.Scanner;

public class Main {
    public static void main(String[] args) {
        Scanner in = new Scanner(System.in);
        String name = in.nextLine();
        System.out.println("hello, " + name);
    }
}
JAVA
--- error_code: 200
--- response_json eval
$main::Greeted



=== TEST 12: Java: an uncaught exception is a runtime error with its stack trace
--- request eval
main::submission(language => 'java', source => <<'JAVA')
public class Main {
    public static void main(String[] args) {
        String first = args[0];
        System.out.println(first);
    }
}
JAVA
--- error_code: 200
--- response_json
status: "runtime_error"
exit_code: 1
signal: null
stdout: ""
stderr =~ ^Exception in thread "main" java\.lang\.ArrayIndexOutOfBoundsException: Index 0 out of bounds for length 0\n
stderr =~ \n\tat Main\.main\(Main\.java:3\)\n$



=== TEST 13: Java: the JVM is the version the table names
--- request eval
main::submission(language => 'java', source => <<'JAVA')
public class Main {
    public static void main(String[] args) {
        System.out.println(System.getProperty("java.version"));
    }
}
JAVA
--- error_code: 200
--- response_json eval
main::with_version('java', <<'EOJ')
status: "accepted"
language.version: "{version}"
stdout: "{version}\n"
EOJ



=== TEST 14: Java: a program keeps 100 MiB of objects under a 256 MiB limit
The limit is the container's memory, not an address-space rlimit: the
JVM reserves far more address space than 256 MiB and still runs.
--- request eval
main::submission(language => 'java', limits => { memory_kb => 262144 },
                 source => <<'JAVA')
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

public class Main {
    public static void main(String[] args) throws Exception {
        List<long[]> kept = new ArrayList<>();
        for (int i = 0; i < 12800; i++) {
            kept.add(new long[1024]);           // 8 KiB each
        }
        System.out.println(kept.size() * 8 / 1024 + " MiB kept");

        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmSize:")) {
                long kb = Long.parseLong(line.replaceAll("\\D", ""));
                System.out.println("address space over 256 MiB: " + (kb > 262144));
            }
        }
    }
}
JAVA
--- error_code: 200
--- response_json
status: "accepted"
stdout: "100 MiB kept\naddress space over 256 MiB: true\n"
stderr: ""
# the peak really held the objects, and stayed under the limit:
# 100000 to 259999 KiB
memory_kb =~ ^(1\d\d|2[0-5]\d)\d{3}$



=== TEST 15: Kotlin: a program reads a line and answers each test
--- request eval
main::submission(language => 'kotlin', tests => 'greetings', source => <<'KT')
fun main() {
    val name = readLine() ?: ""
    println("hello, $name")
}
KT
--- error_code: 200
--- response_json eval
$main::Greeted



=== TEST 16: Kotlin: an uncaught exception is a runtime error with its stack trace
--- request eval
main::submission(language => 'kotlin', stdin => "abc\n", source => <<'KT')
fun main() {
    val n = readLine()!!.toInt()
    println(n * 2)
}
KT
--- error_code: 200
--- response_json
status: "runtime_error"
exit_code: 1
signal: null
stdout: ""
stderr =~ ^Exception in thread "main" java\.lang\.NumberFormatException: For input string: "abc"\n
stderr =~ \n\tat MainKt\.main\(Main\.kt:2\)\n



=== TEST 17: Kotlin: the standard library is the version the table names
--- request eval
main::submission(language => 'kotlin', source => <<'KT')
fun main() {
    println(KotlinVersion.CURRENT)
}
KT
--- error_code: 200
--- response_json eval
main::with_version('kotlin', <<'EOJ')
status: "accepted"
language.version: "{version}"
stdout: "{version}\n"
EOJ



=== TEST 18: Kotlin: a program keeps 100 MiB of objects under a 256 MiB limit
Kotlin runs on the same JVM as Java, with the same flags.
--- request eval
main::submission(language => 'kotlin', limits => { memory_kb => 262144 },
                 source => <<'KT')
import java.io.File

fun main() {
    val kept = ArrayList<LongArray>()
    repeat(12800) {
        kept.add(LongArray(1024))               // 8 KiB each
    }
    println("${kept.size * 8 / 1024} MiB kept")

    val size = File("/proc/self/status").readLines()
        .first { it.startsWith("VmSize:") }
        .filter { it.isDigit() }.toLong()
    println("address space over 256 MiB: ${size > 262144}")
}
KT
--- error_code: 200
--- response_json
status: "accepted"
stdout: "100 MiB kept\naddress space over 256 MiB: true\n"
stderr: ""
# 100000 to 259999 KiB
memory_kb =~ ^(1\d\d|2[0-5]\d)\d{3}$



=== TEST 19: JavaScript: a program reads a line and answers each test
--- request eval
main::submission(language => 'javascript', tests => 'greetings', source => <<'JS')
const readline = require("readline");

const rl = readline.createInterface({ input: process.stdin });
rl.once("line", (name) => {
    console.log(`hello, ${name}`);
    rl.close();
});
JS
--- error_code: 200
--- response_json eval
$main::Greeted



=== TEST 20: JavaScript: an uncaught exception is a runtime error with its stack
--- request eval
main::submission(language => 'javascript', stdin => "abc\n", source => <<'JS')
const input = require("fs").readFileSync(0, "utf8");
const data = JSON.parse(input);
console.log(data.name);
JS
--- error_code: 200
--- response_json
status: "runtime_error"
exit_code: 1
signal: null
stdout: ""
stderr =~ \nSyntaxError: Unexpected token a in JSON at position 0\n
stderr =~ \n    at Object\.<anonymous> \(/work/main\.js:2:19\)\n



=== TEST 21: JavaScript: Node.js is the version the table names
--- request eval
main::submission(language => 'javascript', source => <<'JS')
console.log(process.version);
JS
--- error_code: 200
--- response_json eval
main::with_version('javascript', <<'EOJ')
status: "accepted"
language.version: "{version}"
stdout: "v{version}\n"
EOJ



=== TEST 22: TypeScript: a program reads its input and answers each test
--- request eval
main::submission(language => 'typescript', tests => 'greetings', source => <<'TS')
import { readFileSync } from "fs";

const name: string = readFileSync(0, "utf8").split("\n")[0];
console.log(`hello, ${name}`);
TS
--- error_code: 200
--- response_json eval
$main::Greeted



=== TEST 23: TypeScript: an uncaught exception is a runtime error, in the compiled file
--- request eval
main::submission(language => 'typescript', source => <<'TS')
function parse(text: string): number {
    const n = Number(text);
    if (Number.isNaN(n)) {
        throw new RangeError(`not a number: ${text}`);
    }
    return n;
}

console.log(parse("abc"));
TS
--- error_code: 200
--- response_json
status: "runtime_error"
exit_code: 1
signal: null
stdout: ""
stderr =~ \nRangeError: not a number: abc\n    at parse \(/work/main\.js:\d+:\d+\)\n



=== TEST 24: TypeScript: the compiler is the version the table names
The program loads the typescript package that tsc runs from.
--- request eval
main::submission(language => 'typescript', source => <<'TS')
const ts = require("typescript");

console.log(ts.version);
TS
--- error_code: 200
--- response_json eval
main::with_version('typescript', <<'EOJ')
status: "accepted"
language.version: "{version}"
stdout: "{version}\n"
EOJ



=== TEST 25: Go: a program reads a line and answers each test
--- request eval
main::submission(language => 'go', tests => 'greetings', source => <<'GO')
package main

import (
	"bufio"
	"fmt"
	"os"
	"strings"
)

func main() {
	reader := bufio.NewReader(os.Stdin)
	name, _ := reader.ReadString('\n')
	fmt.Printf("hello, %s\n", strings.TrimSuffix(name, "\n"))
}
GO
--- error_code: 200
--- response_json eval
$main::Greeted



=== TEST 26: Go: a panic exits with code 2 and the goroutine's trace
--- request eval
main::submission(language => 'go', source => <<'GO')
package main

import "fmt"

func main() {
	var xs []int
	fmt.Println(xs[3])
}
GO
--- error_code: 200
--- response_json
status: "runtime_error"
exit_code: 2
signal: null
stdout: ""
stderr =~ ^panic: runtime error: index out of range \[3\] with length 0\n\ngoroutine 1 \[running\]:\nmain\.main\(\)\n\t/work/main\.go:7



=== TEST 27: Go: the toolchain is the version the table names
--- request eval
main::submission(language => 'go', source => <<'GO')
package main

import (
	"fmt"
	"runtime"
)

func main() {
	fmt.Println(runtime.Version())
}
GO
--- error_code: 200
--- response_json eval
main::with_version('go', <<'EOJ')
status: "accepted"
language.version: "{version}"
stdout: "go{version}\n"
EOJ



=== TEST 28: Rust: a program reads a line and answers each test
--- request eval
main::submission(language => 'rust', tests => 'greetings', source => <<'RS')
use std::io;

fn main() {
    let mut name = String::new();
    io::stdin().read_line(&mut name).expect("cannot read stdin");
    println!("hello, {}", name.trim_end_matches('\n'));
}
RS
--- error_code: 200
--- response_json eval
$main::Greeted



=== TEST 29: Rust: a panic exits with code 101 and says where
--- request eval
main::submission(language => 'rust', source => <<'RS')
fn main() {
    let n: u32 = "abc".parse().unwrap();
    println!("{}", n);
}
RS
--- error_code: 200
--- response_json
status: "runtime_error"
exit_code: 101
signal: null
stdout: ""
stderr =~ ^thread 'main' panicked at 'called `Result::unwrap\(\)` on an `Err` value: ParseIntError \{ kind: InvalidDigit \}', main\.rs:2:32\n



=== TEST 30: Rust: the compiler is the version the table names
rustc stamps its version into the binary's .comment section; the
program finds it in its own file.
--- request eval
main::submission(language => 'rust', source => <<'RS')
use std::fs;

fn main() {
    let exe = fs::read("/proc/self/exe").expect("cannot read /proc/self/exe");
    let key = b"rustc version ";
    let at = exe.windows(key.len()).position(|w| w == key).expect("no stamp");
    let version: String = exe[at + key.len()..]
        .iter()
        .take_while(|b| b.is_ascii_digit() || **b == b'.')
        .map(|&b| b as char)
        .collect();
    println!("{}", version);
}
RS
--- error_code: 200
--- response_json eval
main::with_version('rust', <<'EOJ')
status: "accepted"
language.version: "{version}"
stdout: "{version}\n"
EOJ



=== TEST 31: Ruby: a program reads a line and answers each test
--- request eval
main::submission(language => 'ruby', tests => 'greetings', source => <<'RB')
name = gets.chomp
puts "hello, #{name}"
RB
--- error_code: 200
--- response_json eval
$main::Greeted



=== TEST 32: Ruby: an exception (no input, gets is nil) is a runtime error
--- request eval
main::submission(language => 'ruby', source => <<'RB')
name = gets
puts name.upcase
RB
--- error_code: 200
--- response_json
status: "runtime_error"
exit_code: 1
signal: null
stdout: ""
stderr =~ ^main\.rb:2:in `<main>': undefined method `upcase' for nil:NilClass \(NoMethodError\)\n



=== TEST 33: Ruby: the interpreter is the version the table names
--- request eval
main::submission(language => 'ruby', source => <<'RB')
puts RUBY_VERSION
RB
--- error_code: 200
--- response_json eval
main::with_version('ruby', <<'EOJ')
status: "accepted"
language.version: "{version}"
stdout: "{version}\n"
EOJ



=== TEST 34: PHP: a program reads a line and answers each test
--- request eval
main::submission(language => 'php', tests => 'greetings', source => <<'PHP')
<?php
$name = rtrim(fgets(STDIN), "\n");
echo "hello, $name\n";
PHP
--- error_code: 200
--- response_json eval
$main::Greeted



=== TEST 35: PHP: an uncaught exception is a fatal error on stderr, exit 255
--- request eval
main::submission(language => 'php', source => <<'PHP')
<?php
function parse(string $s): int {
    throw new InvalidArgumentException("not a number: $s");
}
echo parse("abc"), "\n";
PHP
--- error_code: 200
--- response_json
status: "runtime_error"
exit_code: 255
signal: null
stdout: ""
stderr =~ ^PHP Fatal error:  Uncaught InvalidArgumentException: not a number: abc in /work/main\.php:3\n



=== TEST 36: PHP: the interpreter is the version the table names
--- request eval
main::submission(language => 'php', source => <<'PHP')
<?php
echo PHP_VERSION, "\n";
PHP
--- error_code: 200
--- response_json eval
main::with_version('php', <<'EOJ')
status: "accepted"
language.version: "{version}"
stdout: "{version}\n"
EOJ



=== TEST 37: Bash: a script reads a line and answers each test
--- request eval
main::submission(language => 'bash', tests => 'greetings', source => <<'SH')
read -r name
echo "hello, $name"
SH
--- error_code: 200
--- response_json eval
$main::Greeted



=== TEST 38: Bash: set -u stops the script at an unset variable, output so far kept
--- request eval
main::submission(language => 'bash', source => <<'SH')
set -euo pipefail
echo "checking"
echo "hello, $name"
SH
--- error_code: 200
--- response_json
status: "runtime_error"
exit_code: 1
signal: null
stdout: "checking\n"
stderr: "main.sh: line 3: name: unbound variable\n"



=== TEST 39: Bash: the shell is the version the table names
--- request eval
main::submission(language => 'bash', source => <<'SH')
echo "$BASH_VERSION"
SH
--- error_code: 200
--- response_json eval
main::with_version('bash', <<'EOJ')
status: "accepted"
language.version: "{version}"
stdout =~ ^{version}\(\d+\)-release\n$
EOJ



=== TEST 40: Perl: a program reads a line and answers each test
--- request eval
main::submission(language => 'perl', tests => 'greetings', source => <<'PL')
use strict;
use warnings;

my $name = <STDIN>;
chomp $name;
print "hello, $name\n";
PL
--- error_code: 200
--- response_json eval
$main::Greeted



=== TEST 41: Perl: die is a runtime error with exit code 255 and the line
--- request eval
main::submission(language => 'perl', source => <<'PL')
use strict;
use warnings;

my %ages = (ada => 36);
die "no such person: bob" unless exists $ages{bob};
PL
--- error_code: 200
--- response_json
status: "runtime_error"
exit_code: 255
signal: null
stderr: "no such person: bob at main.pl line 5.\n"



=== TEST 42: Perl: the interpreter is the version the table names
--- request eval
main::submission(language => 'perl', source => <<'PL')
print "$^V\n";
PL
--- error_code: 200
--- response_json eval
main::with_version('perl', <<'EOJ')
status: "accepted"
language.version: "{version}"
stdout: "v{version}\n"
EOJ



=== TEST 43: Lua: a program reads a line and answers each test
--- request eval
main::submission(language => 'lua', tests => 'greetings', source => <<'LUA')
local name = io.read("l")
print("hello, " .. name)
LUA
--- error_code: 200
--- response_json eval
$main::Greeted



=== TEST 44: Lua: an error is a runtime error with the interpreter's traceback
--- request eval
main::submission(language => 'lua', source => <<'LUA')
local config = nil
print(config.name)
LUA
--- error_code: 200
--- response_json
status: "runtime_error"
exit_code: 1
signal: null
stdout: ""
stderr =~ ^lua5\.4: main\.lua:2: attempt to index a nil value \(local 'config'\)\nstack traceback:\n



=== TEST 45: Lua: the interpreter is the version the table names
_VERSION has only the major and minor number; the interpreter that runs
the program (arg[-1]) gives the release.
--- request eval
main::submission(language => 'lua', source => <<'LUA')
print(_VERSION)
local lua = io.popen(arg[-1] .. " -v")
io.write(lua:read("a"))
lua:close()
LUA
--- error_code: 200
--- response_json eval
main::with_version('lua', <<'EOJ')
status: "accepted"
language.version: "{version}"
stdout =~ ^Lua (\d+\.\d+)\nLua \1\.\d+  Copyright
stdout =~ \nLua {version}  Copyright
EOJ



=== TEST 46: Haskell: a program reads a line and answers each test
--- request eval
main::submission(language => 'haskell', tests => 'greetings', source => <<'HS')
main :: IO ()
main = do
  name <- getLine
  putStrLn ("hello, " ++ name)
HS
--- error_code: 200
--- response_json eval
$main::Greeted



=== TEST 47: Haskell: an exception from a pure function is a runtime error
--- request eval
main::submission(language => 'haskell', source => <<'HS')
main :: IO ()
main = do
  let xs = [] :: [Int]
  print (head xs)
HS
--- error_code: 200
--- response_json
status: "runtime_error"
exit_code: 1
signal: null
stdout: ""
stderr: "main: Prelude.head: empty list\n"



=== TEST 48: Haskell: the compiler is the version the table names
--- request eval
main::submission(language => 'haskell', source => <<'HS')
import Data.Version (showVersion)
import System.Info (fullCompilerVersion)

main :: IO ()
main = putStrLn (showVersion fullCompilerVersion)
HS
--- error_code: 200
--- response_json eval
main::with_version('haskell', <<'EOJ')
status: "accepted"
language.version: "{version}"
stdout: "{version}\n"
EOJ



=== TEST 49: C#: a program reads a line and answers each test
--- request eval
main::submission(language => 'csharp', tests => 'greetings', source => <<'CS')
using System;

class Program
{
    static void Main()
    {
        string name = Console.ReadLine();
        Console.WriteLine($"hello, {name}");
    }
}
CS
--- error_code: 200
--- response_json eval
$main::Greeted



=== TEST 50: C#: an unhandled exception is a runtime error, as Mono reports it
--- request eval
main::submission(language => 'csharp', source => <<'CS')
using System;

class Program
{
    static void Main()
    {
        int n = int.Parse("abc");
        Console.WriteLine(n);
    }
}
CS
--- error_code: 200
--- response_json
status: "runtime_error"
exit_code: 1
signal: null
stdout: ""
stderr =~ ^\nUnhandled Exception:\nSystem\.FormatException: Input string was not in a correct format\.\n
stderr =~ \n  at Program\.Main \(\)



=== TEST 51: C#: the Mono runtime is the version the table names
--- request eval
main::submission(language => 'csharp', source => <<'CS')
using System;
using System.Reflection;

class Program
{
    static void Main()
    {
        // what "mono --version" shows
        Type mono = Type.GetType("Mono.Runtime");
        MethodInfo name = mono.GetMethod("GetDisplayName",
            BindingFlags.NonPublic | BindingFlags.Static);
        Console.WriteLine(name.Invoke(null, null));
    }
}
CS
--- error_code: 200
--- response_json eval
main::with_version('csharp', <<'EOJ')
status: "accepted"
language.version: "{version}"
stdout =~ ^{version} \(
EOJ



=== TEST 52: Python: arguments reach sys.argv one by one
--- request eval
main::submission(language => 'python', args => ["a", "b c"], source => <<'PY')
import sys

print(sys.argv[1:])
PY
--- error_code: 200
--- response_json
status: "accepted"
stdout: "['a', 'b c']\n"



=== TEST 53: C: arguments reach argv one by one
--- request eval
main::submission(language => 'c', args => ["a", "b c"], source => <<'C')
#include <stdio.h>

int main(int argc, char *argv[])
{
    printf("%d\n", argc - 1);
    for (int i = 1; i < argc; i++)
        printf("[%s]\n", argv[i]);
    return 0;
}
C
--- error_code: 200
--- response_json
status: "accepted"
stdout: "2\n[a]\n[b c]\n"



=== TEST 54: Java: arguments reach main(String[] args) one by one
--- request eval
main::submission(language => 'java', args => ["a", "b c"], source => <<'JAVA')
public class Main {
    public static void main(String[] args) {
        System.out.println(args.length);
        for (String arg : args) {
            System.out.println("[" + arg + "]");
        }
    }
}
JAVA
--- error_code: 200
--- response_json
status: "accepted"
stdout: "2\n[a]\n[b c]\n"



=== TEST 55: JavaScript: arguments reach process.argv one by one
--- request eval
main::submission(language => 'javascript', args => ["a", "b c"], source => <<'JS')
const args = process.argv.slice(2);
console.log(args.length);
for (const arg of args) {
    console.log(`[${arg}]`);
}
JS
--- error_code: 200
--- response_json
status: "accepted"
stdout: "2\n[a]\n[b c]\n"



=== TEST 56: Bash: arguments reach "$@" as given, no shell expands them
--- request eval
main::submission(language => 'bash', args => ["a", "b c", '$HOME', "*"],
                 source => <<'SH')
echo "$#"
for arg in "$@"; do
    echo "[$arg]"
done
SH
--- error_code: 200
--- response_json
status: "accepted"
stdout: "4\n[a]\n[b c]\n[$HOME]\n[*]\n"



=== TEST 57: Haskell: arguments reach getArgs, even what the GHC runtime would take
--- request eval
main::submission(language => 'haskell', args => ['+RTS', '-M4m', '-RTS', 'x'],
                 source => <<'HS')
import System.Environment (getArgs)

main :: IO ()
main = getArgs >>= print
HS
--- error_code: 200
--- response_json
status: "accepted"
stdout: "[\"+RTS\",\"-M4m\",\"-RTS\",\"x\"]\n"



=== TEST 58: C: a header and two .c files are compiled together
--- request eval
main::submission(language => 'c', stdin => "world\n", files => <<'TXTAR')
-- main.c --
#include <stdio.h>
#include "greet.h"

int main(void)
{
    char name[64];

    if (scanf("%63s", name) != 1)
        return 1;
    greet(name);
    return 0;
}
-- greet.h --
#ifndef GREET_H
#define GREET_H

void greet(const char *name);

#endif
-- greet.c --
#include <stdio.h>
#include "greet.h"

void greet(const char *name)
{
    printf("hello, %s\n", name);
}
TXTAR
--- error_code: 200
--- response_json
status: "accepted"
stdout: "hello, world\n"
compile.status: "ok"



=== TEST 59: Java: two classes in two files; Main.java runs, wherever it is listed
--- request eval
main::submission(language => 'java', stdin => "world\n", files => <<'TXTAR')
-- Greeter.java --
public class Greeter {
    private final String greeting;

    public Greeter(String greeting) {
        this.greeting = greeting;
    }

    public String greet(String name) {
        return greeting + ", " + name;
    }
}
-- Main.java --
import java.util.Scanner;

public class Main {
    public static void main(String[] args) {
        String name = new Scanner(System.in).nextLine();
        System.out.println(new Greeter("hello").greet(name));
    }
}
TXTAR
--- error_code: 200
--- response_json
status: "accepted"
stdout: "hello, world\n"



=== TEST 60: Java: without a Main.java, the class of the first file runs
--- request eval
main::submission(language => 'java', stdin => "world\n", files => <<'TXTAR')
-- Solution.java --
import java.util.Scanner;

public class Solution {
    public static void main(String[] args) {
        System.out.println(Greeting.of(new Scanner(System.in).nextLine()));
    }
}
-- Greeting.java --
public class Greeting {
    public static String of(String name) {
        return "hello, " + name;
    }
}
TXTAR
--- error_code: 200
--- response_json
status: "accepted"
stdout: "hello, world\n"



=== TEST 61: Kotlin: a class in a second file; Main.kt runs, wherever it is listed
--- request eval
main::submission(language => 'kotlin', stdin => "world\n", files => <<'TXTAR')
-- Greeter.kt --
class Greeter(private val greeting: String) {
    fun greet(name: String) = "$greeting, $name"
}
-- Main.kt --
fun main() {
    println(Greeter("hello").greet(readLine()!!))
}
TXTAR
--- error_code: 200
--- response_json
status: "accepted"
stdout: "hello, world\n"



=== TEST 62: Python: a module in a package directory is imported
--- request eval
main::submission(language => 'python', stdin => "world\n", files => <<'TXTAR')
-- main.py --
from lib.greet import greet

print(greet(input()))
-- lib/greet.py --
def greet(name):
    return f"hello, {name}"
TXTAR
--- error_code: 200
--- response_json
status: "accepted"
stdout: "hello, world\n"



=== TEST 63: Go: two files of package main are built together
--- request eval
main::submission(language => 'go', stdin => "world\n", files => <<'TXTAR')
-- main.go --
package main

import (
	"bufio"
	"fmt"
	"os"
)

func main() {
	scanner := bufio.NewScanner(os.Stdin)
	scanner.Scan()
	fmt.Println(greet(scanner.Text()))
}
-- greet.go --
package main

func greet(name string) string {
	return "hello, " + name
}
TXTAR
--- error_code: 200
--- response_json
status: "accepted"
stdout: "hello, world\n"



=== TEST 64: Rust: a module in its own file is found by mod
--- request eval
main::submission(language => 'rust', stdin => "world\n", files => <<'TXTAR')
-- main.rs --
mod greet;

use std::io::{self, BufRead};

fn main() {
    let line = io::stdin().lock().lines().next().unwrap().unwrap();
    println!("{}", greet::greet(&line));
}
-- greet.rs --
pub fn greet(name: &str) -> String {
    format!("hello, {}", name)
}
TXTAR
--- error_code: 200
--- response_json
status: "accepted"
stdout: "hello, world\n"



=== TEST 65: Haskell: a module in its own file is imported
--- request eval
main::submission(language => 'haskell', stdin => "world\n", files => <<'TXTAR')
-- main.hs --
import Greet (greet)

main :: IO ()
main = getLine >>= putStrLn . greet
-- Greet.hs --
module Greet (greet) where

greet :: String -> String
greet name = "hello, " ++ name
TXTAR
--- error_code: 200
--- response_json
status: "accepted"
stdout: "hello, world\n"



=== TEST 66: TypeScript: a module in its own file is imported
--- request eval
main::submission(language => 'typescript', stdin => "world\n", files => <<'TXTAR')
-- main.ts --
import { readFileSync } from "fs";
import { greet } from "./greet";

console.log(greet(readFileSync(0, "utf8").trim()));
-- greet.ts --
export function greet(name: string): string {
    return `hello, ${name}`;
}
TXTAR
--- error_code: 200
--- response_json
status: "accepted"
stdout: "hello, world\n"



=== TEST 67: C#: a class in a second file is compiled in
--- request eval
main::submission(language => 'csharp', stdin => "world\n", files => <<'TXTAR')
-- main.cs --
using System;

class Program
{
    static void Main()
    {
        Console.WriteLine(Greeter.Greet(Console.ReadLine()));
    }
}
-- Greeter.cs --
static class Greeter
{
    public static string Greet(string name) => "hello, " + name;
}
TXTAR
--- error_code: 200
--- response_json
status: "accepted"
stdout: "hello, world\n"
