package Test::Nginx::Util;

# Settings, nginx.conf generation and the nginx process lifecycle for the
# small Test::Nginx::Socket implementation in this directory.  See
# Socket.pm for the user-facing documentation.

use strict;
use warnings;

use Exporter 'import';
use File::Path qw(make_path remove_tree);
use File::Spec ();
use IO::Socket::INET ();
use POSIX qw(SIGQUIT SIGKILL WNOHANG);
use Time::HiRes qw(sleep time);
use Test::More ();

# ---- settings (same names and environment variables as the CPAN module) --

our $NginxBinary         = $ENV{TEST_NGINX_BINARY} || 'nginx';
our $ServerAddr          = '127.0.0.1';
our $ServerName          = 'localhost';
our $ServerPort          = $ENV{TEST_NGINX_SERVER_PORT} || $ENV{TEST_NGINX_PORT} || 1984;
our $ServerPortForClient = $ENV{TEST_NGINX_CLIENT_PORT} || $ServerPort;
our $Workers             = 1;
our $WorkerConnections   = 64;
our $LogLevel            = $ENV{TEST_NGINX_LOG_LEVEL} || 'debug';
our $MasterProcessEnabled = $ENV{TEST_NGINX_MASTER_PROCESS} || 'off';
our $RepeatEach          = 1;
our $NoShuffle           = $ENV{TEST_NGINX_NO_SHUFFLE} || 0;
our $NoRootLocation      = 0;
our $NoLongString;
our $NoNginxManager      = $ENV{TEST_NGINX_NO_NGINX_MANAGER} || 0;
our $Timeout             = $ENV{TEST_NGINX_TIMEOUT} || 3;
our $LoadModules         = $ENV{TEST_NGINX_LOAD_MODULES};
our $EventType           = $ENV{TEST_NGINX_EVENT_TYPE};
our $WorkerUser          = $ENV{TEST_NGINX_WORKER_USER};
our $CheckAccumErrLog    = $ENV{TEST_NGINX_CHECK_ACCUM_ERR_LOG};
our $ForceRestartOnTest  = $ENV{TEST_NGINX_FORCE_RESTART_ON_TEST} // 1;
our $TestNginxSleep      = $ENV{TEST_NGINX_SLEEP} || 0.015;
our $ConfigPreamble      = '';
our (@EnvToNginx, @BlockPreprocessors, @CleanupHandlers, @TestCleanupHandlers);

our $ServRoot   = $ENV{TEST_NGINX_SERVROOT} || File::Spec->rel2abs('t/servroot');
$ENV{TEST_NGINX_SERVER_ROOT} = $ServRoot;
our $LogDir     = "$ServRoot/logs";
our $ErrLogFile = "$LogDir/error.log";
our $AccLogFile = "$LogDir/access.log";
our $HtmlDir    = "$ServRoot/html";
our $ConfDir    = "$ServRoot/conf";
our $ConfFile   = "$ConfDir/nginx.conf";
our $PidFile    = "$LogDir/nginx.pid";

our $ErrLogFilePos = 0;
our $RandPorts     = {};
our ($PrevConfig, $NginxVersion, $NginxV);

our @EXPORT = qw(
    repeat_each workers worker_connections master_on master_off
    master_process_enabled log_level no_shuffle no_root_location
    no_long_string env_to_nginx config_preamble timeout server_port
    server_port_for_client server_addr server_name server_root html_dir
    add_block_preprocessor add_cleanup_handler add_test_cleanup_handler
    check_accum_error_log use_hup no_nginx_manager bail_out is_str
    expand_env_in_text parse_time error_log_data
);

# ---- setters / getters ---------------------------------------------------

