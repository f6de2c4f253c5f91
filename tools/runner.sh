#!/usr/bin/env bash
# The one place that says how this tree's sandbox-runner is started: its
# language table, its sandbox-init, a socket, a state directory and a
# runner id.  tools/test-t.sh, tools/run.sh, tools/bench.sh and the t/
# suites' runners of their own (t/lib/Sbx/Test.pm) all start it here.
#
#   tools/runner.sh ID SOCKET STATE-DIR [FLAG…]
#       execs build/sandbox-runner (same pid: signals reach the runner);
#       the socket is 0666 unless a FLAG says --socket-mode
#
#   . tools/runner.sh
#   runner_listens SOCKET
#       whether a runner accepts connections on SOCKET
#   runner_start ID SOCKET STATE-DIR [FLAG…]
#       the same in the background, its pid in $runner_pid; returns once
#       the socket accepts connections, or fails (with the end of a
#       --log-file) if the runner exits or is not up within 10 s

sbx_top=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# the sandbox's own Docker engine (tools/dockerd.sh), unless
# SBX_DOCKER_SOCKET names another; docker commands of the callers too
export SBX_DOCKER_SOCKET=${SBX_DOCKER_SOCKET:-/run/sandbox-docker.sock}
export DOCKER_HOST=unix://$SBX_DOCKER_SOCKET

# runner_listens SOCKET: something accepts connections there (the runner
# speaks SBX/1, not HTTP: connecting is all that is asked of it)
runner_listens() {
    perl -MIO::Socket::UNIX -e \
        'IO::Socket::UNIX->new(Peer => $ARGV[0]) or exit 1' "$1"
}

runner_start() {
    local sock=$2 log= a prev=

    for a in "$@"; do
        [[ $prev == --log-file ]] && log=$a
        prev=$a
    done

    "$sbx_top/tools/runner.sh" "$@" &
    runner_pid=$!

    # the socket file may be a stale one: wait until it answers
    local end=$((SECONDS + 10))

    while ((SECONDS < end)); do
        runner_listens "$sock" && return 0
        kill -0 "$runner_pid" 2>/dev/null || break
        sleep 0.1
    done

    echo "runner $1 did not start${log:+:}" >&2
    [[ -n $log ]] && tail -20 "$log" >&2
    return 1
}

# sourced: only the functions
[[ ${BASH_SOURCE[0]} != "$0" ]] && return 0

set -euo pipefail

if [[ $# -lt 3 ]]; then
    echo "usage: $0 ID SOCKET STATE-DIR [FLAG…]" >&2
    exit 2
fi

id=$1 sock=$2 state=$3
shift 3

mode=(--socket-mode 0666)
for a in "$@"; do
    [[ $a == --socket-mode ]] && mode=()
done

exec "$sbx_top/build/sandbox-runner" \
    --listen "unix:$sock" "${mode[@]}" \
    --languages "$sbx_top/runner/languages.json" \
    --init "$sbx_top/build/sandbox-init" \
    --docker-socket "$SBX_DOCKER_SOCKET" \
    --state-dir "$state" --runner-id "$id" "$@"
