package Sbx::Test;

# Helpers for the t/*.t suites of ngx_http_sandbox_module.  They work the
# same under the CPAN Test::Nginx and under t/lib's harness: the JSON check
# hooks into add_response_body_check(), which both provide, and the block
# section it reads (--- response_json) is one both harnesses ignore.
#
#   --- response_json
#   status: "accepted"            the value at the path equals this JSON
#   tests.0.stdout: "3\n"         (dotted path, array indexes as numbers)
#   time_ms =~ ^\d+$              the value, as text, matches the regex
#   error.field !                 the path does not exist
#
# With several requests, give "--- response_json eval" an arrayref with
# one such text per request (undef to check nothing for that request).
#
#   --- json_ok eval
#   sub { my $r = shift; abs($r->{time_ms} - 500) <= 10 }
#
# runs a predicate on the decoded answer (for relations between fields
# that a path and a value cannot say).
#
# Runners of their own, for tests that stop or restart one:
#
#   my $r = Sbx::Test::runner_start('life', '--shutdown-grace', 1);
#   Sbx::Test::runner_stop($r);          # SIGTERM, waits for the exit
#   Sbx::Test::containers('life');       # containers of runner "life"
#
# Checks after each response, for the suite's main runner:
#
#   --- containers_left: 0        that many of its containers exist (soon)
#   --- host_clean                no process runs as one of this run's
#                                 sandbox uids (soon)
#
# Blocks: Sbx::Test::blocks(…) sets up nginx in front of the suite's
# runners for every block that does not set its own config;
# Sbx::Test::submit(language => …, source => …) builds a request.
#
# Requests from Perl (in --- init or --- json_ok code), to the test nginx:
#
#   my ($status, $doc, $headers, $body) =
#       Sbx::Test::api(POST => '/submissions', { language => … });
#   my $r = Sbx::Test::poll('/submissions/' . $id);   # until it is done
#   Sbx::Test::wait_for(30, sub { Sbx::Test::metric('sandbox_warm_ready') });

use strict;
use warnings;

use Cwd ();
use File::Basename ();
use HTTP::Tiny ();
use IO::Socket::INET ();
use IO::Socket::UNIX ();
use JSON::PP ();
use POSIX ();
use Test::More ();
use Time::HiRes ();

our $Top = Cwd::abs_path(File::Basename::dirname(__FILE__) . '/../../..');
our $Tag = $ENV{SBX_TEST_TAG} || 'test';
our $Dir = $ENV{SBX_TEST_DIR} || "$Top/build/$Tag";

# the runner a suite's --- containers_left counts
our $Runner = 'main';

# this run's uids (tools/test-t.sh): main and small take the first two
# hundreds, runners of a suite's own the next ones
our $UidBase = $ENV{SBX_TEST_UID_BASE} || 20000;
our $NextUid = $UidBase + 200;

# the engine (tools/test-t.sh exports it; docker commands read DOCKER_HOST)
our $DockerSocket = $ENV{SBX_DOCKER_SOCKET} || '/run/sandbox-docker.sock';
$ENV{DOCKER_HOST} ||= "unix://$DockerSocket";

my $json = JSON::PP->new->utf8->allow_nonref->canonical;

Test::Nginx::Socket::add_response_body_check(\&check_json);
Test::Nginx::Socket::add_response_body_check(\&check_host);

