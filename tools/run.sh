#!/usr/bin/env bash
# Serves the API on 127.0.0.1:8080 in the foreground: sandbox-runner on
# /run/sandbox-runner.sock, then Debian's nginx with the built module and
# nginx.conf.example.  Ctrl-C stops both.
set -euo pipefail
cd "$(dirname "$0")/.."

top=$PWD
sock=/run/sandbox-runner.sock
# the sandbox's own Docker engine (tools/dockerd.sh), or SBX_DOCKER_SOCKET
docker_socket=${SBX_DOCKER_SOCKET:-/run/sandbox-docker.sock}
export SBX_DOCKER_SOCKET=$docker_socket DOCKER_HOST=unix://$docker_socket
mkdir -p build/run

# rest.http's 413 example sends this: larger than client_max_body_size
if [[ ! -f build/run/big-submission.json ]]; then
    { printf '{"language":"python","source":"'
      head -c 2097152 /dev/zero | tr '\0' '#'
      printf '"}'; } >build/run/big-submission.json
fi

if [[ -S $sock ]] && curl -s --unix-socket "$sock" http://x/ >/dev/null 2>&1
then
    echo "run: a runner already listens on $sock; stop it first" >&2
    exit 1
fi

build/sandbox-runner \
    --listen "unix:$sock" --socket-mode 0660 --socket-group www-data \
    --languages runner/languages.json --init build/sandbox-init \
    --docker-socket "$docker_socket" \
    --state-dir /var/lib/sandbox-runner --runner-id run \
    --warm python:2,javascript:1 &
runner=$!

# Ctrl-C reaches the whole foreground process group, so the runner has
# already begun its graceful shutdown (running jobs may finish within
# --shutdown-grace): signalling it again would mean "kill them now".
# A second Ctrl-C still does that.
stop() {
    trap - INT TERM EXIT
    [[ -n ${nginx:-} ]] && kill -QUIT "$nginx" 2>/dev/null || true
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

for _ in $(seq 1 100); do
    [[ -S $sock ]] && break
    if ! kill -0 "$runner" 2>/dev/null; then
        echo "run: sandbox-runner exited" >&2
        exit 1
    fi
    sleep 0.1
done

echo "serving on http://127.0.0.1:8080  (try: curl -s" \
     "127.0.0.1:8080/submissions -d '{\"language\":\"python\"," \
     "\"source\":\"print(6*7)\"}')"

"${NGINX:-/usr/sbin/nginx}" -p "$top/" -c "$top/nginx.conf.example" \
    -g 'daemon off;' &
nginx=$!
wait "$nginx"
