# What every container is: no network, no capabilities, no new
# privileges, a read-only root, size-capped tmpfs, memory and process
# limits, a wall-clock kill.  Each is seen from inside, by the program.

use Test::Nginx::Socket 'no_plan';
use Sbx::Test;

no_shuffle();
no_root_location();

Sbx::Test::blocks(timeout => 90);

run_tests();

__DATA__

=== TEST 1: no network: only a loopback device, connections fail
--- request
POST /submissions
{"language":"python","source":"import socket\nprint(sorted(l.split(':')[0].strip() for l in open('/proc/net/dev').readlines()[2:]))\nfor addr in [('1.1.1.1', 53), ('127.0.0.1', 80)]:\n    try:\n        socket.create_connection(addr, timeout=2)\n        print('connected')\n    except OSError as e:\n        print(type(e).__name__)\ntry:\n    socket.getaddrinfo('example.com', 80)\n    print('resolved')\nexcept OSError as e:\n    print('no dns')"}
--- error_code: 200
--- response_json
status: "accepted"
stdout: "['lo']\nOSError\nConnectionRefusedError\nno dns\n"



=== TEST 2: not root, no capabilities, no new privileges
--- request
POST /submissions
{"language":"python","source":"import os\nf = dict(l.split(':\\t', 1) for l in open('/proc/self/status').read().splitlines() if ':\\t' in l)\nprint(os.getuid() != 0, os.getgid() != 0, os.geteuid() != 0)\nprint(f['CapEff'], f['CapPrm'], f['CapAmb'])\nprint(f['NoNewPrivs'])\nprint(f['Seccomp'] != '0')"}
--- error_code: 200
--- response_json
status: "accepted"
stdout: "True True True\n0000000000000000 0000000000000000 0000000000000000\n1\nTrue\n"



=== TEST 3: the root file system is read-only; /work and /tmp are tmpfs
--- request
POST /submissions
{"language":"python","source":"import os\nfor p in ['/etc/x', '/usr/x', '/x']:\n    try:\n        open(p, 'a')\n        print(p, 'written')\n    except OSError as e:\n        print(p, e.strerror)\nopen('/work/out.txt', 'w').write('ok')\nopen('/tmp/out.txt', 'w').write('ok')\nprint(os.getcwd(), open('/work/out.txt').read(), open('/tmp/out.txt').read())\nm = {l.split()[1]: l.split()[2] for l in open('/proc/mounts')}\nprint(m['/'], m['/work'], m['/tmp'])"}
--- error_code: 200
--- response_json
status: "accepted"
stdout: "/etc/x Read-only file system\n/usr/x Read-only file system\n/x Read-only file system\n/work ok ok\noverlay tmpfs tmpfs\n"



=== TEST 4: the work directory is size-capped
--- request
POST /submissions
{"language":"python","source":"n = 0\ntry:\n    for i in range(64):\n        with open('/work/f%d' % i, 'wb') as f:\n            for j in range(8):\n                f.write(b'x' * (1 << 20))\n                n += 1\nexcept OSError as e:\n    print(e.strerror, 8 < n < 512)","limits":{"file_size_kb":16384}}
--- error_code: 200
--- response_json
stdout: "No space left on device True\n"



=== TEST 5: memory is limited (memory = memory + swap)
--- request
POST /submissions
{"language":"python","source":"blocks = []\nfor i in range(1024):\n    blocks.append(bytearray(1 << 20))\nprint('allocated 1 GiB')","limits":{"memory_kb":65536}}
--- error_code: 200
--- response_json
status: "memory_limit_exceeded"
stdout: ""



=== TEST 6: the number of processes is limited
--- request
POST /submissions
{"language":"python","source":"import os, time\nkids = 0\ntry:\n    for i in range(200):\n        if os.fork() == 0:\n            time.sleep(5)\n            os._exit(0)\n        kids += 1\nexcept OSError as e:\n    print(e.strerror)\nprint(kids < 16)","limits":{"processes":16,"wall_time_ms":3000}}
--- error_code: 200
--- response_json
stdout: "Resource temporarily unavailable\nTrue\n"



=== TEST 7: a program that never ends is killed at the wall-time limit
--- request
POST /submissions
{"language":"python","source":"import time\nprint('started', flush=True)\ntime.sleep(600)","limits":{"wall_time_ms":1500}}
--- error_code: 200
--- response_json
status: "time_limit_exceeded"
limit: "wall"
stdout: "started\n"
wall_time_ms =~ ^1[5-9]\d\d$
--- timeout: 20
