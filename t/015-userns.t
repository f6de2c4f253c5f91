# Container root is not host root: the engine runs every box in a user
# namespace (tools/dockerd.sh, --userns-remap), so uid 0 in a box and the
# program's own uid are unprivileged, otherwise unused uids on the host.
#
# Seen three ways, each of which fails on an engine without the remap:
#   1. from inside, by the program: its uid and gid maps are not the
#      identity, and its own uid is one of the mapped ones;
#   2. from the host: the box's processes (init and the program) run under
#      the remapped uids, none of them under host root;
#   3. what root in one of the engine's containers can do to the host's
#      root-owned files, even with Docker's default capabilities (more
#      than a box ever has): nothing, because its capabilities hold only in
#      its own namespace.

use Test::Nginx::Socket 'no_plan';
use Sbx::Test;
use File::Temp ();

no_shuffle();
no_root_location();

Sbx::Test::blocks(timeout => 90);

our ($id, @host);

# The host uid of a process, or undef.
sub host_uid {
    my $pid = shift;
    open my $fh, '<', "/proc/$pid/status" or return undef;
    while (my $line = <$fh>) {
        return $1 if $line =~ /^Uid:\s+(\d+)/;
    }
    return undef;
}

# "pid uid" of each process of the main runner's one running box.
sub box_processes {
    my $label = "org.sandbox.runner=$Sbx::Test::Tag-main";
    my ($cid) = grep { /\S/ } split /\n/,
                `docker ps -q --filter label=$label`;
    return () unless $cid;
    my @pids = grep { /^\d+$/ } map { s/\s+//gr } split /\n/,
               `docker top $cid -o pid 2>/dev/null`;
    return grep { defined $_->[1] } map { [$_, host_uid($_)] } @pids;
}

run_tests();

__DATA__

=== TEST 1: from inside: the uid and gid maps are not the identity
Root (the first mapped id) is a host id other than 0, and the program's
own uid and gid are inside the mapped range.
--- request eval
Sbx::Test::submit(language => "bash", source => <<'_SH_')
yes() { if "$@"; then echo yes; else echo no; fi; }
for m in uid gid; do
    read inside host count < /proc/self/${m}_map
    lines=$(wc -l < /proc/self/${m}_map)
    if [ "$m" = uid ]; then me=$(id -u); else me=$(id -g); fi
    echo "$m: lines $lines, root $inside"
    echo "$m: root on the host is not 0: $(yes [ "$host" -ne 0 ])"
    echo "$m: mine is mapped: $(yes [ "$me" -ne 0 -a "$me" -lt $count ])"
done
_SH_
--- error_code: 200
--- response_json eval
my $out = '';
$out .= "$_: lines 1, root 0\\n$_: root on the host is not 0: yes\\n"
        . "$_: mine is mapped: yes\\n" for qw(uid gid);
"status: \"accepted\"\nstdout: \"$out\"\n"
--- containers_left: 0
--- host_clean



=== TEST 2: from the host: the box's processes run under remapped uids
While a program sleeps in its box, the host sees init under the remapped
root (not 0) and the program under root + its container uid.
--- init
my (undef, $r) = Sbx::Test::api(POST => '/submissions?wait=false', {
    language => 'bash', source => "id -u\nsleep 6",
    limits => { wall_time_ms => 15000 } });
$main::id = $r->{id};
my @p;
Sbx::Test::wait_for(30, sub { @p = main::box_processes(); @p >= 3 });
@main::host = @p;
my ($root) = Sbx::Test::remap_root();
my $init = (sort { $a->[0] <=> $b->[0] } @p)[0];
Test::More::cmp_ok(scalar @p, '>=', 3, 'init, the shell and sleep are seen');
Test::More::isnt($root, 0, 'the engine remaps container root');
Test::More::is($init->[1], $root, 'init runs as the remapped root');
Test::More::is((grep { $_->[1] == 0 } @p), 0, 'no process runs as host root')
    or Test::More::diag(join ' ', map { "$_->[0]:$_->[1]" } @p);
my @prog = grep { $_->[1] != $root } @p;
my $base = $root + $Sbx::Test::UidBase;
Test::More::ok(@prog && !(grep { $_->[1] < $base || $_->[1] >= $base + 100 }
                         @prog),
               'the program runs as root + a uid of the runner\'s range');
$r = Sbx::Test::poll("/submissions/$main::id", 60);
$main::host[0] = $r->{tests} ? $r->{tests}[0]{stdout} : $r->{stdout};
Test::More::is((grep { $_->[1] == $root + $main::host[0] } @prog) ? 1 : 0, 1,
               'as the uid it reports from inside, shifted by root');
--- request
GET /health
--- error_code: 200
--- containers_left: 0
--- host_clean



=== TEST 3: root in the engine's containers cannot touch host root's files
A root-owned 0700 directory with a 0600 file and a 0644 file, handed to
root in a container of the engine with Docker's default capabilities
(CAP_DAC_OVERRIDE, CAP_CHOWN, CAP_FOWNER included): it can read none of
the private file, write neither file, create nothing, change no owner or
mode.  Without the remap, it could do all of that.
--- init
my $d = File::Temp::tempdir("$Sbx::Test::Dir/userns.XXXXXX", CLEANUP => 1);
chmod 0700, $d;
open my $fh, '>', "$d/secret" or die; print $fh "secret\n"; close $fh;
chmod 0600, "$d/secret";
open $fh, '>', "$d/public" or die; print $fh "public\n"; close $fh;
chmod 0644, "$d/public";
my $script = join "\n",
    'try() {',
    '    if "$@" >/dev/null 2>&1; then echo "$*: ALLOWED";',
    '    else echo "$*: refused"; fi',
    '}',
    'try cat /h/secret',
    'try sh -c "echo x >> /h/public"',
    'try touch /h/new',
    'try chown 0:0 /h/public',
    'try chmod 0666 /h/public',
    'try rm -f /h/public';
open my $ph, '-|', 'docker', 'run', '--rm', '--network', 'none', '-u', '0:0',
    '-v', "$d:/h", '--entrypoint', '/bin/sh', 'sbx/shell', '-c', $script
    or die "docker run: $!";
my $out = do { local $/; <$ph> } // '';
close $ph;
$main::host[1] = $out;
Test::More::is($out, join('', map { "$_: refused\n" }
    'cat /h/secret', 'sh -c echo x >> /h/public', 'touch /h/new',
    'chown 0:0 /h/public', 'chmod 0666 /h/public', 'rm -f /h/public'),
    'root in a container is refused everything');
my @st = stat "$d/public";
Test::More::is(sprintf('%o %d', $st[2] & 07777, $st[4]), '644 0',
               'the host file kept its mode and owner');
Test::More::ok(!-e "$d/new", 'nothing was created');
--- request
GET /health
--- error_code: 200
