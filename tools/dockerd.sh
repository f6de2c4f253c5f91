#!/usr/bin/env bash
# dockerd.sh [start|stop|socket]: the Docker engine dedicated to the
# sandbox.
#
# The sandbox gets an engine of its own rather than the host's default
# one, so that its daemon can be configured for untrusted code without
# changing anything else on the host:
#
#   --userns-remap   container root is not host root: uid 0 in a container
#                    is the first uid of sandbox-remap's subordinate range
#                    (and the runner's per-container uids are the ones
#                    after it), so a process that escapes its container is
#                    an unprivileged nobody on the host
#   --bridge=none, --iptables=false, --ip-masq=false
#                    containers use NetworkMode "none": no bridge, no
#                    firewall rules of Docker's on the host
#
# and its own socket, data root, exec root (and so its own containerd) and
# pid file, so that it never meets the default engine's state.
#
#   start   (default) creates the remap user and its /etc/subuid and
#           /etc/subgid ranges when missing, starts the engine unless it
#           already answers, and waits for it; idempotent
#   stop    sends SIGTERM to the engine (t/099-docker-restart.t) and
#           returns at once
#   socket  prints the socket path
#   pid     prints the engine's pid, if it is this script's and running
#
# Environment (defaults):
#   SBX_DOCKER_SOCKET     /run/sandbox-docker.sock
#   SBX_DOCKER_ROOT       /var/lib/sandbox-docker
#   SBX_DOCKER_EXEC_ROOT  /run/sandbox-docker
#   SBX_REMAP_USER        sandbox-remap
#   SBX_REMAP_START       1000000000  first host uid/gid of the range
#   SBX_REMAP_COUNT       1048576     container ids 0..COUNT-1 are mapped:
#                         the runner's --uid-base + --uid-count must fit
set -euo pipefail

sock=${SBX_DOCKER_SOCKET:-/run/sandbox-docker.sock}
data_root=${SBX_DOCKER_ROOT:-/var/lib/sandbox-docker}
exec_root=${SBX_DOCKER_EXEC_ROOT:-/run/sandbox-docker}
pidfile=$exec_root.pid
user=${SBX_REMAP_USER:-sandbox-remap}
start=${SBX_REMAP_START:-1000000000}
count=${SBX_REMAP_COUNT:-1048576}
log=/var/log/sandbox-docker.log

up() { docker -H "unix://$sock" info >/dev/null 2>&1; }

need_root() {
    if [[ $(id -u) -ne 0 ]]; then
        echo "dockerd: $1 needs root" >&2
        exit 1
    fi
}

# One line "USER:START:COUNT" in FILE, unless USER already has one there:
# an operator's own range is kept as it is.
subid() {
    local file=$1
    touch "$file"
    if ! grep -q "^$user:" "$file"; then
        echo "$user:$start:$count" >>"$file"
        echo "dockerd: $file: $user:$start:$count"
    fi
}

remap_user() {
    if ! getent group "$user" >/dev/null; then
        groupadd --system "$user"
    fi
    if ! getent passwd "$user" >/dev/null; then
        useradd --system --gid "$user" --no-create-home \
            --home-dir /nonexistent --shell /usr/sbin/nologin "$user"
    fi
    subid /etc/subuid
    subid /etc/subgid
}

case ${1:-start} in
socket)
    echo "$sock"
    exit 0
    ;;
pid)
    # empty when the engine is not ours or not running
    if [[ -s $pidfile ]] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
        cat "$pidfile"
    fi
    exit 0
    ;;
stop)
    need_root "stopping the engine"
    if [[ -s $pidfile ]] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
        kill -TERM "$(cat "$pidfile")"
    fi
    exit 0
    ;;
start)
    ;;
*)
    echo "usage: $0 [start|stop|socket|pid]" >&2
    exit 2
    ;;
esac

if up; then
    # an engine of the operator's (SBX_DOCKER_SOCKET) is used as it is
    if ! docker -H "unix://$sock" info --format '{{.SecurityOptions}}' |
            grep -q 'name=userns'; then
        echo "dockerd: warning: the engine on $sock runs without" \
             "--userns-remap: container root is host root" >&2
    fi
    exit 0
fi
need_root "starting the engine"
remap_user

# a previous engine still shutting down (stop does not wait) would refuse
# our pid file
if [[ -s $pidfile ]]; then
    old=$(cat "$pidfile")
    for _ in $(seq 1 600); do
        kill -0 "$old" 2>/dev/null || break
        sleep 0.1
    done
fi

echo "dockerd: starting the sandbox's engine on $sock (log: $log)"
mkdir -p "$data_root" "$exec_root"
setsid dockerd \
    --host "unix://$sock" --data-root "$data_root" \
    --exec-root "$exec_root" --pidfile "$pidfile" \
    --userns-remap "$user:$user" \
    --bridge=none --iptables=false --ip-masq=false \
    >>"$log" 2>&1 </dev/null &

for _ in $(seq 1 120); do
    up && exit 0
    sleep 0.5
done

echo "dockerd: did not come up; last lines of $log:" >&2
tail -20 "$log" >&2
exit 1
