# Hostile programs that try to get out of the box: to the network, to
# init's memory and descriptors through /proc, to the host's files and the
# Docker socket, to writable places outside the work directory, to more
# privileges, and back to the host through symlinks planted for a
# host-side writer to follow.
#
# The last one is how Judge0 was escaped in 2024 (CVE-2024-28185 and
# CVE-2024-28189): the worker wrote a script into the box from the host
# side, and later chown()ed files there, following symlinks that the
# submission had planted.  Here the runner must never touch a path the
# program can write: while such a program runs and after it, the runner's
# state directory holds nothing but its own directories and FIFOs, and the
# host files the symlinks aim at are unchanged.
#
# Each block runs the hostile program and then an ordinary one of the same
# language; every container must be gone after each run and no process may
# be left on the host under a sandbox uid.

use Test::Nginx::Socket 'no_plan';
use Sbx::Test;
use Sbx::Hostile;
use Digest::SHA ();
use JSON::PP ();
use POSIX ();
use Time::HiRes ();

no_shuffle();
no_root_location();

Sbx::Hostile::blocks();


# ---- the host side of the symlink blocks -----------------------------------
#
#   --- init
#   main::watch_state()       before the requests
#   --- host_untouched        checked after the first (hostile) request

our $State = "$Sbx::Test::Dir/state-main";
our $Watch;

# Files a planted symlink could aim a host-side write at: their digests,
# and for sockets their identity.
sub host_files {
    my %h;

    for my $f ('/etc/passwd', '/etc/shadow', '/etc/group', '/etc/hosts',
               "$Sbx::Test::Top/build/sandbox-init")
    {
        $h{$f} = -f $f ? Digest::SHA->new(256)->addfile($f)->hexdigest
                       : 'absent';
    }

    for my $f ('/var/run/docker.sock', '/run/docker.sock',
               $Sbx::Test::DockerSocket)
    {
        my @st = lstat $f;
        $h{$f} = @st ? join(' ', (-S _ ? 'socket' : 'not a socket'),
                            @st[0, 1, 2, 4])
                     : 'absent';
    }

    return \%h;
}

# Every entry under the runner's state directory as "path type owner",
# the job's FIFO directory named <box> and the job store's files <job>.
sub state_entries {
    my (@out, @todo);

    @todo = ('');

    while (@todo) {
        my $dir = shift @todo;

        opendir my $dh, "$State$dir" or next;

        for my $name (sort grep { !/^\.\.?$/ } readdir $dh) {
            my @st = lstat "$State$dir/$name" or next;
            my $type = -l _ ? 'symlink' : -d _ ? 'dir' : -p _ ? 'fifo'
                     : -f _ ? 'file' : -c _ ? 'chardev' : 'other';
            my $owner = $st[4] == $< ? 'runner' : "uid $st[4]";

            my $path = "$dir/$name";
            $path =~ s{^/io/sbx-\Q$Sbx::Test::Tag\E-main-\d+-\d+}{/io/<box>};
            $path =~ s{^/jobs/[0-9a-f-]{36}\.job(\.tmp)?$}{/jobs/<job>};

            push @out, "$path $type $owner";
            push @todo, "$dir/$name" if $type eq 'dir';
        }
    }

    return @out;
}

# Starts a process that lists the state directory every 10 ms while the
# block's program runs, and notes the host files as they are before it.
sub watch_state {
    my $w = Sbx::Test::host_watch('hostile-watch', 0.01, sub {
        my %seen;
        return (sub { $seen{$_} = 1 for state_entries() },
                sub { sort keys %seen });
    });

    $Watch = { %$w, before => host_files() };
}

