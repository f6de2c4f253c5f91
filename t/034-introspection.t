# What the runner tells about itself: the language table, health, and
# Prometheus metrics (jobs by status, queue depth, busy workers, latency
# histograms of container create, start and run).

use Test::Nginx::Socket 'no_plan';
use Sbx::Test;

no_shuffle();
no_root_location();

Sbx::Test::blocks(more_headers => undef, config => <<'_EOC_');
    location /api/ {
        sandbox_pass runner;
    }
    location = /api/metrics {
        allow 10.255.255.1;
        deny all;
        sandbox_pass runner;
    }
    location /ops/ {
        sandbox_pass runner;
    }
_EOC_

run_tests();

__DATA__

=== TEST 1: every language, with its version, file and limits
--- request
GET /api/languages
--- error_code: 200
--- json_ok eval
sub {
    my @l = @{ $_[0]{languages} };
    return 0 unless @l >= 15;
    for my $l (@l) {
        for my $k (qw(id name version aliases compiled source_file limits)) {
            return Test::More::diag("$l->{id}: no $k") && 0
                unless exists $l->{$k};
        }
        for my $k (qw(cpu_time_ms wall_time_ms memory_kb processes
                      output_kb file_size_kb))
        {
            return 0 unless $l->{limits}{default}{$k} > 0
                         && $l->{limits}{max}{$k} >= $l->{limits}{default}{$k};
        }
    }
    my %ids = map { $_->{id} => 1 } @l;
    return $ids{python} && $ids{java} && $ids{c} && $ids{cpp}
           && $ids{javascript};
}



=== TEST 2: health: runner, Docker, queue, workers
--- request
GET /ops/health
--- error_code: 200
--- response_json
status: "ok"
version =~ ^\d+\.\d+\.\d+$
docker.reachable: true
queue.depth =~ ^\d+$
queue.capacity =~ ^[1-9]\d*$
workers.total =~ ^[1-9]\d*$
workers.busy =~ ^\d+$
results.stored =~ ^\d+$



=== TEST 3: metrics in Prometheus' text format, after a job has run
--- init
Sbx::Test::api(POST => '/ops/submissions', { language => 'bash',
                                             source => 'exit 1' });
--- request
GET /ops/metrics
--- error_code: 200
--- response_headers
Content-Type: text/plain; version=0.0.4
--- response_body_like eval
qr{(?xms)
  ^\# \s TYPE \s sandbox_jobs_total \s counter$ .*
  ^sandbox_jobs_total\{status="accepted"\} \s \d+$ .*
  ^sandbox_jobs_total\{status="runtime_error"\} \s [1-9]\d*$ .*
  ^sandbox_queue_depth \s \d+$ .*
  ^sandbox_workers_busy \s \d+$ .*
  ^\# \s TYPE \s sandbox_container_create_seconds \s histogram$ .*
  ^sandbox_container_create_seconds_bucket\{le="\+Inf"\} \s [1-9]\d*$ .*
  ^sandbox_container_start_seconds_count \s [1-9]\d*$ .*
  ^sandbox_container_run_seconds_sum \s [\d.]+$ .*
  ^sandbox_job_seconds_count \s [1-9]\d*$
}



=== TEST 4: nginx's access control guards an endpoint: 403, as JSON
--- request
GET /api/metrics
--- error_code: 403
--- response_headers
Content-Type: application/json
--- response_json
error.code: "forbidden"
