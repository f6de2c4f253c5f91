# Every language GET /languages serves, side by side:
#
# - its example, given "world", prints "Hello, world!";
# - a program of Sbx::Programs, as three tests of one submission,
#   crashes (runtime_error), spins (time_limit_exceeded) and eats memory
#   (memory_limit_exceeded under the language's default memory), with
#   1 s of CPU (or the default of a runtime that needs more to start)
#   and the language's maximum wall time, which a busy machine may
#   reach first;
# - for a compiled language, a program that does not compile is
#   compilation_error with a diagnostic at its file and line.
#
# The submissions go in with ?wait=false, a few at a time, and are
# polled, so that the runner's workers run them side by side and the
# file stays quick.  SBX_LANGUAGES=REGEX runs only the languages whose
# id it matches (when one language is being worked on).

use Test::Nginx::Socket 'no_plan';
use Sbx::Test;
use Sbx::Languages;
use Sbx::Programs;
use Time::HiRes ();

no_shuffle();
no_root_location();

Sbx::Test::blocks(timeout => 60);

# Submissions in flight at once: the runner has 2 workers a core and a
# queue behind them; more would only wait there.
my $Width = 8;

# [what, submission, check], for every language of $langs
sub jobs {
    my $langs = shift;
    my @jobs;

    for my $l (@$langs) {
        my $id = $l->{id};

        push @jobs, ["$id: the example greets the world",
            { language => $id, source => $l->{example}, stdin => "world\n" },
            sub {
                my $r = shift;
                return $r->{status} eq 'accepted'
                       && $r->{stdout} eq "Hello, world!\n";
            }];

        my $torture = $Sbx::Programs::Torture{$id};

        # 1 s of CPU, or the default of a runtime that needs more to
        # start; all the wall time there is, for a machine that is busy
        my $cpu = $l->{limits}{default}{cpu_time_ms};
        $cpu = 1000 if $cpu <= 2000;
        Test::More::ok(defined $torture, "$id has a limits program");

        push @jobs, ["$id: crash, spin and eat: runtime error, TLE, MLE",
            { language => $id, source => $torture,
              tests => [ map { { stdin => "$_\n" } } qw(crash loop eat) ],
              limits => { cpu_time_ms => $cpu,
                          wall_time_ms => $l->{limits}{max}{wall_time_ms} } },
            sub {
                my @t = @{ $_[0]{tests} || [] };
                return @t == 3
                       && $t[0]{status} eq 'runtime_error'
                       && $t[1]{status} eq 'time_limit_exceeded'
                       && $t[2]{status} eq 'memory_limit_exceeded';
            }] if defined $torture;

        next unless $l->{compiled};

        my $broken = $Sbx::Programs::Broken{$id};
        Test::More::ok(defined $broken, "$id has a program that does not compile");
        next unless defined $broken;

        push @jobs, ["$id: a compile error at line $broken->[0]",
            { language => $id, source => $broken->[1] },
            sub {
                my $r = shift;
                my $d = $r->{compile}{diagnostics}[0] || {};
                return $r->{status} eq 'compilation_error'
                       && @{ $r->{tests} } == 0
                       && ($d->{file} // '') =~ /^[\w.-]+$/
                       && ($d->{line} // 0) == $broken->[0]
                       && ($d->{message} // '') =~ /\S/;
            }];
    }

    return @jobs;
}

# What a failed job's answer says, in short.
sub summary {
    my $r = shift;
    my $line = sub {
        my $x = shift;
        join ' ', map({ "$_=" . ($x->{$_} // 'null') }
                      qw(status limit exit_code signal time_ms memory_kb)),
            '|', substr($x->{stdout} // '', 0, 200),
            '|', substr($x->{stderr} // '', -600);
    };

    return join "\n", "answer: " . $line->($r),
        $r->{compile} ? 'compile: ' . $line->($r->{compile})
                        . ' diagnostics: '
                        . JSON::PP->new->canonical->encode(
                              $r->{compile}{diagnostics} || []) : (),
        map { "test: " . $line->($_) } @{ $r->{tests} || [] };
}

# Runs the jobs $Width at a time; one test per job.
sub run_jobs {
    my @todo = @_;
    my ($n, %busy, $t0) = (scalar @todo);

    $t0 = Time::HiRes::time();

    while (@todo || %busy) {
        while (@todo && keys %busy < $Width) {
            my $job = shift @todo;
            my ($st, $doc, undef, $body) =
                Sbx::Test::api(POST => '/submissions?wait=false', $job->[1]);

            if ($st != 202) {
                Test::More::fail($job->[0]);
                Test::More::diag("POST answered $st: $body");
                next;
            }

            $busy{ $doc->{id} } = $job;
        }

        Time::HiRes::sleep(0.2);

        for my $id (sort keys %busy) {
            my ($st, $r, undef, $body) =
                Sbx::Test::api(GET => "/submissions/$id");

            next if $st == 200 && $r->{status} =~ /^(queued|running)$/;

            my $job = delete $busy{$id};
            my $ok = $st == 200 && eval { $job->[2]->($r) };

            Test::More::ok($ok, $job->[0]) or Test::More::diag(summary($r));
        }
    }

    Test::More::diag(sprintf "%d submissions in %.0f s", $n,
                     Time::HiRes::time() - $t0);
}

run_tests();

__DATA__

=== TEST 1: every language of the table, each with an example that works
--- request
GET /languages
--- error_code: 200
--- json_ok eval
sub {
    my @langs = @{ $_[0]{languages} };
    my %ids = map { $_->{id} => 1 } values %Sbx::Languages::Lang;

    Test::More::cmp_ok(scalar @langs, '>=', 40, 'at least 40 languages');
    Test::More::is_deeply([ sort map { $_->{id} } @langs ], [ sort keys %ids ],
                          'GET /languages serves the whole table');
    Test::More::ok(length($_->{example} // '') > 0, "$_->{id} has an example")
        for @langs;

    @langs = grep { $_->{id} =~ $ENV{SBX_LANGUAGES} } @langs
        if $ENV{SBX_LANGUAGES};

    main::run_jobs(main::jobs(\@langs));
    1;
}
--- containers_left: 0