sub check_untouched {
    my ($block, $body, $idx) = @_;

    return unless defined $block->host_untouched && $idx == 0 && $Watch;

    my $name = $block->name;
    my $w = $Watch;
    undef $Watch;

    my @seen = Sbx::Test::host_watch_end($w);

    # while it ran: the job's directory with the runner's FIFOs and the
    # box's /dev (made by the runner, read-only in the box), and the
    # runner's own job store (results the runner wrote, never a path a
    # container sees)
    my %store = map { $_ => 1 } ('/jobs dir runner', '/jobs/<job> file runner');
    my %allowed = (%store, map { $_ => 1 } ('/io dir runner',
                                            '/io/<box> dir runner',
                                            '/io/<box>/init file runner',
                                            '/io/<box>/io dir runner',
                                            '/io/<box>/io/ctl fifo runner',
                                            '/io/<box>/io/evt fifo runner',
                                            '/io/<box>/dev dir runner',
                                            '/io/<box>/dev/shm dir runner',
                                            '/io/<box>/dev/mqueue dir runner'),
                   map({ ("/io/<box>/dev/$_ chardev runner" => 1) }
                       qw(null zero full random urandom)),
                   map({ ("/io/<box>/dev/$_ symlink runner" => 1) }
                       qw(fd stdin stdout stderr)));

    Test::More::ok((grep { $_ eq '/io/<box>/io/ctl fifo runner' } @seen),
                   "$name - the state directory was watched while it ran");
    Test::More::is_deeply([grep { !$allowed{$_} } @seen], [],
                          "$name - it held only the runner's own entries");

    # afterwards: no FIFO directory, and nothing else either
    Test::More::is_deeply([grep { !$store{$_} } state_entries()],
                          ['/io dir runner'],
                          "$name - the job's directory is gone");

    Test::More::is_deeply(host_files(), $w->{before},
                          "$name - the host files are unchanged");
}

Test::Nginx::Socket::add_response_body_check(\&check_untouched);

run_tests();

__DATA__

=== TEST 1: network (Python): TCP, IPv6, UDP, DNS, raw and packet sockets fail
Only a loopback device: the Internet, the Docker host's API port and a
cloud metadata address are unreachable, and nothing listens inside.
--- request eval
main::then_normal(language => "python", source => <<'_PY_')
import errno, socket

def attempt(what, fn):
    try:
        fn()
        print(what, 'ALLOWED')
    except socket.gaierror:
        print(what, 'no name resolution')
    except OSError as e:
        print(what, errno.errorcode.get(e.errno, e.errno))

def tcp(family, addr):
    s = socket.socket(family, socket.SOCK_STREAM)
    s.settimeout(3)
    s.connect(addr)

def udp(addr):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.sendto(b'\0' * 12, addr)

print('devices:', sorted(l.split(':')[0].strip()
                         for l in open('/proc/net/dev').readlines()[2:]))
attempt('tcp 1.1.1.1:80', lambda: tcp(socket.AF_INET, ('1.1.1.1', 80)))
attempt('tcp 172.17.0.1:2375', lambda: tcp(socket.AF_INET, ('172.17.0.1', 2375)))
attempt('tcp 169.254.169.254:80', lambda: tcp(socket.AF_INET, ('169.254.169.254', 80)))
attempt('tcp 127.0.0.1:80', lambda: tcp(socket.AF_INET, ('127.0.0.1', 80)))
attempt('tcp [2606:4700:4700::1111]:80',
        lambda: tcp(socket.AF_INET6, ('2606:4700:4700::1111', 80)))
attempt('udp 8.8.8.8:53', lambda: udp(('8.8.8.8', 53)))
attempt('dns example.com', lambda: socket.getaddrinfo('example.com', 80))
attempt('raw socket', lambda: socket.socket(socket.AF_INET, socket.SOCK_RAW,
                                            socket.IPPROTO_ICMP))
attempt('packet socket', lambda: socket.socket(socket.AF_PACKET,
                                               socket.SOCK_RAW))
_PY_
--- response_json eval
main::then_ok(<<'_J_')
status: "accepted"
stdout =~ ^devices: \['lo'\]\ntcp 1\.1\.1\.1:80 ENETUNREACH\ntcp 172\.17\.0\.1:2375 ENETUNREACH\ntcp 169\.254\.169\.254:80 ENETUNREACH\ntcp 127\.0\.0\.1:80 ECONNREFUSED\ntcp \[2606:4700:4700::1111\]:80 (ENETUNREACH|EADDRNOTAVAIL|EAFNOSUPPORT)\nudp 8\.8\.8\.8:53 ENETUNREACH\ndns example\.com no name resolution\nraw socket EPERM\npacket socket EPERM\n$
_J_


=== TEST 2: network (JavaScript): TCP, UDP and DNS fail
--- request eval
main::then_normal(language => "javascript", source => <<'_JS_')
const net = require('net');
const dgram = require('dgram');
const dns = require('dns');

