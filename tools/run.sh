#!/usr/bin/env bash
# Serves the API on 127.0.0.1:8080 in the foreground: sandbox-runner on
# /run/sandbox-runner.sock, then Debian's nginx with the built module and
# nginx.conf.example.  Ctrl-C stops both.
set -euo pipefail
cd "$(dirname "$0")/.."

top=$PWD
sock=/run/sandbox-runner.sock
mkdir -p build/run

# rest.http's 413 example sends this: larger than client_max_body_size
if [[ ! -f build/run/big-submission.json ]]; then
    { printf '{"language":"python","source":"'
      head -c 2097152 /dev/zero | tr '\0' '#'
      printf '"}'; } >build/run/big-submission.json
fi

. tools/runner.sh

if [[ -S $sock ]] && runner_listens "$sock"; then
    echo "run: a runner already listens on $sock; stop it first" >&2
    exit 1
fi

# Ctrl-C reaches the whole foreground process group, so the runner has
# already begun its graceful shutdown (running jobs may finish within
# --shutdown-grace): signalling it again would mean "kill them now".
# A second Ctrl-C still does that.
stop() {
    local runner=${runner_pid:-}
    trap - INT TERM EXIT
    [[ -n ${nginx:-} ]] && kill -QUIT "$nginx" 2>/dev/null || true
    [[ -n $runner ]] || return 0
    [[ $1 == INT ]] || kill -TERM "$runner" 2>/dev/null || true
    for _ in $(seq 1 350); do
        kill -0 "$runner" 2>/dev/null || break
        sleep 0.1
    done
    kill -TERM "$runner" 2>/dev/null || true
    wait 2>/dev/null || true
}
trap 'stop INT' INT
trap 'stop TERM' TERM EXIT

runner_start run "$sock" /var/lib/sandbox-runner \
    --socket-mode 0660 --socket-group www-data \
    --warm python:2,javascript:1 || exit 1

echo "serving on http://127.0.0.1:8080  (try: curl -s" \
     "127.0.0.1:8080/submissions -d '{\"language\":\"python\"," \
     "\"source\":\"print(6*7)\"}')"

"${NGINX:-/usr/sbin/nginx}" -p "$top/" -c "$top/nginx.conf.example" \
    -g 'daemon off;' &
nginx=$!
wait "$nginx"
