#!/usr/bin/env bash
# make bench: what a submission costs, side by side, in one run.
#
#   1. latency of a Python hello world: through nginx + runner (a fresh
#      container each, made for the job or taken warm), by
#      `docker run --rm`, and as a bare process
#   2. sustained submissions/s with 8 clients, against the host's own
#      ceiling of `docker run --rm` with 8 at a time
#   3. requests/s for bad input, refused by the module before the runner
#   4. load: 1000 submissions from 50 clients, each must get its result
#      or a 503; afterwards no container may be left, and the runner's
#      memory must be back near where it started
#   5. scale-out on this host: the same sustained load through one
#      runner and through three behind "hash $sandbox_route consistent"
#      over TLS (one dockerd serves all of them, so it caps both)
#
# Ratios matter more than absolute times: the machine varies.
set -euo pipefail
cd "$(dirname "$0")/.."

top=$PWD
dir=$top/build/bench
port=18090
url=http://127.0.0.1:$port
rm -rf "$dir"
mkdir -p "$dir"


N_LAT=${N_LAT:-40}
N_DOCKER=${N_DOCKER:-15}
N_TPUT=${N_TPUT:-200}
N_LOAD=${N_LOAD:-1000}

nginx_bin=${NGINX:-/usr/sbin/nginx}

