# Every verdict a program can earn, each provoked on purpose, and every
# output checker, each both passing and failing.  The verdict comes from
# running the program; the message explains it in words.

use Test::Nginx::Socket 'no_plan';
use Sbx::Test;
use JSON::PP ();

no_shuffle();
no_root_location();

Sbx::Test::blocks(timeout => 90);

run_tests();

__DATA__

=== TEST 1: accepted: a clean exit, nothing to compare
--- request eval
Sbx::Test::submit(language => "python", source => "print('fine')")
--- error_code: 200
--- response_json
status: "accepted"
message !
tests.0.status: "accepted"



=== TEST 2: accepted: the output is exactly the expected output
--- request eval
Sbx::Test::submit(language => "python", source => "print(int(input()) * 2)",
             stdin => "21\n", expected_output => "42\n")
--- error_code: 200
--- response_json
status: "accepted"
stdout: "42\n"



=== TEST 3: wrong_answer: the output differs
--- request eval
Sbx::Test::submit(language => "python", source => "print(int(input()) * 3)",
             stdin => "21\n", expected_output => "42\n")
--- error_code: 200
--- response_json
status: "wrong_answer"
stdout: "63\n"
message: "the output differs from the expected output"



=== TEST 4: time_limit_exceeded (cpu): a busy loop, cut at the CPU limit
--- request eval
Sbx::Test::submit(language => "c",
             source => "int main(void) { for (volatile unsigned long i = 0;; i++); }",
             limits => { cpu_time_ms => 700, wall_time_ms => 10000 })
--- error_code: 200
--- response_json
status: "time_limit_exceeded"
limit: "cpu"
signal: "SIGKILL"
message: "the program used more than the CPU time limit of 700 ms"
--- json_ok eval
sub { $_[0]{time_ms} >= 700 && $_[0]{time_ms} < 900 }



=== TEST 5: time_limit_exceeded (wall): asleep, cut at the wall-clock limit
--- request eval
Sbx::Test::submit(language => "bash", source => "echo going to sleep\nsleep 100",
             limits => { wall_time_ms => 1200 })
--- error_code: 200
--- response_json
status: "time_limit_exceeded"
limit: "wall"
stdout: "going to sleep\n"
message: "the program ran longer than the wall time limit of 1200 ms"
--- json_ok eval
sub { $_[0]{wall_time_ms} >= 1200 && $_[0]{wall_time_ms} < 1700
      && $_[0]{time_ms} < 200 }



=== TEST 6: memory_limit_exceeded: more memory than the limit
--- request eval
Sbx::Test::submit(language => "c",
             source => "#include <stdio.h>\n#include <stdlib.h>\n#include <string.h>\nint main(void) { long sum = 0; for (int i = 0; i < 64; i++) { char *p = malloc(4 << 20); memset(p, i, 4 << 20); sum += p[i]; } printf(\"%ld\\n\", sum); return 0; }",
             limits => { memory_kb => 65536 })
--- error_code: 200
--- response_json
status: "memory_limit_exceeded"
message: "the program used more than the memory limit of 65536 KiB"



=== TEST 7: output_limit_exceeded: a flood on stdout is cut and truncated
--- request eval
Sbx::Test::submit(language => "python",
             source => "import sys\nwhile True:\n    sys.stdout.write('x' * 4096)",
             limits => { output_kb => 8 })
--- error_code: 200
--- response_json
status: "output_limit_exceeded"
truncated: {"stdout": true, "stderr": false}
message: "the program wrote more than 8 KiB to stdout or stderr"
--- json_ok eval
sub { length($_[0]{stdout}) == 8192 }



=== TEST 8: output_limit_exceeded: a flood on stderr too
--- request eval
Sbx::Test::submit(language => "python",
             source => "import sys\nprint('before')\nwhile True:\n    sys.stderr.write('e' * 4096)",
             limits => { output_kb => 8 })