function tcp(host, port) {
    return new Promise(done => {
        const s = net.connect({ host, port, timeout: 3000 });
        s.on('connect', () => { s.destroy(); done('ALLOWED'); });
        s.on('timeout', () => { s.destroy(); done('timeout'); });
        s.on('error', e => done(e.code));
    });
}

function udp(host, port) {
    return new Promise(done => {
        const s = dgram.createSocket('udp4');
        s.send(Buffer.alloc(12), port, host, e => {
            s.close();
            done(e ? e.code : 'ALLOWED');
        });
    });
}

function lookup(name) {
    return new Promise(done => {
        dns.lookup(name, e => done(e ? 'no name resolution' : 'ALLOWED'));
    });
}

(async () => {
    console.log('tcp 1.1.1.1:443', await tcp('1.1.1.1', 443));
    console.log('tcp 172.17.0.1:2375', await tcp('172.17.0.1', 2375));
    console.log('tcp 127.0.0.1:22', await tcp('127.0.0.1', 22));
    console.log('udp 8.8.8.8:53', await udp('8.8.8.8', 53));
    console.log('dns example.com', await lookup('example.com'));
})();
_JS_
--- response_json eval
main::then_ok(<<'_J_')
status: "accepted"
stdout: "tcp 1.1.1.1:443 ENETUNREACH\ntcp 172.17.0.1:2375 ENETUNREACH\ntcp 127.0.0.1:22 ECONNREFUSED\nudp 8.8.8.8:53 ENETUNREACH\ndns example.com no name resolution\n"
_J_


=== TEST 3: network (Ruby): TCP, UDP and DNS fail
--- request eval
main::then_normal(language => "ruby", source => <<'_RB_')
require 'socket'

def attempt(what)
  yield
  puts "#{what}: ALLOWED"
rescue SystemCallError, SocketError => e
  puts "#{what}: #{e.class}"
end

attempt('tcp 1.1.1.1:80') { TCPSocket.new('1.1.1.1', 80) }
attempt('tcp 127.0.0.1:80') { TCPSocket.new('127.0.0.1', 80) }
attempt('udp 8.8.8.8:53') { UDPSocket.new.send("\0" * 12, 0, '8.8.8.8', 53) }
attempt('dns example.com') { Addrinfo.getaddrinfo('example.com', 80) }
_RB_
--- response_json eval
main::then_ok(<<'_J_')
status: "accepted"
stdout: "tcp 1.1.1.1:80: Errno::ENETUNREACH\ntcp 127.0.0.1:80: Errno::ECONNREFUSED\nudp 8.8.8.8:53: Errno::ENETUNREACH\ndns example.com: SocketError\n"
_J_


=== TEST 4: /proc (Python): init's environment, memory, descriptors and root are closed
init is not dumpable, so /proc/1 gives another uid nothing but its
name; /proc/kcore gives nothing either, and only init and the program
itself are to be seen.
--- request eval
main::then_normal(language => "python", source => <<'_PY_')
import errno, os

def attempt(what, fn):
    try:
        fn()
        print(what, 'ALLOWED')
    except OSError as e:
        print(what, errno.errorcode[e.errno])

def read(path):
    with open(path, 'rb') as f:
        f.read(1)

for name in ['environ', 'mem', 'maps', 'auxv', 'stack', 'pagemap']:
    attempt('read /proc/1/' + name, lambda: read('/proc/1/' + name))
for name in ['fd', 'fdinfo', 'map_files', 'root', 'cwd']:
    attempt('list /proc/1/' + name, lambda: os.listdir('/proc/1/' + name))
for name in ['exe', 'root', 'fd/1']:
    attempt('readlink /proc/1/' + name, lambda: os.readlink('/proc/1/' + name))
attempt('read /proc/1/root/etc/hostname',
        lambda: read('/proc/1/root/etc/hostname'))
try:
    with open('/proc/kcore', 'rb') as f:
        print('read /proc/kcore', 'ALLOWED' if f.read(1) else 'nothing')
except OSError:
    print('read /proc/kcore', 'nothing')
print('init is', open('/proc/1/cmdline').read().split('\0')[0])
print('processes:', sorted(int(p) for p in os.listdir('/proc')
                           if p.isdigit()) == [1, os.getpid()])
