package Test::Nginx::Socket;

=head1 NAME

Test::Nginx::Socket - a small, self-contained implementation of the
Test::Nginx::Socket test scaffold (same block format and meaning)

=head1 SYNOPSIS

    use Test::Nginx::Socket 'no_plan';    # or: plan tests => ...
    run_tests();

    __DATA__

    === TEST 1: hello
    --- config
        location /t { return 200 "hello\n"; }
    --- request
    GET /t
    --- response_body
    hello

=head1 DESCRIPTION

The blocks are parsed by L<Test::Base> (so filters such as C<eval>,
C<chomp>, C<ONLY>, C<SKIP>, C<LAST> work as usual).  For each block nginx
is (re)started from C<$TEST_NGINX_SERVROOT> (default F<t/servroot>) with a
generated F<conf/nginx.conf> laid out like the CPAN module's, the requests
are sent over a raw socket and the response and error log are checked.

Exported functions: C<run_tests>, C<repeat_each>, C<workers>,
C<worker_connections>, C<master_on>, C<master_off>,
C<master_process_enabled>, C<log_level>, C<no_shuffle>,
C<no_root_location>, C<no_long_string>, C<env_to_nginx>,
C<config_preamble>, C<timeout>, C<server_port>, C<server_port_for_client>,
C<server_addr>, C<server_name>, C<server_root>, C<html_dir>,
C<add_block_preprocessor>, C<add_cleanup_handler>,
C<add_test_cleanup_handler>, C<add_response_body_check>,
C<check_accum_error_log>, C<bail_out>, C<is_str>, C<no_nginx_manager>,
C<use_hup> (no-op), plus Test::Base's (C<plan>, C<blocks>, C<is>, ...).
Variables such as C<$Test::Nginx::Util::ServerPort>, C<$ServRoot>,
C<$HtmlDir>, C<$ErrLogFile> live in L<Test::Nginx::Util> (not exported).