sub repeat_each { $RepeatEach = shift if @_; $RepeatEach }
sub workers { @_ ? ($Workers = shift) : $Workers }
sub worker_connections { @_ ? ($WorkerConnections = shift) : $WorkerConnections }
sub master_on  { $MasterProcessEnabled = 'on' }
sub master_off { $MasterProcessEnabled = 'off' }
sub master_process_enabled {
    return $MasterProcessEnabled unless @_;
    $MasterProcessEnabled = shift() ? 'on' : 'off';
}
sub log_level { @_ ? ($LogLevel = shift) : $LogLevel }
sub no_shuffle { $NoShuffle = 1 }
sub no_root_location { $NoRootLocation = 1 }
sub no_long_string { $NoLongString = 1 }
sub config_preamble { $ConfigPreamble = shift }
sub timeout { @_ ? ($Timeout = shift) : $Timeout }
sub server_port { @_ ? ($ServerPort = shift) : $ServerPort }
sub server_port_for_client { @_ ? ($ServerPortForClient = shift) : $ServerPortForClient }
sub server_addr { @_ ? ($ServerAddr = shift) : $ServerAddr }
sub server_name { @_ ? ($ServerName = shift) : $ServerName }
sub server_root { $ServRoot }
sub html_dir { $HtmlDir }
sub add_block_preprocessor(&) { unshift @BlockPreprocessors, shift }
sub add_cleanup_handler { unshift @CleanupHandlers, shift }
sub add_test_cleanup_handler { unshift @TestCleanupHandlers, shift }
sub check_accum_error_log { $CheckAccumErrLog = 1 }
sub use_hup { }    # reloading via HUP is not implemented: nginx is restarted
sub no_nginx_manager { $NoNginxManager = 1 }

sub env_to_nginx {
    die "env_to_nginx: no arguments specified\n" unless @_;
    for my $v (@_) {
        die "env_to_nginx: bad argument value: $v\n"
            if $v !~ /^[A-Za-z_]/ || $v =~ /\n/;
        push @EnvToNginx, $v;
    }
}

sub bail_out {
    cleanup();
    Test::More::BAIL_OUT(join '', @_);
}

# Compare strings (or match a qr//), showing a diff for multi-line text.
sub is_str {
    my ($got, $expected, $desc) = @_;
    local $Test::Builder::Level = $Test::Builder::Level + 1;
    return Test::More::like($got, $expected, $desc) if ref $expected eq 'Regexp';
    return Test::More::is($got, $expected, $desc)
        if !defined $got || !defined $expected || $got eq $expected
           || $expected !~ /\n./s || !eval { require Text::Diff; 1 };
    Test::More::ok(0, $desc);
    Test::More::diag(Text::Diff::diff(\$expected, \$got,
                                      { FILENAME_A => 'expected', FILENAME_B => 'got' }));
    return 0;
}

# "3", "3s" or "500ms" -> seconds
sub parse_time {
    my $t = shift;
    return undef unless defined $t;
    return $1 / 1000 if $t =~ /^\s*([\d.]+)\s*ms\s*$/;
    return $1 if $t =~ /^\s*([\d.]+)\s*s?\s*$/;
    return $t;
}

# Replace $TEST_NGINX_FOO by $ENV{TEST_NGINX_FOO}; $TEST_NGINX_RAND_PORT_N
# by a free port chosen once per block.
sub expand_env_in_text {
    my ($text, $name) = @_;
    return $text unless defined $text;
    $text =~ s{\$(TEST_NGINX_[_A-Z0-9]+)}{
        my $var = $1;
        if ($var =~ /^TEST_NGINX_RAND_PORT_\d+$/) {
            $RandPorts->{$var} //= gen_rand_port();
        } else {
            bail_out("$name - No environment $var defined.\n")
                unless defined $ENV{$var};
            $ENV{$var};
        }
    }ge;
    return $text;
}

sub port_is_free {
    my $port = shift;
    my $sock = IO::Socket::INET->new(LocalPort => $port, Proto => 'tcp',
                                     Listen => 1, ReuseAddr => 1);
    return 0 unless $sock;
    close $sock;
    return 1;
}

sub gen_rand_port {
    my %used = ($ServerPort => 1, map { $_ => 1 }
                 grep { defined } values %$RandPorts);
    for (1 .. 1000) {
        my $port = 10000 + int rand 50000;
        return $port if !$used{$port} && port_is_free($port);
    }
    bail_out("Cannot find an available listening port number.\n");
}

# ---- nginx binary ----------------------------------------------------------