# runner_pid: the one being started, should it fail to come up
cleanup() {
    local pids=(${runner:-} ${warm:-} ${runner_pid:-} ${scale[@]:-})
    "$nginx_bin" -p "$dir/" -c "$dir/nginx.conf" -s quit 2>/dev/null || true
    ((${#pids[@]})) || return 0
    kill -TERM "${pids[@]}" 2>/dev/null || true
    wait "${pids[@]}" 2>/dev/null || true
}
trap cleanup EXIT

# one runner that makes a container for each job, one that keeps some warm
. tools/runner.sh
runner_start bench "$dir/runner.sock" "$dir/state" \
    --log-file "$dir/runner.log"
runner=$runner_pid
runner_start bench-warm "$dir/warm.sock" "$dir/state-warm" \
    --warm python:4 --uid-base 40000 --uid-count 100 \
    --log-file "$dir/warm.log"
warm=$runner_pid

# three more on loopback TCP with TLS, for the scale-out line
tools/certs.sh "$dir/pki" >/dev/null
scale=()
for i in 1 2 3; do
    sbx_tls=(--listen "tcp:127.0.0.1:$((port + 10 + i))"
             --tls-certificate "$dir/pki/runner.crt"
             --tls-certificate-key "$dir/pki/runner.key"
             --tls-client-ca "$dir/pki/ca.crt")
    "$top/tools/runner.sh" "bench-s$i" "$dir/s$i.sock" "$dir/state-s$i" \
        --uid-base $((40000 + i * 100)) --uid-count 100 \
        --log-file "$dir/s$i.log" "${sbx_tls[@]}" &
    scale+=($!)
done

cat >"$dir/nginx.conf" <<EOC
load_module $top/build/ngx_http_sandbox_module.so;
worker_processes 2;
error_log $dir/error.log warn;
pid $dir/nginx.pid;
events { worker_connections 4096; }
http {
    access_log off;
    upstream runner { server unix:$dir/runner.sock; keepalive 64; }
    upstream warm { server unix:$dir/warm.sock; keepalive 64; }
    upstream three {
        hash \$sandbox_route consistent;
        server 127.0.0.1:$((port + 11));
        server 127.0.0.1:$((port + 12));
        server 127.0.0.1:$((port + 13));
        keepalive 64;
    }
    server {
        listen 127.0.0.1:$port;
        location / {
            sandbox_pass runner;
            sandbox_read_timeout 300s;
        }
        location /warm/ {
            sandbox_pass warm;
            sandbox_read_timeout 300s;
        }
        location /three/ {
            sandbox_pass sandboxs://three;
            sandbox_ssl_certificate $dir/pki/nginx.crt;
            sandbox_ssl_certificate_key $dir/pki/nginx.key;
            sandbox_ssl_trusted_certificate $dir/pki/ca.crt;
            sandbox_ssl_name localhost;
            sandbox_read_timeout 300s;
        }
    }
}
EOC

"$nginx_bin" -p "$dir/" -c "$dir/nginx.conf"

for _ in $(seq 1 100); do
    curl -sf "$url/health" >/dev/null && curl -sf "$url/warm/health" \
        >/dev/null && curl -sf "$url/three/health" >/dev/null && break
    sleep 0.1
done

hello='{"language":"python","source":"print(\"hello\")"}'

# percentile P of the numbers on stdin (ms)
pct() { sort -n | awk -v p="$1" '{a[NR]=$1} END {i=int(p/100*(NR-1))+1; print a[i]}'; }
ms() { echo "$(( ($(date +%s%N) - $1) / 1000000 ))"; }

echo "== 1. latency of a Python hello world"

for _ in $(seq 1 5); do                       # warm-up
    curl -s "$url/submissions" -d "$hello" >/dev/null
done

for _ in $(seq 1 "$N_LAT"); do
    curl -s -o /dev/null -w '%{time_total}\n' "$url/submissions" -d "$hello"
done | awk '{printf "%d\n", $1 * 1000}' >"$dir/lat-nginx"

# one at a time, with a pause for the pool to refill: a warm container
for _ in $(seq 1 "$N_LAT"); do
    curl -s -o /dev/null -w '%{time_total}\n' "$url/warm/submissions" \
        -d "$hello"
    sleep 0.3
done | awk '{printf "%d\n", $1 * 1000}' >"$dir/lat-warm"

for _ in $(seq 1 "$N_DOCKER"); do
    t=$(date +%s%N)
    docker run --rm --network none sbx/python python3 -c 'print("hello")' \
        >/dev/null
    ms "$t"
done >"$dir/lat-docker"

# the distribution's interpreter, not a wrapper (pyenv shims and the like)
py=/usr/bin/python3
[[ -x $py ]] || py=$(command -v python3)

for _ in $(seq 1 "$N_LAT"); do
    t=$(date +%s%N)
    "$py" -c 'print("hello")' >/dev/null
    ms "$t"
done >"$dir/lat-bare"

n50=$(pct 50 <"$dir/lat-nginx"); n99=$(pct 99 <"$dir/lat-nginx")
w50=$(pct 50 <"$dir/lat-warm"); w99=$(pct 99 <"$dir/lat-warm")
d50=$(pct 50 <"$dir/lat-docker"); d99=$(pct 99 <"$dir/lat-docker")
b50=$(pct 50 <"$dir/lat-bare"); b99=$(pct 99 <"$dir/lat-bare")

printf '%-38s %8s %8s\n' "" "p50 ms" "p99 ms"
printf '%-38s %8d %8d\n' "nginx -> runner -> new container" "$n50" "$n99"
printf '%-38s %8d %8d\n' "nginx -> runner -> warm container" "$w50" "$w99"
printf '%-38s %8d %8d\n' "docker run --rm" "$d50" "$d99"
printf '%-38s %8d %8d\n' "bare process" "$b50" "$b99"
awk -v n="$n50" -v w="$w50" -v d="$d50" -v b="$b50" 'BEGIN {
    printf "ratios (p50): new/docker-run %.2f, warm/docker-run %.2f, " \
           "warm/bare %.1f\n", n / d, w / d, w / (b ? b : 1) }'

echo "== 2. sustained throughput, 8 clients"

tools/load "$url/submissions" "$N_TPUT" 8 | tee "$dir/tput" | grep -E '/s|p50'
echo "(with 4 warm containers; under sustained load the pool runs dry)"
tools/load "$url/warm/submissions" "$N_TPUT" 8 | grep -E '/s|p50'

t=$(date +%s%N)
seq 1 "$N_TPUT" | xargs -P 8 -I{} docker run --rm --network none \
    sbx/python python3 -c 'print("hello")' >/dev/null
secs=$(awk -v ms="$(ms "$t")" 'BEGIN { print ms / 1000 }')

ours=$(sed -n 's/.* (\([0-9.]*\)\/s).*/\1/p' "$dir/tput")
awk -v n="$N_TPUT" -v s="$secs" -v o="$ours" 'BEGIN {
    c = n / s
    printf "docker run --rm, 8 at a time: %.1f containers/s\n", c
    printf "ratio: submissions/s over the docker run ceiling %.2f\n", o / c }'

echo "== 3. bad input, refused by the module"

cat >"$dir/bad.lua" <<'EOL'
wrk.method = "POST"
wrk.body = '{"language": "python", "source": '
wrk.headers["Content-Type"] = "application/json"
EOL
wrk -t2 -c50 -d5s -s "$dir/bad.lua" "$url/submissions" | tee "$dir/wrk" \
    | grep -E 'Requests/sec|Non-2xx|Latency'
curl -s -o /dev/null -w 'status of one such request: %{http_code}\n' \
    "$url/submissions" -H 'Content-Type: application/json' \
    -d '{"language": "python", "source": '

echo "== 4. load: $N_LOAD submissions from 50 clients"

rss() { awk '/^VmRSS/ { print $2 }' "/proc/$runner/status"; }
rss0=$(rss)

tools/load "$url/submissions" "$N_LOAD" 50

sleep 2
rss1=$(rss)
left=$(docker ps -aq --filter label=org.sandbox.runner=bench | wc -l)

echo "runner RSS: $rss0 KiB before, $rss1 KiB after"
echo "containers left: $left"

[[ $left -eq 0 ]] || { echo "bench: FAIL: containers left behind"; exit 1; }

# results of 1000 jobs stay stored (TTL): allow for them, not for a leak
if (( rss1 > rss0 + 16384 )); then
    echo "bench: FAIL: the runner grew by $((rss1 - rss0)) KiB"
    exit 1
fi

echo "== 5. one runner and three, $N_TPUT submissions from 8 clients"

one=$(tools/load "$url/submissions" "$N_TPUT" 8 \
      | sed -n 's/.* (\([0-9.]*\)\/s).*/\1/p')
three=$(tools/load "$url/three/submissions" "$N_TPUT" 8 \
        | sed -n 's/.* (\([0-9.]*\)\/s).*/\1/p')
awk -v a="$one" -v b="$three" 'BEGIN {
    printf "one runner: %s/s, three runners (TLS, one dockerd): %s/s, " \
           "ratio %.2f\n", a, b, b / (a ? a : 1) }'

echo "bench: ok"