--- error_code: 200
--- response_json
status: "output_limit_exceeded"
stdout: "before\n"
truncated: {"stdout": false, "stderr": true}
--- json_ok eval
sub { length($_[0]{stderr}) == 8192 }



=== TEST 9: runtime_error: a non-zero exit code
--- request eval
Sbx::Test::submit(language => "python", source => "import sys\nsys.exit(7)")
--- error_code: 200
--- response_json
status: "runtime_error"
exit_code: 7
signal: null
message: "the program exited with code 7"



=== TEST 10: runtime_error: killed by a signal, named
--- request eval
Sbx::Test::submit(language => "c",
             source => "#include <stdio.h>\nint main(void) { int *p = NULL; puts(\"about to crash\"); fflush(stdout); return *p; }")
--- error_code: 200
--- response_json
status: "runtime_error"
exit_code: null
signal: "SIGSEGV"
stdout: "about to crash\n"
message: "the program was killed by SIGSEGV"



=== TEST 11: runtime_error: abort() is SIGABRT
--- request eval
Sbx::Test::submit(language => "cpp",
             source => "#include <cassert>\nint main() { assert(1 + 1 == 3); }")
--- error_code: 200
--- response_json
status: "runtime_error"
signal: "SIGABRT"
stderr =~ Assertion .* failed



=== TEST 12: compilation_error: the compiler's words, raw and structured
--- request eval
Sbx::Test::submit(language => "c",
             source => "int main(void)\n{\n    return undefined_name;\n}\n")
--- error_code: 200
--- response_json
status: "compilation_error"
compile.status: "compilation_error"
compile.exit_code: 1
compile.stderr =~ main\.c:3:12: error: .undefined_name. undeclared
compile.diagnostics.0.file: "main.c"
compile.diagnostics.0.line: 3
compile.diagnostics.0.column: 12
compile.diagnostics.0.severity: "error"
compile.diagnostics.0.message =~ ^.undefined_name. undeclared
tests: []
message: "the compiler exited with code 1"



=== TEST 13: internal_error: a test that cannot even start the program
The source asks rustc for a library: the compile succeeds, and what it
leaves at ./main is an archive that no test can execute.  (A test can no
longer break the next one: each starts from the compiled state.)
--- request eval
Sbx::Test::submit(language => "rust",
             source => "#![crate_type = \"lib\"]\npub fn f() {}\n",
             tests => [{ stdin => "" }, { stdin => "" }])
--- error_code: 200
--- response_json
status: "internal_error"
compile.status: "ok"
tests.0.status: "internal_error"
tests.0.message: "exec ./main: Permission denied"
tests.1.status: "internal_error"
message =~ \S



=== TEST 14: checker exact: a missing newline is a difference
--- request eval
Sbx::Test::submit(language => "python", source => "print(3)",
             expected_output => "3", checker => "exact")
--- error_code: 200
--- response_json
status: "wrong_answer"



=== TEST 15: checker trimmed: trailing spaces and blank lines do not count
--- request eval
Sbx::Test::submit(language => "python", source => "print('3  \\n4\\t\\n\\n')",
             expected_output => "3\n4", checker => "trimmed")
--- error_code: 200
--- response_json
status: "accepted"



=== TEST 16: checker trimmed: leading spaces and inner differences do
--- request eval
Sbx::Test::submit(language => "python", source => "print(' 3')",
             tests => [{ expected_output => "3\n" }], checker => "trimmed")
--- error_code: 200
--- response_json
status: "wrong_answer"



=== TEST 17: checker regex: the whole output must match the pattern
--- request eval
Sbx::Test::submit(language => "python", source => "import random\nprint(random.randint(1000, 9999))",
             tests => [{ stdin => "" }, { stdin => "" }],
             checker => { type => "regex", pattern => "\\d{4}\\n" })
--- error_code: 200
--- response_json
status: "accepted"
tests.1.status: "accepted"



