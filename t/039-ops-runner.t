# The runner explains itself: --help shows every default; --check reads
# the configuration, the language table and the seccomp profile and exits
# 0 or 1, naming the file and line at fault; start-up errors reach stderr
# as well as the log, saying which flag sets what is missing; --pid-file
# is written once the runner is up, refuses a second runner and goes at
# exit.  This file runs runners of its own.

use Test::Nginx::Socket 'no_plan';
use Sbx::Test;

use JSON::PP ();
use POSIX ();

no_shuffle();
no_root_location();

our ($runner, $pidfile);

our $Bin = "$Sbx::Test::Top/build/sandbox-runner";
our $Langs = "$Sbx::Test::Top/runner/languages.json";
our $Init = "$Sbx::Test::Top/build/sandbox-init";
our $Tmp = "$Sbx::Test::Dir/ops-runner";

Sbx::Test::blocks();

# Runs the runner with these arguments; returns its exit status and
# everything it wrote (stdout and stderr).
sub run_runner {
    my @args = @_;
    my $out = "$main::Tmp/out";

    my $pid = fork // die "fork: $!";

    if ($pid == 0) {
        open STDOUT, '>', $out or POSIX::_exit(127);
        open STDERR, '>&', \*STDOUT or POSIX::_exit(127);
        no warnings 'exec';
        exec $main::Bin, @args;
        POSIX::_exit(127);
    }

    waitpid $pid, 0;
    my $rc = $? >> 8;

    open my $fh, '<', $out or die "$out: $!";
    local $/;
    return ($rc, scalar <$fh>);
}

sub write_file {
    my ($name, $text) = @_;
    open my $fh, '>', "$main::Tmp/$name" or die "$name: $!";
    print $fh $text;
    close $fh;
    return "$main::Tmp/$name";
}

# the shipped language table, changed by $edit (a sub on the decoded JSON)
sub table {
    my ($name, $edit) = @_;
    open my $fh, '<', $main::Langs or die "$main::Langs: $!";
    my $t = JSON::PP->new->utf8->decode(do { local $/; <$fh> });
    $edit->($t);
    my $path = write_file($name,
                          JSON::PP->new->utf8->pretty->canonical->encode($t));
    system('cp', "$Sbx::Test::Top/runner/seccomp.json", "$main::Tmp/") == 0
        or die "cp seccomp.json failed\n";
    return $path;
}

mkdir $main::Tmp;

run_tests();

Sbx::Test::runner_stop($main::runner) if $main::runner;

__DATA__

=== TEST 1: --help shows every option with its default
--- init
my ($rc, $out) = main::run_runner('--help');
Test::More::is($rc, 0, 'exit 0');
my @opts = $out =~ /^  --([a-z-]+) .*\n  +\(default: ([^)]*)\)$/mg;
Test::More::cmp_ok(scalar(@opts) / 2, '>=', 30, 'every setting has a default');
my %d = @opts;
Test::More::is($d{'queue-size'}, 100, '--queue-size 100');
Test::More::is($d{'shutdown-grace'}, 30, '--shutdown-grace 30 (seconds)');
Test::More::is($d{'max-batch'}, 20, '--max-batch 20');
Test::More::is($d{'socket-mode'}, '0660', '--socket-mode 0660');
Test::More::is($d{'log-level'}, 'info', '--log-level info');
Test::More::like($d{languages}, qr{^/.*languages\.json$}, '--languages a path');
Test::More::is($d{'pid-file'}, 'none', '--pid-file none');
for my $flag (qw(config check help version)) {
    Test::More::like($out, qr/^  --\Q$flag\E\b/m, "--$flag listed");
}
my $f = main::write_file('grace.json', '{"shutdown_grace": 7}');
($rc, $out) = main::run_runner('--config', $f, '--help');
Test::More::like($out, qr/--shutdown-grace .*\n +\(default: 30\)/,
                 'defaults, not what a file sets');
--- request
GET /health
--- error_code: 200



