# kill -9 of an nginx worker while its request waits on a job: the
# runner notices the closed connection, the job still ends (a new worker
# serves its result by id) and its container goes.  This file runs a
# runner of its own, behind nginx with a master process.

use Test::Nginx::Socket 'no_plan';
use Sbx::Test;

use POSIX ();

no_shuffle();
no_root_location();
master_on();
workers(1);

our ($runner, $client, $id);

Sbx::Test::blocks(runner => 'ngxw', keepalive => 4);

sub nginx_workers {
    open my $fh, '<', $Test::Nginx::Util::PidFile or return ();
    my ($master) = <$fh> =~ /(\d+)/;
    return grep { /^\d+$/ } split /\s+/, `pgrep -P $master`;
}

sub log_text {
    open my $fh, '<', $main::runner->{log} or return '';
    local $/;
    return <$fh>;
}

run_tests();

kill 'KILL', $main::client if $main::client;
Sbx::Test::runner_stop($main::runner) if $main::runner;

__DATA__

=== TEST 1: the worker dies mid-request; the job goes on
--- init
$main::runner = Sbx::Test::runner_start('ngxw');
$main::client = fork // die "fork: $!";
if ($main::client == 0) {
    Sbx::Test::api(POST => '/submissions', {
        language => 'python',
        source => "import time\ntime.sleep(4)\nprint('outlived')" });
    POSIX::_exit(0);
}
Test::More::ok(Sbx::Test::wait_for(20, sub {
    Sbx::Test::containers('ngxw') == 1 }), 'the job runs');
my @workers = main::nginx_workers();
Test::More::ok(scalar @workers, "nginx workers: @workers");
kill 'KILL', @workers;
waitpid $main::client, 0;
$main::client = undef;
Test::More::ok(Sbx::Test::wait_for(5, sub {
    main::log_text() =~ /job (\S+): its client went away/ }),
               'the runner noticed the closed connection');
($main::id) = main::log_text() =~ /job (\S+): its client went away/;
Test::More::ok(Sbx::Test::wait_for(10, sub {
    my @new = main::nginx_workers();
    @new && !grep { my $w = $_; grep { $_ == $w } @workers } @new }),
               'the master started a new worker');
my $r = Sbx::Test::poll("/submissions/$main::id", 30);
Test::More::is($r->{status}, 'accepted', 'the job ended, served by id');
Test::More::is($r->{stdout}, "outlived\n", 'with its output');
--- request
GET /health
--- error_code: 200
--- containers_left: 0
