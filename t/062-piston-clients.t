# Real Piston clients against sandbox_api piston: the piston-client npm
# package (installed here from the npm registry, under the run's build
# directory) lists the runtimes and runs Python, C and Java; Piston's
# own CLI (cli/ of engineer-man/piston: PISTON_CLI_DIR names a copy, or
# it is cloned from GitHub; skipped when neither works) does the same.
# Nothing installed here is part of the project.

use Test::Nginx::Socket 'no_plan';
use Sbx::Test;
use JSON::PP ();

no_shuffle();
no_root_location();

Sbx::Test::blocks(timeout => 120, config => <<'_EOC_');
    location /piston/ {
        sandbox_pass runner;
        sandbox_api piston;
        sandbox_read_timeout 120s;
    }
_EOC_

our $Work = ($ENV{SBX_TEST_DIR} || '/tmp') . '/piston-clients';
our $Url = 'http://127.0.0.1:' . ($ENV{TEST_NGINX_SERVER_PORT} || 1984)
           . '/piston';

our %Programs = (
    python => ['hello.py', "import sys\nprint('py', sys.argv[1:])\n"],
    c      => ['hello.c', "#include <stdio.h>\n"
                          . "int main(int c, char **v)"
                          . "{printf(\"c %d\\n\", c - 1);return 0;}\n"],
    java   => ['Main.java', "public class Main { public static void "
                            . "main(String[] a) { System.out.println("
                            . "\"java \" + a.length); } }\n"],
);

sub have { system("command -v $_[0] >/dev/null 2>&1") == 0 }

run_tests();

__DATA__

=== TEST 1: piston-client: runtimes, then Python, C and Java
--- init
SKIP: {
    Test::More::skip('node and npm are not installed', 1)
        unless main::have('node') && main::have('npm');
    my $dir = "$main::Work/npm";
    system('mkdir', '-p', $dir);
    my $rc = system("cd '$dir' && npm install --no-audit --no-fund "
                    . "--silent piston-client\@1 >npm.log 2>&1");
    Test::More::is($rc, 0, 'npm install piston-client')
        or Test::More::diag(`tail -20 '$dir/npm.log'`);
    open my $fh, '>', "$dir/run.mjs" or die;
    print $fh <<'_JS_';
import fs from 'fs';
import piston from 'piston-client';
const client = piston({ server: process.argv[2] });
const progs = JSON.parse(fs.readFileSync(process.argv[3], 'utf8'));
const out = { runtimes: await client.runtimes() };
for (const [lang, [name, code]] of Object.entries(progs)) {
    out[lang] = await client.execute(lang, code);
}
console.log(JSON.stringify(out));
_JS_
    close $fh;
    open $fh, '>', "$dir/programs.json" or die;
    print $fh JSON::PP->new->encode(\%main::Programs);
    close $fh;
    my $json = `cd '$dir' && node run.mjs '$main::Url' programs.json`;
    my $r = eval { JSON::PP->new->decode($json) };
    Test::More::ok($r, 'piston-client answered') or Test::More::diag($json);
    my %rt = map { $_->{language} => $_->{version} } @{ $r->{runtimes} };
    Test::More::is($rt{python}, '3.11.2', 'runtimes: python 3.11.2');
    Test::More::ok($rt{c} && $rt{java}, 'runtimes: c and java');
    # piston-client sends args ["1", "2", "3"] unless told otherwise
    Test::More::is($r->{python}{run}{stdout}, "py ['1', '2', '3']\n", 'python');
    Test::More::is($r->{python}{language}, 'python', 'python: language');
    Test::More::is($r->{python}{version}, '3.11.2', 'python: version');
    Test::More::is($r->{c}{run}{stdout}, "c 3\n", 'c');
    Test::More::is($r->{c}{compile}{code}, 0, 'c: compile stage');
    Test::More::is($r->{java}{run}{stdout}, "java 3\n", 'java');
    Test::More::is($r->{java}{compile}{code}, 0, 'java: compile stage');
    for my $l (qw(python c java)) {
        my $run = $r->{$l}{run};
        Test::More::ok(exists $run->{$_}, "$l: run.$_")
            for qw(stdout stderr output code signal message status
                   cpu_time wall_time memory);
        Test::More::is($run->{code}, 0, "$l: code 0");
    }
}
--- request
GET /piston/api/v2/runtimes
--- error_code: 200



=== TEST 2: Piston's CLI: execute Python, C and Java files
--- init
SKIP: {
    my $cli = $ENV{PISTON_CLI_DIR};
    if (!$cli && main::have('git')) {
        my $src = "$main::Work/piston";
        system("rm -rf '$src' && timeout 60 git clone -q --depth 1 "
               . "https://github.com/engineer-man/piston '$src' "
               . ">/dev/null 2>&1");
        $cli = "$src/cli" if -f "$src/cli/index.js";
    }
    Test::More::skip('Piston\'s CLI is not available (set PISTON_CLI_DIR '
                     . 'to a copy of its cli/ directory)', 1)
        unless $cli && -f "$cli/index.js" && main::have('node');
    if (!-d "$cli/node_modules") {
        my $rc = system("cd '$cli' && npm install --no-audit --no-fund "
                        . "--silent >npm.log 2>&1");
        Test::More::is($rc, 0, 'npm install in the CLI');
    }
    for my $l (qw(python c java)) {
        my ($name, $code) = @{ $main::Programs{$l} };
        my $d = "$main::Work/cli-$l";
        system('mkdir', '-p', $d);
        open my $fh, '>', "$d/$name" or die;
        print $fh $code;
        close $fh;
        my $out = `cd '$d' && node '$cli/index.js' -u '$main::Url' execute $l $name a b 2>&1`;
        Test::More::note("piston -u $main::Url execute $l $name a b\n$out");
        Test::More::like($out, qr/== Run ==/, "cli $l: a run stage");
        Test::More::like($out, $l eq 'python' ? qr/py \['a', 'b'\]/
                                              : qr/$l 2/, "cli $l: output")
            or Test::More::diag($out);
        Test::More::like($out, qr/== Compile ==/, "cli $l: a compile stage")
            if $l ne 'python';
    }
}
--- request
GET /piston/api/v2/runtimes
--- error_code: 200