_PY_
--- response_json eval
main::then_ok(<<'_J_')
status: "accepted"
stdout: "read /proc/1/environ EACCES\nread /proc/1/mem EACCES\nread /proc/1/maps EACCES\nread /proc/1/auxv EACCES\nread /proc/1/stack EACCES\nread /proc/1/pagemap EACCES\nlist /proc/1/fd EACCES\nlist /proc/1/fdinfo EACCES\nlist /proc/1/map_files EACCES\nlist /proc/1/root EACCES\nlist /proc/1/cwd EACCES\nreadlink /proc/1/exe EACCES\nreadlink /proc/1/root EACCES\nreadlink /proc/1/fd/1 EACCES\nread /proc/1/root/etc/hostname EACCES\nread /proc/kcore nothing\ninit is /sbx/init\nprocesses: True\n"
_J_


=== TEST 5: mounts (Python): the image read-only, /sbx and /dev the box's own
The image is the read-only root.  Every other mount that a host file
system backs is read-only, and they are Docker's own /etc files; what is
writable is tmpfs and kernel file systems.  /sbx, with init's copy and
the FIFOs, is the box's own tmpfs, read-only, and names no host path.
Under user namespaces the engine cannot make device nodes and would bind
the host's own into every box; instead /dev is dev/ of that same tmpfs,
read-only, with the box's own null, zero, full, random and urandom (and
its null over the masked /proc files): no devtmpfs of the host's, no
devpts, no mqueue, no tty.  cgroup file systems are mounted rw, but no
cgroup file is writable.
--- request eval
main::then_normal(language => "python", source => <<'_PY_')
import os
host, writable, origin, fs, masked = [], set(), {}, {}, set()
for line in open('/proc/self/mountinfo'):
    f = line.split()
    sep = f.index('-')
    root, point, opts, fstype = f[3], f[4], f[5].split(','), f[sep + 1]
    if 'rw' in opts and fstype != 'cgroup':
        writable.add(fstype)
    if point != '/' and fstype not in ('tmpfs', 'proc', 'sysfs', 'cgroup',
                                       'cgroup2', 'devpts', 'mqueue'):
        host.append('%s %s' % (point, opts[0]))
    if point in ('/', '/sbx', '/dev'):
        origin[point] = '%s %s %s' % (fstype, opts[0], root)
    fs[point] = f[2]
    if point.startswith('/proc/') and fstype != 'proc' and root != '/':
        masked.add('%s %s' % (root, 'box' if f[2] == fs.get('/sbx') else f[2]))
print('host-backed:', ', '.join(sorted(host)))
print('writable:', ' '.join(sorted(writable)))
print('root:', origin['/'].split()[1])
print('cgroup files writable:',
      sum(os.access(os.path.join(d, n), os.W_OK)
          for d, dirs, files in os.walk('/sys/fs/cgroup')
          for n in dirs + files))
print('/sbx from', origin['/sbx'])
print('/dev from', origin['/dev'], 'box' if fs['/dev'] == fs['/sbx'] else fs['/dev'])
sbx = os.stat('/sbx').st_dev
print('/dev:', ' '.join(sorted('%s%s' % (n, '' if os.lstat('/dev/' + n).st_dev == sbx else '@' + fs.get('/dev/' + n, '?'))
                               for n in os.listdir('/dev'))))
print('masked /proc files from:', ', '.join(sorted(masked)))
print('roots:', ' '.join(l.split()[3] for l in open('/proc/self/mountinfo')))
_PY_
--- response_json eval
main::then_ok(<<'_J_')
status: "accepted"
stdout =~ ^host-backed: /etc/(hostname|hosts|resolv\.conf) ro(, /etc/(hostname|hosts|resolv\.conf) ro)*\nwritable: proc tmpfs\nroot: ro\ncgroup files writable: 0\n/sbx from tmpfs ro /\n/dev from tmpfs ro /dev box\n/dev: fd full mqueue null random shm@0:\d+ stderr stdin stdout urandom zero\nmasked /proc files from: /dev/null box\nroots: /
_J_
--- json_ok eval
main::hostile_ok(sub {
    my ($roots) = $_[0]{stdout} =~ /^roots: (.*)$/m;
    return $roots && index($roots, $main::State) < 0
        && index($roots, 'sandbox-init') < 0;
})