=== TEST 2: --check passes the shipped table and fails a bad one, naming the file
--- init
my ($rc, $out) = main::run_runner('--check', '--languages', $main::Langs,
                                  '--init', $main::Init);
Test::More::is($rc, 0, 'the shipped configuration: exit 0');
Test::More::like($out, qr/configuration is fine: \d+ languages/, 'says so');

my $bad = main::write_file('bad-json.json', qq({\n  "languages": [,\n  ]\n}\n));
system('cp', "$Sbx::Test::Top/runner/seccomp.json", "$main::Tmp/") == 0
    or die "cp failed\n";
($rc, $out) = main::run_runner('--check', '--languages', $bad,
                               '--init', $main::Init);
Test::More::is($rc, 1, 'bad JSON: exit 1');
Test::More::like($out, qr/\Q$bad\E:2:\d+: /, 'naming its file and line');
Test::More::unlike($out, qr/line -1/, 'never "line -1"');

$bad = main::table('bad-field.json', sub { $_[0]{languages}[1]{imgae} = 'x' });
($rc, $out) = main::run_runner('--check', '--languages', $bad,
                               '--init', $main::Init);
Test::More::is($rc, 1, 'an unknown field: exit 1');
Test::More::like($out, qr/\Q$bad\E: language "\w+": unknown field "imgae"/,
                 'naming the file, the language and the field');

$bad = main::table('bad-limit.json', sub {
    $_[0]{languages}[0]{limits}{max}{memory_kb} = 9999999999 });
($rc, $out) = main::run_runner('--check', '--languages', $bad,
                               '--init', $main::Init);
Test::More::is($rc, 1, 'a limit beyond its ceiling: exit 1');
Test::More::like($out, qr/limits\.max\.memory_kb must be an integer from 1 to/,
                 'naming the limit');

$bad = main::table('bad-limit-key.json', sub {
    $_[0]{languages}[0]{limits}{default}{memroy_kb} = 1 });
($rc, $out) = main::run_runner('--check', '--languages', $bad,
                               '--init', $main::Init);
Test::More::is($rc, 1, 'a misspelt limit: exit 1');
Test::More::like($out, qr/unknown field "limits\.default\.memroy_kb"/,
                 'naming it');

$bad = main::table('bad-zero.json', sub {
    $_[0]{languages}[0]{limits}{default}{processes} = 0 });
($rc, $out) = main::run_runner('--check', '--languages', $bad,
                               '--init', $main::Init);
Test::More::is($rc, 1, 'a limit of 0: exit 1');

my $good = main::table('no-seccomp.json', sub {});
unlink "$main::Tmp/seccomp.json";
($rc, $out) = main::run_runner('--check', '--languages', $good,
                               '--init', $main::Init);
Test::More::is($rc, 1, 'no seccomp profile beside the table: exit 1');
Test::More::like($out, qr/seccomp profile .*--seccomp-profile sets it/,
                 'saying which flag sets it');
main::write_file('seccomp.json', '{"defaultAction": "SCMP_ACT_ERRNO"}');
($rc, $out) = main::run_runner('--check', '--languages', $good,
                               '--init', $main::Init);
Test::More::is($rc, 1, 'a seccomp profile that is not one: exit 1');
Test::More::like($out, qr/not a profile/, 'says so');
--- request
GET /health
--- error_code: 200