Supported sections:

  main_config, http_config, config, post_main_config, user_files,
  log_level, server_name               nginx.conf and files for the block
  request (string; eval: arrayref of requests, one connection each),
  pipelined_requests (eval arrayref), raw_request (string or arrayref of
  pieces), raw_request_middle_delay, more_headers (string or arrayref),
  timeout (client side, "3", "3s", "500ms"), shutdown, abort, wait
  error_code, error_code_like, response_headers ("Name: value"; "!Name"
  means absent), response_headers_like, raw_response_headers_like,
  raw_response_headers_unlike, response_body, response_body_like,
  response_body_unlike, ignore_response   response checks (arrayrefs
                                          per request with eval)
  error_log, no_error_log (lines or eval arrayref; qr// allowed),
  grep_error_log, grep_error_log_out      checks on the new error.log part
  access_log, no_access_log               checks on the whole access.log
  tcp_listen (port or /path.sock), tcp_reply (string, or eval: an
  arrayref of pieces or a sub given the query), tcp_query,
  tcp_query_len, tcp_reply_delay, tcp_no_close, tcp_shutdown
                                          an embedded server answering
                                          one connection per repetition
  init (Perl code run after nginx starts, before the requests; use
  fully qualified names, the two harnesses eval it in other packages),
  skip_eval ("N: perl code"), ONLY, SKIP, LAST

Any other section is ignored.

Environment: TEST_NGINX_BINARY, TEST_NGINX_SERVER_PORT (or
TEST_NGINX_PORT), TEST_NGINX_CLIENT_PORT, TEST_NGINX_SERVROOT,
TEST_NGINX_LOAD_MODULES, TEST_NGINX_LOG_LEVEL, TEST_NGINX_TIMEOUT,
TEST_NGINX_NO_SHUFFLE, TEST_NGINX_MASTER_PROCESS, TEST_NGINX_NO_CLEAN,
TEST_NGINX_FORCE_RESTART_ON_TEST, TEST_NGINX_WORKER_USER,
TEST_NGINX_EVENT_TYPE, TEST_NGINX_CHECK_ACCUM_ERR_LOG, and any
C<$TEST_NGINX_*> variable used in the config sections, user_files,
response_body and pipelined_requests (C<$TEST_NGINX_RAND_PORT_N> gives a
free port).

Behaviour shared with the CPAN module that is easy to trip over: blocks
run in random order unless C<no_shuffle()>; nginx is restarted for every
block that has a C<--- config> (a block without one reuses the running
nginx); with several requests every response section given must be an
C<eval> arrayref, and C<error_log>/C<no_error_log> are checked after each
request against the log lines written since the previous check (so they
count once per request in the plan); C<--- error_code: 404> is compared
as a string (a multi-line C<--- error_code> section keeps its newline);
plain error_log lines are substrings, C<qr//> in an C<eval> arrayref are
regexes; C<$ServerPort> is not exported (use C<server_port()> or
C<$ENV{TEST_NGINX_SERVER_PORT}>).

Not implemented: HTTP/2 and HTTP/3, HUP reloads, valgrind/stap/check-leak
modes, embedded udp servers, tcp_query_auto_timeout, shutdown_error_log,
response_body_filters, curl, must_die, skip_nginx.  Requests given as
packet arrays are sent in one piece.

=cut

use strict;
use warnings;

use Test::Base -base;
use Test::Nginx::Util;
use IO::Select ();
use IO::Socket::INET ();
use IO::Socket::UNIX ();
use File::Temp ();
use List::Util qw(shuffle min);
use POSIX qw(EAGAIN EINTR EWOULDBLOCK);
use Time::HiRes qw(sleep time);

our $VERSION = '0.1';

# Same export list as the CPAN module (Test::Base adds blocks, plan, ...).
our @EXPORT = qw(
    env_to_nginx is_str plan run_tests run_test repeat_each config_preamble
    worker_connections master_process_enabled no_long_string workers
    master_on master_off log_level no_shuffle no_root_location use_hup
    server_name server_addr server_root html_dir server_port
    server_port_for_client timeout no_nginx_manager check_accum_error_log
    add_block_preprocessor bail_out add_test_cleanup_handler
    add_cleanup_handler add_response_body_check
);

our @ResponseBodyChecks;
sub add_response_body_check { push @ResponseBodyChecks, shift }

# ---- running the blocks ------------------------------------------------

sub run_tests () {
    Test::Nginx::Util::nginx_version() unless $Test::Nginx::Util::NoNginxManager;
    $ENV{TEST_NGINX_SERVER_PORT} //= $Test::Nginx::Util::ServerPort;

    my @blocks = Test::Base::blocks();
    @blocks = shuffle @blocks unless $Test::Nginx::Util::NoShuffle;
    for my $block (@blocks) {
        $_->($block) for @Test::Nginx::Util::BlockPreprocessors;
        $block->set_value(name => "$0 " . $block->name);
        run_test($block);
        $_->($block) for @Test::Nginx::Util::TestCleanupHandlers;
    }
    Test::Nginx::Util::cleanup();
}

sub run_test {
    my $block = shift;
    return if defined $block->SKIP;
    my $name = $block->name;

    %$Test::Nginx::Util::RandPorts = ();
    my $config = expand_env_in_text(scalar $block->config, $name);

    # --- skip_eval: "N: perl code" skips N tests when the code is true
    my ($skip_count, $skip_reason);
    if (defined $block->skip_eval && $block->skip_eval =~ /^\s*(\d+)\s*:\s*(.*)/s) {
        my ($n, $code) = ($1, $2);
        my $skip = eval $code;
        bail_out("$name - skip_eval - failed to eval \"$code\": $@") if $@;
        ($skip_count, $skip_reason) = ($n, 'skip_eval') if $skip;
    }

    if (!$Test::Nginx::Util::NoNginxManager && !defined $skip_count) {
        my $prev = \$Test::Nginx::Util::PrevConfig;
        if (defined $config) {
            if (!defined $$prev || $config ne $$prev
                || $Test::Nginx::Util::ForceRestartOnTest)
            {
                $$prev = $config;
                if (my $err = Test::Nginx::Util::start_nginx($block, $config)) {
                    undef $$prev;
                    Test::More::fail("$name - nginx failed to start");
                    Test::More::diag($err);
                    return;
                }
            }
        } elsif (!defined $$prev) {
            bail_out("$name - No '--- config' section specified and "
                     . "could not get previous one.");
        }
    }

    # --- init: Perl code run once nginx is up, before the requests
    if (defined $block->init && !defined $skip_count) {
        eval $block->init;
        bail_out("$name - init failed: $@") if $@;
    }

    $Test::Nginx::Util::ErrLogFilePos = 0;
    for my $rep (0 .. $Test::Nginx::Util::RepeatEach - 1) {
        Test::Nginx::Util::write_user_files($block) if $rep > 0;
        if (defined $skip_count) {
            SKIP: { Test::More::skip("$name - $skip_reason", $skip_count) }
            next;
        }
        my $tcp = start_tcp_server($block);
        run_test_helper($block, $rep);
        check_tcp_server($block, $tcp) if $tcp;
    }
}

# ---- the embedded TCP server (--- tcp_listen) ----------------------------

# Listens on the block's tcp_listen target and forks a child that takes
# one connection: reads the query (tcp_query_len bytes, or one read),
# waits tcp_reply_delay, writes tcp_reply, closes (unless tcp_no_close).
sub start_tcp_server {
    my $block = shift;
    my $name = $block->name;
    return undef unless defined $block->tcp_listen;

    my $target = expand_env_in_text(scalar $block->tcp_listen, $name);
    $target =~ s/^\s+|\s+$//g;
    my $reply = $block->tcp_reply;
    bail_out("$name - no --- tcp_reply specified but --- tcp_listen is specified")
        if !defined $reply && !defined $block->tcp_shutdown;

    my $len = $block->tcp_query_len;
    $len = length $block->tcp_query if !defined $len && defined $block->tcp_query;
    my $file = (defined $block->tcp_query || defined $block->tcp_query_len)
             ? File::Temp::tmpnam() : undef;

    my $sock;
    if ($target =~ /^\d+$/) {
        $sock = IO::Socket::INET->new(LocalHost => '127.0.0.1', LocalPort => $target,
                                      Proto => 'tcp', ReuseAddr => 1, Listen => 5);
    } elsif ($target =~ m{\S+\.sock$}) {
        unlink $target if -e $target;
        $sock = IO::Socket::UNIX->new(Local => $target, Listen => 5);
    } else {
        bail_out("$name - bad tcp_listen target: $target");
    }
    bail_out("$name - failed to create the tcp listening socket: $!") unless $sock;

    my $pid = fork // bail_out("$name - fork() failed: $!");
    if ($pid) {
        close $sock;
        return { pid => $pid, file => $file };
    }

    # the child: no END blocks of the parent's (nginx, runners) run here
    my $client = $sock->accept or POSIX::_exit(1);
    my ($no_read, $no_write);
    if (defined(my $how = $block->tcp_shutdown)) {
        $client->shutdown($how);
        $no_read = $how == 0 || $how == 2;
        $no_write = !$no_read;
    }
    my $buf = '';
    until ($no_read) {
        my $n = sysread($client, my $b, 4096);
        last unless $n;
        $buf .= $b;
        if ($file) {
            if (open my $out, '>', "$file.tmp") {
                print $out $buf;
                close $out;
                rename "$file.tmp", $file;
            }
        }
        last if !$len || length($buf) >= $len;
    }
    sleep parse_time(scalar $block->tcp_reply_delay) if $block->tcp_reply_delay;
    if (!$no_write && defined $reply) {
        $reply = $reply->($buf) if ref $reply eq 'CODE';
        syswrite $client, $_ for ref $reply eq 'ARRAY' ? @$reply : ($reply);
    }
    sleep 3600 if defined $block->tcp_no_close;
    close $client;
    POSIX::_exit(0);
}

sub check_tcp_server {
    my ($block, $tcp) = @_;
    my $name = $block->name;
    my $buf = '';
    if ($tcp->{file} && open my $in, '<', $tcp->{file}) {
        $buf = do { local $/; <$in> };
        close $in;
        unlink $tcp->{file};
    }
    is_str($buf, $block->tcp_query, "$name - tcp_query ok")
        if defined $block->tcp_query;
    Test::More::is(length($buf), $block->tcp_query_len, "$name - TCP query length ok")
        if defined $block->tcp_query_len;
    kill 'KILL', $tcp->{pid};
    waitpid $tcp->{pid}, 0;
}

sub run_test_helper {
    my ($block, $rep) = @_;
    my $name = $block->name;
    my $reqs = get_req_from_block($block);
    bail_out("$name - request empty") unless @$reqs;

    my $timeout = parse_time(scalar $block->timeout) // $Test::Nginx::Util::Timeout;
    my $pipelined = $block->pipelined_requests;
    my $npipe = $pipelined ? scalar @$pipelined : 0;
    my $need_array = $pipelined ? 1 : @$reqs > 1;

    my $req_idx = 0;
    for my $i (0 .. $#$reqs) {
        my ($raw, $head) = send_request($reqs->[$i], $timeout, $block);
        $raw //= '';
        my $responses = $npipe || 1;
        for my $k (1 .. $responses) {
            my ($res, $left);
            if (!defined $block->ignore_response) {
                ($res, $left) = parse_response($name, $raw, $head);
                if ($k < $responses) {
                    $raw = $left // '';
                } elsif (defined $left && length $left) {
                    (my $shown = $left) =~ s/([\0-\037\200-\377])/sprintf('\x{%02x}', ord $1)/eg;
                    warn "WARNING: $name - unexpected extra bytes after last "
                       . "chunk in response: \"$shown\"\n";
                }
                check_response($block, $res, $req_idx, $rep, $need_array);
            }
            if ($k < $responses || $i < $#$reqs) {
                sleep $block->wait if $block->wait;
                check_error_log($block, $rep);
                check_access_log($block, $rep);
            }
            $req_idx++;
        }
    }
    sleep $block->wait if $block->wait;
    check_error_log($block, $rep);
    check_access_log($block, $rep);
}

# access_log / no_access_log: like error_log, over the whole access.log
sub check_access_log {
    my ($block, $rep) = @_;
    my $name = $block->name;
    return unless defined $block->access_log || defined $block->no_access_log;

    Time::HiRes::sleep($Test::Nginx::Util::TestNginxSleep * 3);
    my @lines;
    if (open my $in, '<', $Test::Nginx::Util::AccLogFile) {
        @lines = <$in>;
        close $in;
    }
    if (defined $block->access_log) {
        for my $pat (grep { defined } @{ patterns_of(scalar $block->access_log) }) {
            if (grep { line_matches($_, $pat) } @lines) {
                Test::More::pass("$name - pattern \"$pat\" matches a line in access.log (req $rep)");
            } else {
                Test::More::fail("$name - pattern \"$pat\" should match a line in access.log (req $rep)");
            }
        }
    }
    if (defined $block->no_access_log) {
        for my $pat (grep { defined } @{ patterns_of(scalar $block->no_access_log) }) {
            my ($line) = grep { line_matches($_, $pat) } @lines;
            if (defined $line) {
                Test::More::fail("$name - pattern \"" . fmt_str($pat) . "\" should not match "
                                 . "any line in access.log but matches line \"" . fmt_str($line)
                                 . "\" (req $rep)");
            } else {
                Test::More::pass("$name - pattern \"" . fmt_str($pat)
                                 . "\" does not match a line in access.log (req $rep)");
            }
        }
    }
}

# ---- building requests ---------------------------------------------------

# "more_headers" text -> ("Key: value\r\n"..., is_chunked)
sub parse_more_headers {
    my $in = shift;
    my ($out, $chunked) = ('', 0);
    for my $line (split /\n+/, $in) {
        next if $line =~ /^\s*#/;
        my ($key, $val) = split /:\s*/, $line, 2;
        $val //= '';
        $chunked = 1 if lc $key eq 'transfer-encoding' && $val eq 'chunked';
        $out .= "$key: $val\r\n";
    }
    return ($out, $chunked);
}

# "METHOD [URI [VERSION]]\n[body]" -> raw HTTP request
sub build_request {
    my ($name, $req, $more_headers, $conn) = @_;
    my ($hdrs, $chunked) = parse_more_headers($more_headers);
    my ($first, $body) = $req =~ /\A([^\n]*\n?)(.*)\z/s;
    $first =~ /^\s*(\S+) *(?:(\S+) *)?(?:(\S+) *)?\s*$/
        or bail_out("$name - Request line is not valid. Should be "
                    . "'meth [url [version]]' but got \"$first\".");
    my ($method, $uri, $version) = ($1, $2 // '/', $3 // 'HTTP/1.1');

    my $len = '';
    if (!$chunked && $body ne '' && $hdrs !~ /(?:^|\n)Content-Length:/) {
        $body =~ s/^\s+|\s+$//gs;
        $len = 'Content-Length: ' . length($body) . "\r\n";
    }
    my $std = '';
    $std .= "Host: $Test::Nginx::Util::ServerName\r\n" if $hdrs !~ /(?:^|\n)Host:/i;
    $std .= "Connection: $conn\r\n" if $hdrs !~ /(?:^|\n)Connection/i;
    return "$method $uri $version\r\n$std$hdrs$len\r\n$body";
}

# A list of requests; each is a list of pieces written in turn (several
# pieces only for "raw_request" arrays).
sub get_req_from_block {
    my $block = shift;
    my $name = $block->name;

    if (defined(my $raw = $block->raw_request)) {
        return [ ref $raw eq 'ARRAY' ? [@$raw] : [$raw] ];
    }

    my $more = $block->more_headers // '';
    my $headers_for = sub {
        my $i = shift;
        return $more unless ref $more eq 'ARRAY';
        return $more->[$i] // bail_out("$name - --- more_headers lacks data "
                                       . "for request $i");
    };

    if (my $reqs = $block->pipelined_requests) {
        bail_out("$name - invalid entries in --- pipelined_requests")
            unless ref $reqs eq 'ARRAY';
        my $all = '';
        for my $i (0 .. $#$reqs) {
            my $r = expand_env_in_text($reqs->[$i], $name);
            $all .= build_request($name, $r, $headers_for->($i),
                                  $i == $#$reqs ? 'close' : 'keep-alive');
        }
        return [[$all]];
    }

    my $request = $block->request;
    bail_out("$name - no --- request section") unless defined $request;
    if (!ref $request) {
        1 while $request =~ s/^\s*#[^\n]+\s+|^\s+//gs;    # leading comments
        return [[ build_request($name, $request, $headers_for->(0), 'close') ]];
    }
    bail_out("$name - --- request must be a string or an array of requests")
        unless ref $request eq 'ARRAY';

    my @list;
    for my $i (0 .. $#$request) {
        my $r = $request->[$i];
        # a request given as packets is sent in one piece here
        $r = join '', map { ref $_ ? $_->{value} : $_ } @$r if ref $r eq 'ARRAY';
        push @list, [ build_request($name, $r, $headers_for->($i), 'close') ];
    }
    return \@list;
}

# ---- the client ----------------------------------------------------------

sub connect_server {
    my ($timeout) = @_;
    my $deadline = time + $timeout;
    while (1) {
        my $sock = IO::Socket::INET->new(
            PeerAddr => $Test::Nginx::Util::ServerAddr,
            PeerPort => $Test::Nginx::Util::ServerPortForClient,
            Proto    => 'tcp',
            Timeout  => $timeout,
        );
        return $sock if $sock;
        return (undef, "$!") if time >= $deadline;
        sleep 0.05;
    }
}

# Send the pieces of one request and read the response until the server
# closes the connection; returns (raw response, is HEAD request).
sub send_request {
    my ($pieces, $timeout, $block) = @_;
    my $name = $block->name;
    my @todo = @$pieces;
    my $head = join('', @todo) =~ /^\s*HEAD\s+/ ? 1 : 0;
    my $delay = $block->raw_request_middle_delay;

    my ($sock, $err) = connect_server($timeout);
    if (!$sock) {
        Test::More::fail("$name - Can't connect to $Test::Nginx::Util::ServerAddr:"
                         . "$Test::Nginx::Util::ServerPortForClient: $err (aborted)\n");
        return (undef, $head);
    }
    local $SIG{PIPE} = 'IGNORE';
    $sock->blocking(0);

    my ($resp, $out) = ('', shift @todo);
    my $reading = IO::Select->new($sock);
    my $writing = IO::Select->new($sock);
    while ($reading->count) {
        $! = 0;
        my ($r, $w) = IO::Select->select($reading, $writing->count ? $writing : undef,
                                         undef, $timeout);
        if (!$r && !$w) {
            next if $! == EINTR;
            Test::More::fail("ERROR: client socket timed out - $name\n")
                unless defined $block->abort;
            last;
        }
        if ($w && @$w) {
            my $n = syswrite($sock, $out);
            if (defined $n) {
                substr($out, 0, $n, '');
            } elsif ($! != EAGAIN && $! != EWOULDBLOCK) {
                warn "WARNING: $name - write failed: $!\n";
                $out = '';
                @todo = ();
            }
            if ($out eq '') {
                if (@todo) {
                    sleep $delay if $delay;
                    $out = shift @todo;
                } else {
                    $writing->remove($sock);
                    if (defined(my $how = $block->shutdown)) {
                        shutdown($sock, $how =~ /^\s*$/ ? 1 : $how);
                    }
                }
            }
        }
        if ($r && @$r) {
            my $n = sysread($sock, my $buf, 65536);
            if ($n) {
                $resp .= $buf;
            } elsif (defined $n || ($! != EAGAIN && $! != EWOULDBLOCK)) {
                warn "WARNING: $name - HTTP response read failure: $!\n" unless defined $n;
                last;
            }
        }
    }
    close $sock;
    return ($resp, $head);
}

# ---- parsing responses -----------------------------------------------------

{
    package Test::Nginx::Socket::Response;

    sub code { $_[0]{code} }
    sub content { $_[0]{content} }

    # Like HTTP::Headers: case-insensitive, "_" means "-", repeated
    # headers joined with ", ".
    sub header {
        my ($self, $key) = @_;
        $key =~ tr/_/-/ unless $key =~ s/^://;
        my @vals = map { $_->[1] } grep { lc $_->[0] eq lc $key } @{ $self->{headers} };
        return wantarray ? @vals : @vals ? join(', ', @vals) : undef;
    }
}

# Returns (response, leftover bytes after it, raw header block).
sub parse_response {
    my ($name, $raw, $head) = @_;
    my ($head_part, $rest) = $raw =~ /\A(.*?)\r?\n\r?\n(.*)\z/s ? ($1, $2) : ($raw, '');
    my $raw_headers = $raw =~ /\A(.*?\r\n)\r\n/s ? $1 : '';
    my ($status, @lines) = split /\r?\n/, $head_part;
    my $res = bless { headers => [], content => '', raw_headers => $raw_headers },
                    'Test::Nginx::Socket::Response';
    if (defined $status && $status =~ m{^\S+\s+(\d+)\b}) {
        $res->{code} = $1;
    }
    for my $line (@lines) {
        if ($line =~ /^([^\s:]+)\s*:\s*(.*?)\s*$/) {
            push @{ $res->{headers} }, [$1, $2];
        } elsif ($line =~ /^\s+(.*?)\s*$/ && @{ $res->{headers} }) {
            $res->{headers}[-1][1] .= " $1";
        }
    }

    my $code = $res->{code} // 0;
    return ($res, $rest) if $code == 304 || $code == 101 || $head;

    my $te = $res->header('Transfer-Encoding');
    my $len = $res->header('Content-Length');
    if (defined $te && $te eq 'chunked') {
        my $body = '';
        while (1) {
            if ($rest !~ s/\A[ \t]*([0-9A-Fa-f]+)[^\r\n]*\r\n//) {
                Test::More::fail("$name - invalid chunked body received: "
                                 . substr($rest, 0, 80));
                return (undef, undef);
            }
            my $size = hex $1;
            if ($size == 0) {
                $rest =~ s/\A(?:[^\r\n]+\r\n)*\r\n//;    # trailers
                last;
            }
            if (length $rest < $size + 2 || substr($rest, $size, 2) ne "\r\n") {
                Test::More::fail("$name - invalid chunked data received "
                                 . "(truncated chunk or missing CRLF)");
                return (undef, undef);
            }
            $body .= substr($rest, 0, $size);
            substr($rest, 0, $size + 2, '');
        }
        $res->{content} = $body;
    } elsif (defined $len && $len =~ /^\d+$/) {
        if (length $rest < $len) {
            warn "WARNING: $name - response body truncated: $len expected, "
               . "but got " . length($rest) . "\n";
        }
        $res->{content} = substr($rest, 0, $len, '');
    } else {
        ($res->{content}, $rest) = ($rest, '');
    }
    return ($res, $rest);
}

# ---- checks ----------------------------------------------------------------

sub indexed {
    my ($name, $value, $idx, $need_array) = @_;
    if ($need_array) {
        return $value->[$idx] if ref $value eq 'ARRAY';
        bail_out("$name - You asked for many requests, the expected results "
                 . "should be arrays as well.");
    }
    return ref $value eq 'ARRAY' ? $value->[0] : $value;
}

# "Name: value" lines; "!Name" means the header must be absent.
sub parse_headers {
    my %h;
    for my $line (split /\n/, shift // '') {
        $line =~ s/^\s+|\s+$//g;
        next if $line eq '';
        if ($line =~ s/^!\s*//) {
            $h{$line} = undef;
        } else {
            my ($k, $v) = split /\s*:\s*/, $line, 2;
            $h{$k} = $v;
        }
    }
    return \%h;
}

sub expand_port {
    my $s = shift;
    $s =~ s/\$ServerPort\b/$Test::Nginx::Util::ServerPort/g;
    $s =~ s/\$ServerPortForClient\b/$Test::Nginx::Util::ServerPortForClient/g;
    return $s;
}

sub check_response {
    my ($block, $res, $idx, $rep, $need_array) = @_;
    my $name = $block->name;
    my $code = ($res && $res->code) || '';

    # --- error_code / error_code_like (default: 200)
    if (defined $block->error_code_like) {
        my $re = indexed($name, scalar $block->error_code_like, $idx, $need_array);
        Test::More::like($code, qr/$re/sm, "$name - status code ok");
    } elsif (defined $block->error_code) {
        Test::More::is($code, indexed($name, scalar $block->error_code, $idx, $need_array),
                       "$name - status code ok");
    } else {
        Test::More::is($code, 200, "$name - status code ok");
    }

    my $raw_headers = $res ? $res->{raw_headers} : '';
    if (defined $block->raw_response_headers_like) {
        my $re = indexed($name, scalar $block->raw_response_headers_like, $idx, $need_array);
        Test::More::like($raw_headers, qr/$re/s, "$name - raw resp headers like");
    }
    if (defined $block->raw_response_headers_unlike) {
        my $re = indexed($name, scalar $block->raw_response_headers_unlike, $idx, $need_array);
        Test::More::unlike($raw_headers, qr/$re/s, "$name - raw resp headers unlike");
    }

    # --- response_headers / response_headers_like
    if (defined $block->response_headers) {
        my $h = parse_headers(indexed($name, scalar $block->response_headers, $idx, $need_array));
        for my $key (sort keys %$h) {
            if (!defined $h->{$key}) {
                Test::More::unlike($raw_headers, qr/^\s*\Q$key\E\s*:/ms,
                                   "$name - header $key not present in the raw headers");
                next;
            }
            my $got = $res ? $res->header($key) : undef;
            Test::More::is($got // '', expand_port($h->{$key}), "$name - header $key ok");
        }
    } elsif (defined $block->response_headers_like) {
        my $h = parse_headers(indexed($name, scalar $block->response_headers_like, $idx, $need_array));
        for my $key (sort keys %$h) {
            my $got = $res ? $res->header($key) : undef;
            my $re = $h->{$key} // '';
            Test::More::like($got // '', qr/^$re$/, "$name - header $key like ok");
        }
    }

    # --- response_body / response_body_like / response_body_unlike
    my $content = $res ? $res->content : undef;
    if (defined $block->response_body) {
        my $expected = indexed($name, scalar $block->response_body, $idx, $need_array);
        $expected = expand_env_in_text(expand_port($expected), $name)
            if defined $expected && !ref $expected;
        my $desc = "$name - response_body - %s (repeated req $rep, req $idx)";
        if (ref $expected) {
            Test::More::like($content, $expected, sprintf $desc, 'like');
        } else {
            is_str($content, $expected, sprintf $desc, 'response is expected');
        }
    } elsif (defined $block->response_body_like || defined $block->response_body_unlike) {
        my $type = defined $block->response_body_like ? 'like' : 'unlike';
        my $pat = $type eq 'like' ? $block->response_body_like : $block->response_body_unlike;
        $pat = expand_port(indexed($name, $pat, $idx, $need_array));
        my $summary = $content // '';
        $summary =~ s/^\s+|\s+$//g;
        $summary =~ s/\s+/ /g;
        my $desc = "$name - response_body_$type - response is expected ($summary)";
        $type eq 'like' ? Test::More::like($content, qr/$pat/s, $desc)
                        : Test::More::unlike($content, qr/$pat/s, $desc);
    }

    $_->($block, $content, $idx, $rep, undef) for @ResponseBodyChecks;
}

sub fmt_str {
    my $s = shift;
    chomp $s;
    $s =~ s/"/\\"/g;
    $s =~ s/\r/\\r/g;
    $s =~ s/\n/\\n/g;
    return $s;
}

# error_log / no_error_log: plain lines are substrings, qr// are regexes.
sub patterns_of {
    my $pats = shift;
    return [ ref $pats eq 'ARRAY' ? @$pats
           : ref $pats            ? $pats
           :                        split /\n+/, $pats ];
}

sub line_matches {
    my ($line, $pat) = @_;
    return ref $pat ? $line =~ /$pat/ : index($line, $pat) >= 0;
}

sub check_error_log {
    my ($block, $rep) = @_;
    my $name = $block->name;
    my $lines;
    my %warn_level = map { $_ => 1 } qw(alert crit emerg);

    # --- grep_error_log + grep_error_log_out
    if (defined(my $grep = $block->grep_error_log)) {
        $grep = $grep->[$rep] if ref $grep eq 'ARRAY';
        my $expected = $block->grep_error_log_out;
        bail_out("$name - No --- grep_error_log_out defined but "
                 . "--- grep_error_log is defined") unless defined $expected;
        $expected = $expected->[$rep] if ref $expected eq 'ARRAY';
        $expected = expand_env_in_text($expected, $name) unless ref $expected;
        $lines ||= error_log_data();
        my $got = '';
        for my $line (@$lines) {
            my $m = ref $grep ? ($line =~ /$grep/ ? $& : undef)
                  : index($line, $grep) >= 0 ? $grep : undef;
            $got .= "$m\n" if defined $m && $m !~ /\n/;
        }
        is_str($got, $expected, "$name - grep_error_log_out (req $rep)");
    }

    for my $section (qw(error_log no_error_log)) {
        my $pats = $block->$section;
        next unless defined $pats;
        for my $p (@{ patterns_of($pats) }) {
            $warn_level{$1} = 0 if !ref $p && $p =~ /\[(alert|crit|emerg)/;
        }
    }

    if (defined $block->error_log) {
        my @pats = grep { defined } @{ patterns_of(scalar $block->error_log) };
        $lines ||= error_log_data();
        for my $pat (@pats) {
            if (grep { line_matches($_, $pat) } @$lines) {
                Test::More::pass("$name - pattern \"$pat\" matches a line in error.log (req $rep)");
            } else {
                Test::More::fail("$name - pattern \"$pat\" should match a line in error.log (req $rep)");
                Test::More::diag("checked " . scalar(@$lines) . " new line(s) of $Test::Nginx::Util::ErrLogFile");
            }
        }
    }

    if (defined $block->no_error_log) {
        my @pats = grep { defined } @{ patterns_of(scalar $block->no_error_log) };
        $lines ||= error_log_data();
        for my $pat (@pats) {
            my $found = 0;
            for my $i (0 .. $#$lines) {
                next unless line_matches($lines->[$i], $pat);
                $found++;
                my @more = @$lines[$i + 1 .. min($i + 9, $#$lines)];
                Test::More::fail("$name - pattern \"" . fmt_str($pat) . "\" should not match "
                    . "any line in error.log but matches line \"" . fmt_str($lines->[$i])
                    . "\" (req $rep)\n" . join '', @more);
            }
            Test::More::pass("$name - pattern \"" . fmt_str($pat)
                             . "\" does not match a line in error.log (req $rep)") unless $found;
        }
    }

    if (grep { $_ } values %warn_level) {
        $lines ||= error_log_data();
        for my $line (@$lines) {
            warn "WARNING: $name - " . fmt_str($line) . "\n"
                if $line =~ /\[(alert|crit|emerg)\]/ && $warn_level{$1};
        }
    }
    for my $line (@{ $lines || [] }) {
        Test::More::fail("$name - $1") if $line =~ /(\bAssertion .*?failed\b.*)/;
    }
}

1;