=== TEST 6: no Docker socket, no way to the Engine, no privileges to gain
No Docker or containerd socket anywhere, none in the network namespace,
nothing about them in the environment, and no namespaces, mounts,
chroot or set-uid files to become root with.
--- request eval
main::then_normal(language => "bash", source => <<'_SH_')
for s in /var/run/docker.sock /run/docker.sock /run/sandbox-docker.sock \
         /run/containerd/containerd.sock; do
    if [ -e "$s" ]; then echo "$s: present"; else echo "$s: absent"; fi
done
echo "sockets in the file system: $(find / \( -path /proc -o -path /sys \) -prune -o -type s -print 2>/dev/null | wc -l)"
echo "unix sockets in the network namespace: $(($(wc -l < /proc/net/unix) - 1))"
echo "docker or containerd in the environment: $(env | grep -ci -e docker -e containerd)"
if (exec 3<> /dev/tcp/127.0.0.1/2375) 2> /dev/null; then
    echo "docker on tcp: open"
else
    echo "docker on tcp: closed"
fi

refused() {
    if "$@" > /dev/null 2>&1; then echo "$*: ALLOWED"; else echo "$*: refused"; fi
}
refused unshare --user --map-root-user true
refused unshare --mount true
refused chroot / true
refused mount -t tmpfs none /work
refused nsenter --target 1 --mount true
echo "set-uid or set-gid files: $(find / -xdev -perm /6000 -type f 2>/dev/null | wc -l)"
_SH_
--- response_json eval
main::then_ok(<<'_J_')
status: "accepted"
stdout: "/var/run/docker.sock: absent\n/run/docker.sock: absent\n/run/sandbox-docker.sock: absent\n/run/containerd/containerd.sock: absent\nsockets in the file system: 0\nunix sockets in the network namespace: 0\ndocker or containerd in the environment: 0\ndocker on tcp: closed\nunshare --user --map-root-user true: refused\nunshare --mount true: refused\nchroot / true: refused\nmount -t tmpfs none /work: refused\nnsenter --target 1 --mount true: refused\nset-uid or set-gid files: 0\n"
_J_


=== TEST 7: writing outside the work directory (Python): /, /etc, /usr, /sbx, /sbx/io, cgroups
The root file system and /sbx are read-only, /sbx is the runner's (mode
0700: nothing in it can be reached), the kernel's knobs are read-only;
/work, /tmp and /dev/shm are the only writable places.
--- request eval
main::then_normal(language => "python", source => <<'_PY_')
import errno, glob, os

def attempt(what, fn):
    try:
        fn()
        print(what, 'ALLOWED')
    except OSError as e:
        print(what, errno.errorcode[e.errno])

def write(path, data=b'x\n', mode='ab'):
    with open(path, mode) as f:
        f.write(data)

attempt('create /x', lambda: write('/x'))
attempt('append to /etc/passwd',
        lambda: write('/etc/passwd', b'evil::0:0::/:/bin/sh\n'))
attempt('create /etc/x', lambda: write('/etc/x'))
attempt('create /usr/bin/x', lambda: write('/usr/bin/x'))
attempt('create /sbx/x', lambda: write('/sbx/x'))
attempt('overwrite /sbx/init', lambda: write('/sbx/init', b'#!/bin/sh\n', 'r+b'))
attempt('chmod /sbx/init', lambda: os.chmod('/sbx/init', 0o777))
attempt('unlink /sbx/init', lambda: os.unlink('/sbx/init'))
attempt('hard-link /sbx/init', lambda: os.link('/sbx/init', '/work/init'))
attempt('create /sbx/io/x', lambda: write('/sbx/io/x'))
attempt('open /sbx/io/ctl', lambda: write('/sbx/io/ctl'))
attempt('mkdir /sbx/io/d', lambda: os.mkdir('/sbx/io/d'))
attempt('write core_pattern',
        lambda: write('/proc/sys/kernel/core_pattern', b'|/work/x\n', 'wb'))
attempt('mknod a disk',
        lambda: os.mknod('/work/disk', 0o600 | 0o060000, os.makedev(8, 0)))
attempt('chown /work to root', lambda: os.chown('/work', 0, 0))

knobs = [p for p in glob.glob('/sys/fs/cgroup/**', recursive=True)
         if os.path.basename(p) in ('release_agent', 'notify_on_release',
                                    'cgroup.procs', 'memory.limit_in_bytes',
                                    'memory.max', 'pids.max')]
