# The runner's state directory fills up (a small tmpfs as --state-dir,
# filled by this test): a job already accepted still ends, new
# submissions are refused explicitly (they could not survive a restart),
# the runner keeps answering, and once there is space again nothing read
# from disk is damaged, across a restart too.  This file runs a runner of
# its own.

use Test::Nginx::Socket 'no_plan';
use Sbx::Test;

use JSON::PP ();
use Time::HiRes ();

no_shuffle();
no_root_location();

our ($runner, %old, $inflight, $mounted, @full);

our $State = "$Sbx::Test::Dir/state-disk";
our $Fill = "$State/fill";

# --result-memory 1: of three results of 400 KiB, some live on disk only
our @flags = ('--workers', 2, '--result-memory', 1, '--shutdown-grace', 1);

Sbx::Test::blocks(runner => 'disk', keepalive => 4);

sub fill {
    open my $fh, '>', $main::Fill or die "$main::Fill: $!";
    my $chunk = "\0" x 65536;
    for (1 .. 4096) { syswrite($fh, $chunk) or last }
    close $fh;
}

# every job file on disk: a header line that is JSON, then a JSON body
sub job_files_whole {
    my @bad;
    for my $f (glob("$main::State/jobs/*")) {
        open my $fh, '<', $f or next;
        local $/;
        my ($head, $body) = split /\n/, <$fh>, 2;
        push @bad, $f unless $f =~ /\.job$/
                          && eval { JSON::PP->new->decode($head) }
                          && eval { JSON::PP->new->decode($body) };
    }
    return @bad;
}

sub results_same {
    for my $id (sort keys %main::old) {
        my ($st, $r, undef, $body) = Sbx::Test::api(GET => "/submissions/$id");
        Test::More::is($st, 200, "old result $id is served");
        Test::More::is_deeply($r, $main::old{$id}, 'whole and unchanged')
            or Test::More::diag(substr($body, 0, 200));
    }
}

END {
    Sbx::Test::runner_stop($main::runner) if $main::runner;
    system('umount', '-l', $main::State) if $main::mounted;
}

run_tests();

__DATA__

=== TEST 1: a runner on a small tmpfs, with results on it
--- init
mkdir $main::State;
system('mount', '-t', 'tmpfs', '-o', 'size=16m,mode=0700', 'sbx-test-disk',
       $main::State) == 0 or die "mount tmpfs failed\n";
$main::mounted = 1;
$main::runner = Sbx::Test::runner_start('disk', @main::flags);
for my $c (qw(a b c)) {
    my ($st, $r) = Sbx::Test::api(POST => '/submissions', {
        language => 'python', source => "print('$c' * 400000)",
        limits => { output_kb => 512 } });
    Test::More::is(length($r->{stdout}), 400001, "result $c");
    $main::old{$r->{id}} = $r;
}
--- request
GET /health
--- error_code: 200



=== TEST 2: the disk fills while a job runs
--- init
my ($st, $r) = Sbx::Test::api(POST => '/submissions?wait=false', {
    language => 'python', source => "import time\ntime.sleep(3)\nprint('ran')" });
Test::More::is($st, 202, 'a job accepted');
$main::inflight = $r->{id};
Test::More::ok(Sbx::Test::wait_for(20, sub {
    Sbx::Test::containers('disk') >= 1 }), 'it runs');
main::fill();
Test::More::like(`df -k $main::State | tail -1`, qr/\s100%\s/, 'the disk is full');
$r = Sbx::Test::poll("/submissions/$main::inflight", 60);
Test::More::ok($r->{status} && $r->{status} !~ /^(queued|running)$/,
               "the accepted job ended: $r->{status}");
Test::More::ok($r->{status} eq 'accepted' ? $r->{stdout} eq "ran\n"
                                           : length($r->{message} // ''),
               'with its result or an explicit error');
for my $wait (qw(true false)) {
    ($st, $r) = Sbx::Test::api(POST => "/submissions?wait=$wait", {
        language => 'bash', source => 'echo full' });
    push @main::full, $r->{id} if $st == 202 || $st == 200;
    Test::More::is($st, 503, "wait=$wait: refused");
    Test::More::is($r->{error}{code}, 'storage_unavailable', 'saying why');
}
($st, $r) = Sbx::Test::api(POST => '/submissions/batch', { submissions => [
    { language => 'bash', source => 'echo 1' },
    { language => 'bash', source => 'echo 2' } ] });
Test::More::is($st, 503, 'a batch: refused as a whole');
Test::More::is($r->{error}{code}, 'storage_unavailable', 'saying why');
main::results_same();
--- request
GET /health
--- error_code: 200
--- response_json
status: "ok"



=== TEST 3: space again: new work is saved, old work is whole, after a restart too
--- init
unlink $main::Fill;
my ($st, $r) = Sbx::Test::api(POST => '/submissions', {
    language => 'bash', source => 'echo space' });
Test::More::is($r->{stdout}, "space\n", 'a submission runs again');
my @bad = main::job_files_whole();
Test::More::is(scalar @bad, 0, 'every job file on disk is whole')
    or Test::More::diag("@bad");
Test::More::ok(defined Sbx::Test::runner_stop($main::runner), 'stopped');
$main::runner = Sbx::Test::runner_start('disk', @main::flags);
main::results_same();
$r = Sbx::Test::poll("/submissions/$main::inflight", 60);
Test::More::ok($r->{status} && $r->{status} !~ /^(queued|running)$/,
               "the job accepted before the disk filled ended: $r->{status}");
($st) = Sbx::Test::api(GET => "/submissions/$main::inflight");
Test::More::is($st, 200, 'and is known');
# had one been accepted while the disk was full, it must not vanish
for my $id (@main::full) {
    ($st, $r) = Sbx::Test::api(GET => "/submissions/$id");
    Test::More::is($st, 200, "job $id accepted on a full disk is known");
}
--- request
GET /health
--- error_code: 200
--- containers_left: 0