sub nginx_version {
    return $NginxVersion if defined $NginxVersion;
    $NginxV = `$NginxBinary -V 2>&1`;
    if ($? != 0 || !defined $NginxV) {
        bail_out("Cannot run the nginx executable \"$NginxBinary\" "
                 . "(set TEST_NGINX_BINARY): " . ($NginxV // $!));
    }
    $NginxVersion = $NginxV =~ m{/(\d+)\.(\d+)\.(\d+)}
                  ? sprintf('%d.%03d%03d', $1, $2, $3) : 0;
    return $NginxVersion;
}

# ---- server root, user files, nginx.conf ---------------------------------

sub setup_server_root {
    # only remove what we create, in case TEST_NGINX_SERVROOT is misused
    remove_tree($ConfDir, $LogDir, $HtmlDir, "$ServRoot/cache",
                glob("$ServRoot/*_temp"), glob("$ServRoot/*_cache"));
    for my $dir ($ServRoot, $LogDir, $HtmlDir, $ConfDir) {
        next if -d $dir;
        mkdir $dir or bail_out("Failed to mkdir $dir: $!\n");
    }
    write_file("$HtmlDir/index.html",
               '<html><head><title>It works!</title></head>'
               . '<body>It works!</body></html>');
}

sub write_file {
    my ($path, $data) = @_;
    open my $out, '>', $path or bail_out("Cannot open $path for writing: $!\n");
    binmode $out;
    print $out $data;
    close $out;
}

# --- user_files: ">>> name [touch date]" followed by the content, or an
# arrayref of [name, content, date]; relative names go under html/.
sub write_user_files {
    my $block = shift;
    my $files = $block->user_files or return;
    my $name = $block->name;
    if (!ref $files) {
        my @list;
        for my $line (split /^/m, $files) {
            if ($line =~ />>> (\S+)(?:\s+(.+))?/) {
                push @list, [$1, '', $2];
            } elsif (@list) {
                $list[-1][1] .= $line;
            }
        }
        $files = \@list;
    } elsif (ref $files ne 'ARRAY') {
        bail_out("$name - user_files must be a string or an ARRAY\n");
    }
    for my $file (@$files) {
        my ($fname, $body, $date) = @$file;
        my $path = $fname =~ m{^/} ? $fname : "$HtmlDir/$fname";
        (my $dir = $path) =~ s{/[^/]*$}{};
        make_path($dir) if length $dir && !-d $dir;
        write_file($path, expand_env_in_text($body // '', $name));
        if ($date) {
            local $ENV{TZ} = 'GMT';
            system('touch', '-t', $date, $path) == 0
                or bail_out("$name - failed to touch $path\n");
        }
    }
}

sub write_config_file {
    my ($block, $config) = @_;
    my $name = $block->name;
    my $http_config = expand_env_in_text($block->http_config // '', $name);
    my $main_config = $block->main_config // '';
    if ($LoadModules) {
        my @mods = map { "load_module $_;" } grep { length } split /\s+/, $LoadModules;
        $main_config = join ' ', @mods, $main_config;
    }
    $main_config = expand_env_in_text($main_config, $name);
    my $post_main_config = expand_env_in_text($block->post_main_config // '', $name);
    my $log_level = $block->log_level || $LogLevel;
    my $server_name = $block->server_name // $ServerName;
    $config //= '';

    my $env = join '', map { my $v = /\s/ ? "'$_'" : $_; "env $v;\n" }
                       qw(LD_PRELOAD LD_LIBRARY_PATH ASAN_OPTIONS), @EnvToNginx;

    my $temp_paths = '';
    for my $mod (qw(client_body proxy fastcgi scgi uwsgi)) {
        next if $NginxV =~ /--without-http_${mod}_module/;
        next if $http_config =~ /\b${mod}_temp_path\b/;
        $temp_paths .= " ${mod}_temp_path $ServRoot/${mod}_temp;";
    }

    my $root_location = $NoRootLocation ? '' : <<"_EOC_";
        location / {
            root $HtmlDir;
            index index.html index.htm;
        }
_EOC_

    my $events = $EventType ? "    use $EventType;\n" : '';
    my $user = defined $WorkerUser ? "user $WorkerUser;\n"
             : $> == 0             ? "user root;\n"
             : '';

    write_file($ConfFile, <<"_EOC_");
worker_processes  $Workers;
daemon on;
master_process $MasterProcessEnabled;
error_log $ErrLogFile $log_level;
pid       $PidFile;
$env
$main_config

http {
    access_log $AccLogFile;$temp_paths

    default_type text/plain;
    keepalive_timeout  68000ms;

$http_config
    server {
        listen          $ServerPort;
        server_name     '$server_name';
        client_max_body_size 30M;

        # Begin preamble config...
$ConfigPreamble
        # End preamble config...

        # Begin test case config...
$config
        # End test case config.

$root_location    }
}

$post_main_config

events {
    accept_mutex off;
    worker_connections  $WorkerConnections;
$events}
$user
_EOC_
}

# ---- nginx processes -------------------------------------------------------

sub read_pid_file {
    open my $in, '<', $PidFile or return undef;
    my $pid = <$in> // '';
    close $in;
    return $pid =~ /^\s*(\d+)/ ? $1 : undef;
}

# An exited nginx daemon is not our child: it may stay a zombie until
# init reaps it, so treat zombies as gone.
sub is_running {
    my $pid = shift;
    return 0 unless $pid && kill(0, $pid);
    if (open my $in, '<', "/proc/$pid/stat") {
        my $stat = <$in> // '';
        return 0 if $stat =~ /\)\s+Z\b/;
    }
    return 1;
}

# Gracefully stop the nginx recorded in the pid file and wait for it.
sub stop_nginx {
    my $pid = read_pid_file();
    if (is_running($pid)) {
        kill SIGQUIT, $pid;
        my $deadline = time + ($Timeout > 3 ? $Timeout : 3);
        while (is_running($pid) && time < $deadline) {
            waitpid($pid, WNOHANG);
            sleep 0.02;
        }
        if (is_running($pid)) {
            warn "WARNING: nginx $pid did not quit in time; killing it\n";
            kill SIGKILL, $pid;
            sleep 0.05 while is_running($pid) && time < $deadline + 2;
        }
    }
    unlink $PidFile if -f $PidFile;
}

sub log_tail {
    my ($file, $n) = @_;
    open my $in, '<', $file or return '';
    my @lines = <$in>;
    close $in;
    splice @lines, 0, @lines - $n if @lines > $n;
    return join '', @lines;
}

# Set up servroot and start nginx for a block; returns an error message
# (with the stderr output and the error log tail) if it did not come up.
sub start_nginx {
    my ($block, $config) = @_;
    my $name = $block->name;

    stop_nginx();
    setup_server_root();
    write_user_files($block);
    write_config_file($block, $config);

    if (!port_is_free($ServerPort)) {
        bail_out("$name - TCP port $ServerPort is already in use by another "
                 . "process; set TEST_NGINX_SERVER_PORT to a free port\n");
    }

    my @cmd = ($NginxBinary, '-p', "$ServRoot/", '-c', $ConfFile);
    splice @cmd, 1, 0, '-e', $ErrLogFile if nginx_version() >= 1.019005;
    my $stderr_file = "$LogDir/nginx.stderr";
    my $pid = fork // bail_out("fork() failed: $!\n");
    if ($pid == 0) {
        open STDIN, '<', '/dev/null';
        open STDOUT, '>', '/dev/null';
        open STDERR, '>', $stderr_file;
        exec @cmd or POSIX::_exit(127);
    }
    waitpid($pid, 0);
    my $status = $?;
    $ErrLogFilePos = 0;

    my $why;
    if ($status != 0) {
        $why = "\"@cmd\" exited with status " . ($status >> 8);
    } else {
        my $deadline = time + ($Timeout > 5 ? $Timeout : 5);
        my $ready;
        while (time < $deadline) {
            my $ngx = read_pid_file();
            $ready = is_running($ngx) && IO::Socket::INET->new(
                PeerAddr => $ServerAddr, PeerPort => $ServerPortForClient,
                Proto => 'tcp', Timeout => 1);
            last if $ready;
            sleep 0.02;
        }
        $why = "nginx did not start listening on port $ServerPortForClient"
            unless $ready;
    }
    return undef unless $why;

    my $stderr = log_tail($stderr_file, 20);
    if ($stderr =~ /Address already in use/) {
        bail_out("$name - TCP port $ServerPort is already in use: $stderr");
    }
    return "$name - $why\n"
         . ($stderr ne '' ? "--- nginx stderr:\n$stderr" : '')
         . "--- tail of $ErrLogFile:\n" . log_tail($ErrLogFile, 20);
}

# The lines appended to error.log since the previous call (or since the
# start of the current block).
sub error_log_data {
    sleep $TestNginxSleep * 3;    # let nginx finish its log-phase writes
    open my $in, '<', $ErrLogFile or return [];
    seek $in, $ErrLogFilePos, 0 if !$CheckAccumErrLog && $ErrLogFilePos > 0;
    my @lines = <$in>;
    $ErrLogFilePos = tell $in unless $CheckAccumErrLog;
    close $in;
    return \@lines;
}

sub cleanup {
    $_->() for @CleanupHandlers;
}

# Ctrl-C or a kill should still run END below and stop nginx.
$SIG{$_} ||= sub { exit 1 } for qw(INT TERM);

END {
    local $?;
    cleanup();
    stop_nginx() if !$NoNginxManager && !$ENV{TEST_NGINX_NO_CLEAN} && defined $PidFile;
}

1;