written = 0
for p in knobs:
    try:
        write(p, b'1\n', 'wb')
        written += 1
    except OSError:
        pass
print('cgroup files found:', len(knobs) > 0, 'written:', written)

for d in ['/work', '/tmp', '/dev/shm']:
    write(d + '/ok')
print('/work, /tmp, /dev/shm: written')
_PY_
--- response_json eval
main::then_ok(<<'_J_')
status: "accepted"
stdout: "create /x EROFS\nappend to /etc/passwd EACCES\ncreate /etc/x EROFS\ncreate /usr/bin/x EROFS\ncreate /sbx/x EACCES\noverwrite /sbx/init EACCES\nchmod /sbx/init EACCES\nunlink /sbx/init EACCES\nhard-link /sbx/init EACCES\ncreate /sbx/io/x EACCES\nopen /sbx/io/ctl EACCES\nmkdir /sbx/io/d EACCES\nwrite core_pattern EROFS\nmknod a disk EPERM\nchown /work to root EPERM\ncgroup files found: True written: 0\n/work, /tmp, /dev/shm: written\n"
_J_


=== TEST 8: planted symlinks (bash), the Judge0 pattern: the host follows none
Symlinks named like the runner's FIFOs and Judge0's run script, in /work,
/tmp and /dev/shm, aimed at /etc/passwd, /etc/shadow, the Docker socket
and the FIFO directory; the same names cannot even be created under
/sbx/io.  While the program runs and after it, the runner's state
directory holds only its own directories and FIFOs, and the host files
are unchanged.
--- init
main::watch_state();
--- request eval
main::then_normal(language => "bash", source => <<'_SH_')
for dir in /work /tmp /dev/shm; do
    ln -s /etc/passwd          $dir/ctl
    ln -s /var/run/docker.sock $dir/evt
    ln -s /etc/shadow          $dir/run
    ln -s /sbx/io/ctl          $dir/result
    ln -s /etc/passwd          $dir/main
    ln -s /var/run/docker.sock $dir/run.sh
done
echo "planted: $(find /work /tmp /dev/shm -type l | wc -l)"

for name in ctl evt run result main; do
    if ln -s /etc/passwd /sbx/io/$name 2> /dev/null; then
        echo "/sbx/io/$name: PLANTED"
    else
        echo "/sbx/io/$name: refused"
    fi
done
if ln -s /etc/passwd /sbx/run 2> /dev/null; then
    echo "/sbx/run: PLANTED"
else
    echo "/sbx/run: refused"
fi
if echo evil >> /work/ctl 2> /dev/null; then
    echo "through /work/ctl: WRITTEN"
else
    echo "through /work/ctl: refused"
fi

sleep 1
_SH_
--- response_json eval
main::then_ok(<<'_J_')
status: "accepted"
stdout: "planted: 18\n/sbx/io/ctl: refused\n/sbx/io/evt: refused\n/sbx/io/run: refused\n/sbx/io/result: refused\n/sbx/io/main: refused\n/sbx/run: refused\nthrough /work/ctl: refused\n"
_J_
--- host_untouched


=== TEST 9: planted symlinks (C): the program's own binary replaced by a link to /etc/passwd
The first test swaps ./main for a symlink to /etc/passwd and main.c for
one to the Docker socket.  The second test starts from the compiled
state again (init restores it without following the links) and runs
normally.  The host side follows nothing.
--- init
main::watch_state();
--- request eval
main::then_normal(language => "c",
                  tests => [{ stdin => "plant" }, { stdin => "run again" }],
                  source => <<'_C_')
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int
main(void)
{
    char  what[16];

    if (fgets(what, sizeof(what), stdin) && strcmp(what, "plant") == 0) {
        if (unlink("main") == 0 && symlink("/etc/passwd", "main") == 0
            && unlink("main.c") == 0
            && symlink("/var/run/docker.sock", "main.c") == 0)
        {
            puts("planted");
        }
    }

    return 0;
}
_C_
--- response_json eval
main::then_ok(<<'_J_')
status: "accepted"
tests.0.status: "accepted"
tests.0.stdout: "planted\n"
tests.1.status: "accepted"
tests.1.stdout: ""
_J_
--- host_untouched