sub check_json {
    my ($block, $body, $req_idx, $rep, $dry_run) = @_;

    if (defined(my $ok = $block->json_ok)) {
        my $doc = eval { $json->decode($body) };
        my $res = $doc && eval { $ok->($doc) };
        Test::More::ok($res, $block->name . " - json_ok")
            or Test::More::diag($@ ? "died: $@" : "answer: $body");
    }

    my $spec = $block->response_json;
    return unless defined $spec;

    if (ref $spec eq 'ARRAY') {
        $spec = $spec->[$req_idx];
        return unless defined $spec;
    }

    my $name = $block->name;
    my $doc = eval { $json->decode($body) };

    if (!defined $doc && $@) {
        Test::More::fail("$name - response is JSON");
        Test::More::diag("not JSON: $@\n$body");
        return;
    }

    for my $line (split /\n/, $spec) {
        next if $line =~ /^\s*(#|$)/;

        my ($path, $op, $want) = $line =~ /^\s*(\S+?)\s*(=~|!~|:|!)\s*(.*?)\s*$/
            or die "$name: bad response_json line: $line\n";

        my ($found, $got) = walk($doc, $path);
        my $desc = "$name - json $path $op " . ($op eq '!' ? '' : $want);

        if ($op eq '!') {
            Test::More::ok(!$found, $desc)
                or Test::More::diag("present: " . $json->encode($got));
            next;
        }

        if (!$found) {
            Test::More::fail($desc);
            Test::More::diag("no \"$path\" in $body");
            next;
        }

        if ($op eq ':') {
            my $exp = $json->decode($want);
            Test::More::is_deeply($got, $exp, $desc)
                or Test::More::diag("got: " . $json->encode($got));
            next;
        }

        my $text = ref $got ? $json->encode($got)
                 : defined $got ? "$got" : 'null';

        # the answer was decoded from UTF-8: so must the pattern be
        utf8::decode($want);

        if ($op eq '=~') {
            Test::More::like($text, qr/$want/s, $desc);
        } else {
            Test::More::unlike($text, qr/$want/s, $desc);
        }
    }
}

# Containers are removed, and their processes end, right after the answer
# rather than before it: both checks allow for that, and for a loaded
# Docker, some seconds.
sub check_host {
    my ($block) = @_;

    if (defined(my $want = $block->containers_left)) {
        my $n;

        for (1 .. 300) {
            $n = containers($Runner);
            last if $n == $want;
            Time::HiRes::sleep(0.1);
        }

        Test::More::is($n, $want, $block->name . " - containers left")
            or Test::More::diag(container_report($Runner));
    }

    if (defined $block->host_clean) {
        my @left;

        for (1 .. 100) {
            @left = sandbox_processes();
            last unless @left;
            Time::HiRes::sleep(0.1);
        }

        Test::More::is(scalar @left, 0,
                       $block->name . " - no sandbox process on the host")
            or Test::More::diag(join "\n", @left);
    }
}

# The host uid and gid that are root in the engine's containers: (0, 0)
# without user namespaces, else the start of the remapped range, which
# the engine names in its root directory (".../<uid>.<gid>").
my @remap;

sub remap_root {
    return @remap if @remap;

    my $format = '{{json .SecurityOptions}} {{.DockerRootDir}}';
    my $info = `docker info --format '$format' 2>/dev/null`;

    return (0, 0) unless $info =~ /\S/;       # no engine: ask again later
    @remap = $info =~ /name=userns/ && $info =~ m{/(\d+)\.(\d+)\s*$}
           ? ($1, $2) : (0, 0);
    return @remap;
}

# Processes on the host that run as one of this run's sandbox uids (as
# the host sees them: shifted by the remapped range, if any).
sub sandbox_processes {
    my $base = $UidBase + (remap_root())[0];

    return grep { /^\s*(\d+)\s/ && $1 >= $base && $1 < $base + 1000 }
           split /\n/, `ps -eo uid=,pid=,args=`;
}

sub walk {
    my ($doc, $path) = @_;
    my $cur = $doc;

    for my $key (split /\./, $path) {
        if (ref $cur eq 'HASH') {
            return (0) unless exists $cur->{$key};
            $cur = $cur->{$key};
        } elsif (ref $cur eq 'ARRAY') {
            return (0) unless $key =~ /^\d+$/ && $key < @$cur;
            $cur = $cur->[$key];
        } else {
            return (0);
        }
    }

    return (1, $cur);
}

# ---- the usual blocks -----------------------------------------------------

# blocks(OPTION => VALUE, …): nginx in front of runners for every block,
# each section set only where the block does not set its own.  A block
# with a --- reuse_nginx section gets none: it keeps the running nginx.
#
#   runner => NAME            the runner of this suite (default "main"):
#                             its socket backs upstream "runner", and
#                             --- containers_left counts its containers
#   upstreams => {UP => NAME} upstreams and the runners behind them
#                             (default { runner => <runner> })
#   keepalive => N            per upstream (default 4; 0 for none)
#   http_config => TEXT       after the upstreams, in http {}
#   read_timeout => TIME      of the default "location /" (default 120s;
#                             undef for nginx's own)
#   config => TEXT            server {} lines instead of "location /"
#                             passing to upstream "runner"
#   more_headers => TEXT      default a JSON Content-Type; undef for none
#   timeout => SECS           the client's (default the harness's; 90
#                             where programs compile: Kotlin, TypeScript
#                             or Java on a busy host take a while)
#   sections => {NAME => V}   any other sections, e.g. checks that every
#                             block of a suite makes
sub blocks {
    my %o = (runner => 'main', keepalive => 4, read_timeout => '120s',
             more_headers => 'Content-Type: application/json', @_);

    $Runner = $o{runner};

    my $ups = $o{upstreams} || { runner => $o{runner} };
    my $http = join '', map {
        "    upstream $_ {\n"
        . "        server unix:" . sock($ups->{$_}) . ";\n"
        . ($o{keepalive} ? "        keepalive $o{keepalive};\n" : '')
        . "    }\n"
    } sort keys %$ups;
    $http .= $o{http_config} // '';

    my $config = $o{config} // "    location / {\n"
        . "        sandbox_pass runner;\n"
        . (defined $o{read_timeout}
           ? "        sandbox_read_timeout $o{read_timeout};\n" : '')
        . "    }\n";

    my %sections = (%{ $o{sections} || {} },
                    http_config => $http, config => $config,
                    more_headers => $o{more_headers},
                    timeout => $o{timeout});

    Test::Nginx::Socket::add_block_preprocessor(sub {
        my $block = shift;

        return if defined $block->reuse_nginx;

        for my $name (sort keys %sections) {
            next unless defined $sections{$name};
            $block->set_value($name => $sections{$name})
                unless defined $block->$name;
        }
    });
}

# The socket of this run's runner NAME: tools/test-t.sh starts "main" and
# "small" (and says where), runner_start() the others.
my %sock_env = (main  => 'TEST_NGINX_SANDBOX_SOCKET',
                small => 'TEST_NGINX_SANDBOX_SMALL_SOCKET');

sub sock {
    my $name = shift;
    my $env = $sock_env{$name};

    return $env && $ENV{$env} ? $ENV{$env} : "$Dir/$name.sock";
}

# A "--- request eval" value: POST /submissions with this submission.
sub submit {
    my %sub = @_;
    return "POST /submissions\n" . JSON::PP->new->canonical->encode(\%sub);
}

# ---- requests from Perl ---------------------------------------------------

sub api {
    my ($method, $path, $body) = @_;

    my $port = $ENV{TEST_NGINX_SERVER_PORT} || 1984;
    my $res = HTTP::Tiny->new(timeout => 120)->request(
        $method, "http://127.0.0.1:$port$path",
        defined $body
            ? { headers => { 'Content-Type' => 'application/json' },
                content => $json->encode($body) }
            : {});

    my $doc = eval { $json->decode($res->{content}) };

    return ($res->{status}, $doc, $res->{headers}, $res->{content});
}

# GETs a submission until it is neither queued nor running (or $secs pass).
sub poll {
    my ($path, $secs) = @_;
    my ($status, $doc);

    for (1 .. ($secs // 60) * 10) {
        ($status, $doc) = api(GET => $path);
        last if $status != 200
                || ($doc->{status} ne 'queued' && $doc->{status} ne 'running');
        Time::HiRes::sleep(0.1);
    }

    return $doc;
}

# Waits up to $secs for $cond->() to hold; returns whether it did.
sub wait_for {
    my ($secs, $cond) = @_;

    for (1 .. $secs * 10) {
        return 1 if $cond->();
        Time::HiRes::sleep(0.1);
    }

    return 0;
}

# Waits up to $secs for the runner behind the location to have no job
# running or queued, by its metrics.
sub runner_idle {
    my $secs = shift;

    return wait_for($secs, sub {
        metric('sandbox_workers_busy') == 0
            && metric('sandbox_queue_depth') == 0 });
}


# A host-side process that runs beside a block's program: in a child,
# $start->() returns a tick and a report; the tick runs every $every
# seconds (for 120 s at most) until host_watch_end(), which returns the
# lines the report gives.
sub host_watch {
    my ($name, $every, $start) = @_;
    my $out = "$Dir/$name";

    unlink $out, "$out.stop";

    my $pid = fork // die "fork: $!";

    if ($pid == 0) {
        my ($tick, $report) = $start->();
        my $end = Time::HiRes::time() + 120;

        until (-e "$out.stop" || Time::HiRes::time() > $end) {
            $tick->();
            Time::HiRes::sleep($every);
        }

        open my $fh, '>', $out or POSIX::_exit(1);
        print $fh map { "$_\n" } $report->();
        close $fh;
        POSIX::_exit(0);
    }

    return { pid => $pid, out => $out };
}

sub host_watch_end {
    my $w = shift;

    open my $stop, '>', "$w->{out}.stop" or die "$w->{out}.stop: $!";
    close $stop;
    waitpid $w->{pid}, 0;

    open my $fh, '<', $w->{out} or die "$w->{out}: $!";
    chomp(my @lines = <$fh>);
    close $fh;

    return @lines;
}

# The value of an unlabelled metric of the runner behind $prefix (default
# the one at "/"), or undef.
sub metric {
    my ($name, $prefix) = @_;
    my (undef, undef, undef, $m) = api(GET => ($prefix // '') . '/metrics');
    return $m =~ /^\Q$name\E (\d+)$/m ? $1 : undef;
}

# ---- runners of a test's own ----------------------------------------------

# Starts runner NAME (tools/runner.sh) with these flags on sock(NAME), its
# output in $Dir/NAME.log, and waits until the socket answers.
sub runner_start {
    my ($name, @flags) = @_;

    return runner_start_wrapped($name, [], @flags);
}

# Sends SIGTERM (or the given signal) and waits up to $timeout seconds.
# Returns the seconds it took, or undef if the runner did not exit.
sub runner_stop {
    my ($r, $signal, $timeout) = @_;

    $signal //= 'TERM';
    $timeout //= 60;

    my $t0 = Time::HiRes::time();
    kill $signal, $r->{pid};

    while (Time::HiRes::time() - $t0 < $timeout) {
        return Time::HiRes::time() - $t0
            if waitpid($r->{pid}, POSIX::WNOHANG()) == $r->{pid};
        Time::HiRes::sleep(0.05);
    }

    return undef;
}

# Like runner_start, with the runner's command behind WRAP (an array of
# words), e.g. [qw(unshare -m …)] for a mount namespace of its own.
sub runner_start_wrapped {
    my ($name, $wrap, @flags) = @_;

    my $sock = sock($name);
    my $log = "$Dir/$name.log";
    my $uid = $NextUid;

    $NextUid += 100;

    my $pid = fork // die "fork: $!";

    if ($pid == 0) {
        open STDOUT, '>>', $log or POSIX::_exit(1);
        open STDERR, '>&', \*STDOUT or POSIX::_exit(1);
        no warnings "exec";
        exec @$wrap, "$Top/tools/runner.sh", "$Tag-$name", $sock,
             "$Dir/state-$name", '--log-level', 'debug',
             '--uid-base', $uid, '--uid-count', 100, @flags;
        POSIX::_exit(127);
    }

    # the socket file may be a stale one: wait until it answers
    my $up;

    for (1 .. 100) {
        $up = IO::Socket::UNIX->new(Peer => $sock) and last;
        last if waitpid($pid, POSIX::WNOHANG()) == $pid;
        Time::HiRes::sleep(0.1);
    }

    die "runner $name did not start (see $log)\n" unless $up;
    close $up;

    return { name => $name, pid => $pid, sock => $sock, log => $log };
}

# ---- runners on TCP ---------------------------------------------------------

# The TCP port of this run's runner number I (1, 2 …): beside nginx's
# port, so that two runs with their own tags do not meet.
sub tcp_port {
    my $i = shift;
    return ($ENV{TEST_NGINX_SERVER_PORT} || 1984) + 2000 + $i;
}

# A test CA and certificates in $Dir/NAME (tools/certs.sh); its path.
sub certs {
    my $name = shift // 'pki';
    my $dir = "$Dir/$name";

    system("$Top/tools/certs.sh", $dir) == 0
        or die "tools/certs.sh $dir failed\n";

    return $dir;
}

# Starts runner NAME listening on tcp:127.0.0.1:PORT, with TLS from the
# certificates in $pki unless $pki is undef, and waits until the port
# accepts connections.
sub runner_start_tcp {
    my ($name, $port, $pki, @flags) = @_;

    my @tls = defined $pki
        ? ('--tls-certificate', "$pki/runner.crt",
           '--tls-certificate-key', "$pki/runner.key",
           '--tls-client-ca', "$pki/ca.crt")
        : ();

    my $log = "$Dir/$name.log";
    my $uid = $NextUid;

    $NextUid += 100;

    my $pid = fork // die "fork: $!";

    if ($pid == 0) {
        open STDOUT, '>>', $log or POSIX::_exit(1);
        open STDERR, '>&', \*STDOUT or POSIX::_exit(1);
        no warnings "exec";
        exec "$Top/tools/runner.sh", "$Tag-$name", "$Dir/$name.sock",
             "$Dir/state-$name", '--log-level', 'debug',
             '--uid-base', $uid, '--uid-count', 100,
             '--listen', "tcp:127.0.0.1:$port", @tls, @flags;
        POSIX::_exit(127);
    }

    my $up;

    for (1 .. 100) {
        $up = IO::Socket::INET->new(PeerAddr => '127.0.0.1',
                                    PeerPort => $port) and last;
        last if waitpid($pid, POSIX::WNOHANG()) == $pid;
        Time::HiRes::sleep(0.1);
    }

    die "runner $name did not start (see $log)\n" unless $up;
    close $up;

    return { name => $name, pid => $pid, port => $port, log => $log,
             uid => $uid, flags => [$pki, @flags] };
}

# Containers, running or not, of this suite's runner NAME.
sub containers {
    my $name = shift;
    my $label = "org.sandbox.runner=$Tag-$name";
    my @ids = grep { /\S/ } split /\n/, `docker ps -aq --filter label=$label`;
    return scalar @ids;
}

# What is left of a runner's containers, and what its log says of them.
sub container_report {
    my $name = shift;
    my $label = "org.sandbox.runner=$Tag-$name";
    my $ps = `docker ps -a --no-trunc --filter label=$label --format '{{.ID}} {{.Status}} {{.CreatedAt}}'`;
    my @log;

    for my $id (map { substr((split)[0], 0, 12) } split /\n/, $ps) {
        open my $fh, '<', "$Dir/$name.log" or last;
        push @log, grep { /\Q$id\E/ } <$fh>;
    }

    return "containers:\n$ps" . (@log ? "runner log:\n" . join('', @log) : '');
}

1;