=== TEST 3: --check on a bad --config names the file and the line
--- init
my @base = ('--check', '--languages', $main::Langs, '--init', $main::Init);
my %cases = (
    'unknown.json' => [qq({\n  "workers": 2,\n  "queue_sise": 3\n}\n),
                       qr/unknown\.json:3: unknown setting "queue_sise"/],
    'range.json'   => [qq({\n  "workers": 2,\n\n  "queue_size": 0\n}\n),
                       qr/range\.json:4: "queue_size" must be at least 1/],
    'value.json'   => [qq({\n  "log_level": "loud"\n}\n),
                       qr/value\.json:2: "log_level" has an invalid value/],
    'syntax.json'  => [qq({\n  "workers": 2,\n  "queue_size": 3,\n}\n),
                       qr/syntax\.json:4:\d+: /],
    'budget.json'  => [qq({"job_output_budget": 999999}),
                       qr/budget\.json:1: "job_output_budget" must be between/],
);
for my $name (sort keys %cases) {
    my $f = main::write_file($name, $cases{$name}[0]);
    my ($rc, $out) = main::run_runner(@base, '--config', $f);
    Test::More::is($rc, 1, "$name: exit 1");
    Test::More::like($out, $cases{$name}[1], "$name: file and line");
    Test::More::unlike($out, qr/line -1/, "$name: never \"line -1\"");
}
my ($rc, $out) = main::run_runner(@base, '--config', "$main::Tmp/none.json");
Test::More::is($rc, 1, 'a missing --config: exit 1');
Test::More::like($out, qr/none\.json: No such file/, 'says so');
($rc, $out) = main::run_runner(@base, '--queue-size', 0);
Test::More::like($out, qr/--queue-size must be at least 1/,
                 'a flag is named as a flag');
--- request
GET /health
--- error_code: 200



=== TEST 4: start-up errors reach stderr as well as the log, saying which flag
--- init
my $log = "$main::Tmp/start.log";
unlink $log;
my ($rc, $out) = main::run_runner(
    '--languages', $main::Langs, '--init', "$main::Tmp/no-such-init",
    '--state-dir', "$main::Tmp/state", '--log-file', $log,
    '--listen', "unix:$main::Tmp/start.sock",
    '--docker-socket', $Sbx::Test::DockerSocket);
Test::More::isnt($rc, 0, 'a missing sandbox-init: the runner does not start');
Test::More::like($out, qr/^sandbox-runner: sandbox-init .*no-such-init.*--init/m,
                 'stderr says what and which flag');
open my $fh, '<', $log or die "$log: $!";
my $text = do { local $/; <$fh> };
Test::More::like($text, qr/error .*sandbox-init .*no-such-init/,
                 'and so does the log');
SKIP: {
    Test::More::skip('a language table is installed at the default path', 2)
        if -e '/etc/sandbox-runner/languages.json';
    ($rc, $out) = main::run_runner();
    Test::More::isnt($rc, 0, 'without flags, on paths nothing installed');
    Test::More::like($out, qr/language table .*--languages sets its path/,
                     'says which flag sets the missing path');
}
--- request
GET /health
--- error_code: 200



=== TEST 5: --pid-file: written once up, a second runner refused, removed at exit
--- init
$main::pidfile = "$main::Tmp/runner.pid";
$main::runner = Sbx::Test::runner_start('pid', '--pid-file', $main::pidfile);
open my $fh, '<', $main::pidfile or die "$main::pidfile: $!";
my $pid = <$fh>;
close $fh;
chomp $pid;
Test::More::is($pid, $main::runner->{pid}, 'the pid file holds its pid');
my ($rc, $out) = main::run_runner(
    '--languages', $main::Langs, '--init', $main::Init,
    '--state-dir', "$main::Tmp/state2", '--pid-file', $main::pidfile,
    '--listen', "unix:$main::Tmp/second.sock",
    '--docker-socket', $Sbx::Test::DockerSocket);
Test::More::isnt($rc, 0, 'a second runner on the same pid file refuses');
Test::More::like($out, qr/held by another runner \(pid $pid\)/, 'saying why');
Test::More::ok(kill(0, $main::runner->{pid}), 'the first one still runs');
Test::More::ok(!-e "$main::Tmp/second.sock", 'the second never listened');
Test::More::ok(defined Sbx::Test::runner_stop($main::runner), 'stopped');
$main::runner = undef;
Test::More::ok(!-e $main::pidfile, 'the pid file is gone');
--- request
GET /health
--- error_code: 200
