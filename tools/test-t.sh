#!/usr/bin/env bash
# Runs the t/ suites against real nginx, the built module, a real
# sandbox-runner and dockerd: starts the runner(s), runs prove, stops
# them, and fails if any container of theirs is left behind.
#
#   TEST_FILES="t/001-submit.t …"   run only these
#   SBX_TEST_TAG=name               another directory (build/name), runner
#                                   ids and port, so that two runs can
#                                   share a machine
#   TEST_NGINX_LIB=/path            the CPAN Test::Nginx instead of t/lib's
#   TEST_NGINX_BINARY=/path         another nginx (default /usr/sbin/nginx)
#   TEST_NGINX_LOAD_MODULES=        no load_module: the module is static
#   PROVE_FLAGS=-v                  more from prove
set -euo pipefail
cd "$(dirname "$0")/.."

top=$PWD
tag=${SBX_TEST_TAG:-test}
dir=$top/build/$tag
rm -rf "$dir"
mkdir -p "$dir"


pids=()

# uids: each run its own thousand, each runner its own hundred, so that
# RLIMIT_NPROC (per uid, host-wide) is never shared between runners
uid_base=$((100000 + $(printf '%s' "$tag" | cksum | cut -d' ' -f1) % 500 * 1000))
export SBX_TEST_UID_BASE=$uid_base

. tools/runner.sh

# start_runner NAME EXTRA-FLAGS...: a runner on $dir/NAME.sock
start_runner() {
    local name=$1 rc=0
    shift
    runner_start "$tag-$name" "$dir/$name.sock" "$dir/state-$name" \
        --log-file "$dir/$name.log" --log-level debug "$@" || rc=$?
    pids+=("$runner_pid")
    return "$rc"
}

stop_runners() {
    local p
    for p in "${pids[@]}"; do
        kill -TERM "$p" 2>/dev/null || true
    done
    for p in "${pids[@]}"; do
        wait "$p" 2>/dev/null || true
    done
}
trap stop_runners EXIT

start_runner main --uid-base "$uid_base" --uid-count 100
# a one-worker runner with a short queue, for queue-full and order tests
start_runner small --workers 1 --queue-size 3 \
    --uid-base $((uid_base + 100)) --uid-count 100

export TEST_NGINX_BINARY=${TEST_NGINX_BINARY:-/usr/sbin/nginx}
# set and empty: none (an nginx with the module compiled in)
export TEST_NGINX_LOAD_MODULES=${TEST_NGINX_LOAD_MODULES-$top/build/ngx_http_sandbox_module.so}
export TEST_NGINX_SANDBOX_SOCKET=$dir/main.sock
export TEST_NGINX_SANDBOX_SMALL_SOCKET=$dir/small.sock
export TEST_NGINX_SERVER_PORT=${TEST_NGINX_SERVER_PORT:-$((19841 + $(printf '%s' "$tag" | cksum | cut -d' ' -f1) % 1000))}
export TEST_NGINX_SERVROOT=$dir/servroot
export SBX_TEST_DIR=$dir SBX_TEST_TAG=$tag
# the test double's suite (t/050-test-double.t) starts its own, as
# docs/testing.md says, from these
export SANDBOX_RUNNER=$top/build/sandbox-runner
export SANDBOX_LANGUAGES=$top/runner/languages.json

# TEST_NGINX_LIB=/path/to/test-nginx/lib runs the same files under the
# CPAN Test::Nginx instead of t/lib's harness (t/lib still provides Sbx::)
inc=(-I"$top/t/lib")
[[ -n ${TEST_NGINX_LIB:-} ]] && inc=(-I"$TEST_NGINX_LIB" "${inc[@]}")

rc=0
prove ${PROVE_FLAGS:-} "${inc[@]}" -r ${TEST_FILES:-t/} || rc=$?

stop_runners
trap - EXIT

# every runner of this run, the suites' own included, labels "$tag-…"
left=$(docker ps -a --filter label=org.sandbox.runner \
           --format '{{.Label "org.sandbox.runner"}}' | grep -c "^$tag-" || true)
if [[ $left -ne 0 ]]; then
    echo "test: $left containers left behind" >&2
    rc=1
fi

exit $rc