=== TEST 18: checker regex: a partial match is not enough
--- request eval
Sbx::Test::submit(language => "python", source => "print('id 1234 ok')",
             checker => { type => "regex", pattern => "\\d{4}" })
--- error_code: 200
--- response_json
status: "wrong_answer"



=== TEST 19: checker regex: each test's expected output as its pattern
--- request eval
Sbx::Test::submit(language => "python", source => "print(input().upper())",
             checker => "regex",
             tests => [{ stdin => "abc\n", expected_output => "A[B-Z]+\\n" },
                       { stdin => "xyz\n", expected_output => "X\\d\\n" }])
--- error_code: 200
--- response_json
status: "wrong_answer"
tests.0.status: "accepted"
tests.1.status: "wrong_answer"



=== TEST 20: checker regex: a pattern that does not compile is 400
--- request eval
Sbx::Test::submit(language => "python", source => "print(1)",
             checker => { type => "regex", pattern => "(unclosed" })
--- error_code: 400
--- response_json
error.code: "invalid_field"
error.field: "checker.pattern"
error.message =~ missing



=== TEST 21: checker float: numbers within the tolerance
--- request eval
Sbx::Test::submit(language => "python", source => "import math\nprint('pi =', math.pi, 'e =', math.e)",
             expected_output => "pi = 3.1416 e = 2.7183",
             checker => { type => "float", abs => 0.0001 })
--- error_code: 200
--- response_json
status: "accepted"



=== TEST 22: checker float: outside the tolerance, or a word differs
--- request eval
Sbx::Test::submit(language => "python", source => "print('pi =', 3.15)\nprint('pi =', 3.14159)",
             tests => [{ expected_output => "pi = 3.14159\npi = 3.14159" }],
             checker => { type => "float", abs => 0.001 })
--- error_code: 200
--- response_json
status: "wrong_answer"



=== TEST 23: checker float: relative tolerance for large numbers
--- request eval
Sbx::Test::submit(language => "python", source => "print(1000000.5)",
             expected_output => "1000000",
             checker => { type => "float", abs => 0, rel => 0.000001 })
--- error_code: 200
--- response_json
status: "accepted"



=== TEST 24: tests: the first failure decides, the others are still run
--- request eval
Sbx::Test::submit(language => "python", source => "n = int(input())\nprint(n * n)",
             tests => [{ stdin => "2", expected_output => "4\n" },
                       { stdin => "3", expected_output => "10\n" },
                       { stdin => "x", expected_output => "0\n" }])
--- error_code: 200
--- response_json
status: "wrong_answer"
tests.0.status: "accepted"
tests.1.status: "wrong_answer"
tests.1.stdout: "9\n"
tests.2.status: "runtime_error"
stdout: "9\n"



=== TEST 25: stop_on_failure: the tests after the first failure are skipped
--- request eval
Sbx::Test::submit(language => "python", source => "n = int(input())\nprint(n * n)",
             stop_on_failure => JSON::PP::true,
             tests => [{ stdin => "2", expected_output => "4\n" },
                       { stdin => "3", expected_output => "10\n" },
                       { stdin => "4", expected_output => "16\n" }])
--- error_code: 200
--- response_json
status: "wrong_answer"
tests.0.status: "accepted"
tests.1.status: "wrong_answer"
tests.2.status: "skipped"



=== TEST 26: limits out of the language's range are 422, naming the field
--- request eval
Sbx::Test::submit(language => "python", source => "print(1)",
             limits => { processes => 100000 })
--- error_code: 422
--- response_json
error.code: "limit_exceeded"
error.field: "limits.processes"
error.message =~ ^must be between 1 and \d+ for python$



=== TEST 27: a test that is not a test is 400, naming it
--- request eval
Sbx::Test::submit(language => "python", source => "print(1)",
             tests => [{ stdin => "1" }, { stdout => "2" }])
--- error_code: 400
--- response_json
error.code: "unknown_field"
error.field: "tests[1].stdout"
