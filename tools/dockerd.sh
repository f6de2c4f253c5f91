#!/usr/bin/env bash
# Makes sure a Docker engine answers on /var/run/docker.sock, starting
# dockerd when none runs.  Containers use NetworkMode "none", so the
# engine needs no bridge and no iptables rules.
set -euo pipefail

if docker info >/dev/null 2>&1; then
    exit 0
fi

if [[ $(id -u) -ne 0 ]]; then
    echo "dockerd: not running, and starting it needs root" >&2
    exit 1
fi

log=/var/log/sandbox-dockerd.log
echo "dockerd: starting (log: $log)"
setsid dockerd --bridge=none --iptables=false --ip-masq=false \
    >>"$log" 2>&1 </dev/null &

for _ in $(seq 1 60); do
    if docker info >/dev/null 2>&1; then
        exit 0
    fi
    sleep 0.5
done

echo "dockerd: did not come up; last lines of $log:" >&2
tail -20 "$log" >&2
exit 1
