#!/usr/bin/env bash
# make soak: a bounded run at about the host's capacity, through nginx
# with the built module and a real runner, that must leave nothing
# behind and grow nothing without bound.
#
#   SOAK_MINUTES   how long the load runs (default 30)
#   SOAK_CLIENTS   clients submitting at once (default 4 x cores: the
#                  runner runs 2 x cores containers, the rest queue)
#   SOAK_INTERVAL  seconds between samples (default 5)
#   SOAK_PORT      nginx's port on 127.0.0.1 (default 18095)
#   SOAK_RSS_SLACK_MB, SOAK_FD_SLACK
#                  growth allowed before "still rising" counts (32, 32)
#
# The load (tools/soak-load) mixes ordinary programs in Python,
# JavaScript, C, Go, Java and Bash with hostile ones (fork bomb, memory
# hog, endless loop, sleeper, output flood, crash); the runner keeps
# warm containers for Python and JavaScript and a queue of one job per
# core, so that a burst is refused with 503 as it would be in service.
# Every SOAK_INTERVAL seconds a sample records the answers so far, the
# RSS and open fds of the runner and of nginx (master and workers
# summed), and the runner's containers.
#
# Afterwards build/soak/ holds report.md (tools/soak-report says what
# fails and why), chart.png (latency, RSS, fds and containers over
# time) and the raw data.  Exit status 1 when the soak fails.
set -euo pipefail
cd "$(dirname "$0")/.."

top=$PWD
dir=$top/build/soak

minutes=${SOAK_MINUTES:-30}
cores=$(nproc)
clients=${SOAK_CLIENTS:-$((cores * 4))}
interval=${SOAK_INTERVAL:-5}
port=${SOAK_PORT:-18095}
url=http://127.0.0.1:$port
warm=python:2,javascript:2
warm_n=4
queue=$cores
id=soak

for v in minutes clients interval port; do
    [[ ${!v} =~ ^[0-9]+$ && ${!v} -gt 0 ]] || {
        echo "soak: $v must be a positive integer, not '${!v}'" >&2
        exit 2
    }
done

nginx_bin=${NGINX:-/usr/sbin/nginx}

# the chart's only need, and make test does not have it
if ! command -v gnuplot >/dev/null; then
    if [[ $(id -u) -ne 0 ]]; then
        echo "soak: gnuplot is missing (apt-get install gnuplot-nox)" >&2
        exit 1
    fi
    echo "soak: installing gnuplot-nox"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
        --no-install-recommends gnuplot-nox >/dev/null
fi

rm -rf "$dir"
mkdir -p "$dir"

load= sampler= runner= runner_pid=

cleanup() {
    local pids=(${load:-} ${sampler:-} ${runner:-${runner_pid:-}})

    "$nginx_bin" -p "$dir/" -c "$dir/nginx.conf" -s quit 2>/dev/null || true
    if ((${#pids[@]})); then
        kill -TERM "${pids[@]}" 2>/dev/null || true
        wait "${pids[@]}" 2>/dev/null || true
    fi
    return 0
}
trap cleanup EXIT

. tools/runner.sh

# results live 60 s, not an hour: the store reaches its steady size
# early, and what grows after that is a leak, not stored results
runner_start "$id" "$dir/runner.sock" "$dir/state" \
    --warm "$warm" --queue-size "$queue" --result-ttl 60 \
    --uid-base 60000 --uid-count 1000 --log-file "$dir/runner.log"
runner=$runner_pid runner_pid=

cat >"$dir/nginx.conf" <<EOC
load_module $top/build/ngx_http_sandbox_module.so;
worker_processes 2;
error_log $dir/error.log warn;
pid $dir/nginx.pid;
events { worker_connections 1024; }
http {
    access_log off;
    upstream runner { server unix:$dir/runner.sock; keepalive 32; }
    server {
        listen 127.0.0.1:$port;
        location / {
            sandbox_pass runner;
            sandbox_read_timeout 300s;
        }
    }
}
EOC

"$nginx_bin" -p "$dir/" -c "$dir/nginx.conf"

for _ in $(seq 1 100); do
    curl -sf "$url/health" >/dev/null && break
    sleep 0.1
done

# the runner's containers; -1 when the engine does not answer (a sample
# must not end the sampler)
containers() {
    local ids

    ids=$(docker ps -aq --filter "label=org.sandbox.runner=$id") \
        || { echo -1; return 0; }
    [[ -z $ids ]] && echo 0 || wc -l <<<"$ids"
}

# rss KiB and open fds of the pids given, summed
usage() {
    local rss=0 fds=0 p r

    for p in "$@"; do
        r=$(awk '/^VmRSS/ { print $2 }' "/proc/$p/status" 2>/dev/null) \
            || continue
        rss=$((rss + ${r:-0}))
        fds=$((fds + $(ls "/proc/$p/fd" 2>/dev/null | wc -l)))
    done

    echo "$rss $fds"
}

# one line of samples.tsv: time, answers so far, runner rss and fds,
# nginx rss and fds, containers
sample() {
    local master r n

    master=$(cat "$dir/nginx.pid")
    r=$(usage "$runner")
    n=$(usage "$master" $(pgrep -P "$master"))
    printf '%s\t%s\t%s\t%s\t%s\n' "$(date +%s.%N)" \
        "$(cat "$dir/requests.tsv" 2>/dev/null | wc -l)" \
        "${r// /$'\t'}" "${n// /$'\t'}" "$(containers)"
}

echo "== soak: each program once"
tools/soak-load --once "$url/submissions" | tee "$dir/probe.txt"

{
    printf 'time\tanswers\trunner_rss_kb\trunner_fds\tnginx_rss_kb'
    printf '\tnginx_fds\tcontainers\n'
} >"$dir/samples.tsv"
: >"$dir/requests.tsv"

echo "== soak: $minutes min, $clients clients, a sample every ${interval} s"

t0=$(date +%s.%N)
sample >>"$dir/samples.tsv"

tools/soak-load "$url/submissions" "$((minutes * 60))" "$clients" \
    "$dir/requests.tsv" &
load=$!

(
    trap 'exit 0' TERM
    while sleep "$interval"; do
        sample >>"$dir/samples.tsv"
        tail -1 "$dir/samples.tsv" | awk -v t0="$t0" '{
            printf "  %5d s  %6d answers  runner %6.1f MiB %4d fds" \
                   "  nginx %6.1f MiB %4d fds  %3d containers\n",
                   $1 - t0, $2, $3 / 1024, $4, $5 / 1024, $6, $7 }'
    done
) &
sampler=$!

load_rc=0
wait "$load" || load_rc=$?
load=
t1=$(date +%s.%N)
kill -TERM "$sampler" 2>/dev/null || true
wait "$sampler" 2>/dev/null || true
sampler=

# every answer is in; what runs now is the warm pool refilling
end=$((SECONDS + 60))
while (( $(containers) > warm_n && SECONDS < end )); do
    sleep 1
done
sleep 2
sample >>"$dir/samples.tsv"
idle=$(containers)

runner_alive=1
kill -0 "$runner" 2>/dev/null || runner_alive=0

# the runner's SIGTERM takes its warm containers with it
runner_rc=0
kill -TERM "$runner" 2>/dev/null || true
wait "$runner" || runner_rc=$?
runner=
left=$(containers)
if ((left > 0)); then
    docker ps -a --filter "label=org.sandbox.runner=$id" >"$dir/left.txt"
    docker ps -aq --filter "label=org.sandbox.runner=$id" \
        | xargs -r docker rm -f >/dev/null
fi

"$nginx_bin" -p "$dir/" -c "$dir/nginx.conf" -s quit 2>/dev/null

cat >"$dir/facts.tsv" <<EOF
minutes	$minutes
clients	$clients
cores	$cores
interval	$interval
workers	$((cores * 2))
queue	$queue
warm	$warm
warm_n	$warm_n
t0	$t0
t1	$t1
load_rc	$load_rc
containers_idle	$idle
containers_left	$left
runner_alive	$runner_alive
runner_rc	$runner_rc
runner_errors	$(grep -c '^[^ ]* error ' "$dir/runner.log" || true)
nginx_crashes	$(grep -c 'exited on signal' "$dir/error.log" || true)
nginx_alerts	$(grep -cE '\[(alert|crit|emerg)\]' "$dir/error.log" || true)
state_kb	$(du -sk "$dir/state" | cut -f1)
rss_slack_mb	${SOAK_RSS_SLACK_MB:-32}
fd_slack	${SOAK_FD_SLACK:-32}
EOF

rc=0
tools/soak-report "$dir" || rc=$?

if ! gnuplot -e "dir='$dir'" tools/soak.gp 2>"$dir/gnuplot.log"; then
    printf '\nFAIL: the chart could not be drawn (gnuplot.log)\n' \
        >>"$dir/report.md"
    rc=1
fi

echo "soak: report in $dir/report.md, chart in $dir/chart.png"
exit "$rc"
