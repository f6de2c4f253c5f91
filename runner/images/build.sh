#!/usr/bin/env bash
# build.sh NAME...|all — builds the language images sbx/NAME:latest
#
# No image registry is assumed: every image is made from Debian packages.
#
#   1. debootstrap --variant=minbase once, cached as a tarball
#      (base-<hash>.tar) in the cache directory;
#   2. per image: unpack the base into a temporary root, apt-get install
#      the recipe's packages in a chroot (NAME.recipe), clean the tree,
#      strip every setuid/setgid bit, and `docker import` it, labelled
#      with org.sandbox.recipe=<hash of build.sh + base.recipe + recipe>;
#   3. an image whose label already carries that hash is skipped, so a
#      second run takes seconds.
#
# The imported tree is kept as rootfs/NAME-<hash>.tar in the cache: the
# up-to-date check asks the engine being filled, and an engine that lacks
# an image whose tarball is cached (a new engine, a wiped data root) only
# gets it imported, without debootstrap or apt.
#
# Images go into the engine that DOCKER_HOST names, by default the
# sandbox's own (tools/dockerd.sh): unix:///run/sandbox-docker.sock.
#
# Images build in parallel.  They share one directory of downloaded .deb
# files; downloads are serialised by a lock (they overlap with the other
# images' unpacking) and each chroot gets hard links to the cached files,
# so nothing is bind-mounted into a chroot.
#
# Environment:
#   SBX_IMAGES_CACHE      cache and scratch dir   (default: <repo>/build/images)
#   SBX_IMAGES_JOBS       images built at once    (default: 3)
#   SBX_DEBIAN_MIRROR     Debian mirror URL       (default: the host's apt
#                         source for Debian, else http://deb.debian.org/debian)
#   SBX_DEBIAN_SECURITY   security mirror URL, or "none"
#                         (default: the host's, else deb.debian.org)
#   SBX_LISTS_MAX_AGE     seconds the cached apt lists stay fresh (600)
#   DOCKER_HOST           the engine to fill (default: unix:// and
#                         SBX_DOCKER_SOCKET, else /run/sandbox-docker.sock)
#
# Needs root, debootstrap and a Docker engine.  Exits non-zero, naming the
# image and showing the end of its log, when anything fails.

set -Eeuo pipefail
shopt -s nullglob

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
self="$here/$(basename "${BASH_SOURCE[0]}")"

CACHE=${SBX_IMAGES_CACHE:-$repo/build/images}
JOBS=${SBX_IMAGES_JOBS:-3}
LISTS_MAX_AGE=${SBX_LISTS_MAX_AGE:-600}
LANGUAGES_JSON=$repo/runner/languages.json
CHROOT_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export DOCKER_HOST=${DOCKER_HOST:-unix://${SBX_DOCKER_SOCKET:-/run/sandbox-docker.sock}}

log() { printf 'images: %s\n' "$*" >&2; }
die() { log "error: $*"; exit 1; }

usage() {
    cat >&2 <<EOF
usage: $0 NAME...|all
  builds sbx/NAME:latest from $here/NAME.recipe;
  all = every sbx/ image that runner/languages.json references
EOF
    exit 2
}

# --- host mirror ---------------------------------------------------------

# The URIs of the host's apt sources, one a line, comments dropped.
host_uris() {
    local f
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list \
             /etc/apt/sources.list.d/*.sources; do
        [[ -r $f ]] || continue
        sed 's/#.*//' "$f" | grep -Eo '(https?|file)://[^][ ]+' || true
    done
}

pick_mirrors() {
    local uris
    uris=$(host_uris)
    if [[ -z ${SBX_DEBIAN_MIRROR:-} ]]; then
        SBX_DEBIAN_MIRROR=$(grep -E '/debian/?$' <<<"$uris" | head -1 || true)
        SBX_DEBIAN_MIRROR=${SBX_DEBIAN_MIRROR:-http://deb.debian.org/debian}
    fi
    if [[ -z ${SBX_DEBIAN_SECURITY:-} ]]; then
        SBX_DEBIAN_SECURITY=$(grep -E '/debian-security/?$' <<<"$uris" \
                              | head -1 || true)
        SBX_DEBIAN_SECURITY=${SBX_DEBIAN_SECURITY:-http://deb.debian.org/debian-security}
    fi
    SBX_DEBIAN_MIRROR=${SBX_DEBIAN_MIRROR%/}
    SBX_DEBIAN_SECURITY=${SBX_DEBIAN_SECURITY%/}
}

write_sources() {
    local root=$1
    {
        echo "deb $SBX_DEBIAN_MIRROR $SUITE main"
        echo "deb $SBX_DEBIAN_MIRROR $SUITE-updates main"
        if [[ $SBX_DEBIAN_SECURITY != none ]]; then
            echo "deb $SBX_DEBIAN_SECURITY $SUITE-security main"
        fi
    } >"$root/etc/apt/sources.list"
    rm -f "$root"/etc/apt/sources.list.d/*
}

# --- chroot helpers ------------------------------------------------------

# in_root ROOT CMD...: runs CMD in the chroot with a clean environment.
in_root() {
    local root=$1 v proxies=()
    shift
    for v in http_proxy https_proxy no_proxy HTTP_PROXY HTTPS_PROXY NO_PROXY; do
        [[ -z ${!v:-} ]] || proxies+=("$v=${!v}")
    done
    env -i PATH="$CHROOT_PATH" HOME=/root LANG=C.UTF-8 \
        DEBIAN_FRONTEND=noninteractive DEBCONF_NONINTERACTIVE_SEEN=true \
        "${proxies[@]}" chroot "$root" "$@"
}

# Everything mounted at or below ROOT, deepest first.
mounts_under() {
    local root
    root=$(realpath -m "$1")
    awk -v r="$root" '$2 == r || index($2, r "/") == 1 { print $2 }' \
        /proc/self/mounts | sort -r
}

# Removes a scratch tree, but never while anything is mounted in it.
remove_tree() {
    local dir=$1 m
    [[ -e $dir ]] || return 0
    for m in $(mounts_under "$dir"); do
        umount "$m" 2>/dev/null || umount -l "$m" || true
    done
    if [[ -n $(mounts_under "$dir") ]]; then
        log "warning: $dir still has mounts; left in place"
        return 1
    fi
    rm -rf --one-file-system "$dir"
}

# Makes a chroot usable for apt: resolver, no service starts.
prepare_root() {
    local root=$1
    write_sources "$root"
    rm -f "$root/etc/resolv.conf"
    cp -L /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
    printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
    chmod 755 "$root/usr/sbin/policy-rc.d"
}

# --- hashes --------------------------------------------------------------

sha() { sha256sum | cut -c1-16; }

# The base depends on base.recipe and on the functions here that make it.
base_hash() {
    { cat "$here/base.recipe"; declare -f make_base; needs_ca; } | sha
}

# An https mirror needs ca-certificates in the chroots.
needs_ca() {
    if [[ $SBX_DEBIAN_MIRROR == https:* || $SBX_DEBIAN_SECURITY == https:* ]]
    then
        echo ca-certificates
    fi
}

recipe_hash() {
    local name=$1
    cat "$self" "$here/base.recipe" "$here/$name.recipe" | sha
}

# --- base ----------------------------------------------------------------

make_base() {
    local dir=$1 include
    include=$(needs_ca)
    debootstrap --variant="$VARIANT" --force-check-gpg \
        ${include:+--include="$include"} "$SUITE" "$dir" "$SBX_DEBIAN_MIRROR"
    base_setup "$dir"
    # debootstrap knows only $SUITE: apply $SUITE-security and -updates
    # once here rather than in every image.
    prepare_root "$dir"
    in_root "$dir" apt-get update
    in_root "$dir" apt-get dist-upgrade -y
    rm -rf "$dir"/var/lib/apt/lists/* "$dir"/var/cache/apt/archives/*.deb \
           "$dir"/var/log/* "$dir"/tmp/* "$dir"/var/tmp/* \
           "$dir"/var/cache/debconf/*-old "$dir"/var/lib/dpkg/*-old
    rm -f "$dir/etc/resolv.conf" "$dir/usr/sbin/policy-rc.d"
}

ensure_base() {
    local hash tar tmp start
    hash=$(base_hash)
    tar=$CACHE/base-$hash.tar
    BASE_TAR=$tar
    [[ -f $tar ]] && return 0

    start=$SECONDS
    tmp=$(mktemp -d "$CACHE/tmp.base.XXXXXX")
    log "base: debootstrap $SUITE from $SBX_DEBIAN_MIRROR (log: $CACHE/logs/base.log)"
    if ! (make_base "$tmp/root" && tar -C "$tmp/root" --numeric-owner \
            -cf "$tmp/base.tar" .) >"$CACHE/logs/base.log" 2>&1; then
        log "base: FAILED; last lines of $CACHE/logs/base.log:"
        tail -25 "$CACHE/logs/base.log" >&2
        remove_tree "$tmp"
        exit 1
    fi
    mv "$tmp/base.tar" "$tar"
    remove_tree "$tmp"
    local old
    for old in "$CACHE"/base-*.tar; do
        [[ $old == "$tar" ]] || rm -f "$old"
    done
    printf '%-8s built in %3ds  (debootstrap base)\n' base $((SECONDS - start))
}

# apt lists, refreshed at most once per LISTS_MAX_AGE, kept in $CACHE/lists
# and copied into each chroot (update with If-Modified-Since is cheap).
refresh_lists() {
    local stamp=$CACHE/lists/.stamp now tmp
    now=$(date +%s)
    if [[ -f $stamp ]] && (( now - $(stat -c %Y "$stamp") < LISTS_MAX_AGE )) \
       && [[ $(cat "$stamp") == "$(sources_key)" ]]; then
        return 0
    fi
    tmp=$(mktemp -d "$CACHE/tmp.lists.XXXXXX")
    if ! (
        mkdir -p "$tmp/root" "$CACHE/lists"
        tar -C "$tmp/root" -xf "$BASE_TAR"
        prepare_root "$tmp/root"
        cp -a "$CACHE/lists/." "$tmp/root/var/lib/apt/lists/"
        rm -f "$tmp/root/var/lib/apt/lists/.stamp"
        in_root "$tmp/root" apt-get update
        rm -rf "$CACHE/lists"
        mkdir -p "$CACHE/lists"
        cp -a "$tmp/root/var/lib/apt/lists/." "$CACHE/lists/"
        rm -rf "$CACHE/lists/partial" "$CACHE/lists/lock"
        sources_key >"$CACHE/lists/.stamp"
    ) >"$CACHE/logs/lists.log" 2>&1; then
        log "apt-get update FAILED; last lines of $CACHE/logs/lists.log:"
        tail -25 "$CACHE/logs/lists.log" >&2
        remove_tree "$tmp"
        exit 1
    fi
    remove_tree "$tmp"
}

sources_key() { echo "$SUITE $SBX_DEBIAN_MIRROR $SBX_DEBIAN_SECURITY"; }

# --- one image -----------------------------------------------------------

# Recipe variables and hooks, reset before each recipe is sourced.
reset_recipe() {
    PACKAGES=()
    NEEDS_PROC=0
    unset -f post_install versions 2>/dev/null || true
}

# The versions the recipe reports, as "id=version" words.
collect_versions() {
    local root=$1
    if declare -F versions >/dev/null; then
        versions "$root" | awk 'NF == 2 { printf "%s%s=%s", sep, $1, $2; sep="," }'
    fi
}

clean_root() {
    local root=$1
    rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/* \
           "$root"/var/cache/debconf/*-old "$root"/var/lib/dpkg/*-old \
           "$root"/var/log/* "$root"/tmp/* "$root"/var/tmp/* \
           "$root"/root/.[!.]* "$root"/usr/share/man/* \
           "$root"/usr/share/info/* "$root"/usr/share/lintian/*
    find "$root/usr/share/locale" -mindepth 1 -maxdepth 1 \
        -not -name locale.alias -exec rm -rf {} + 2>/dev/null || true
    find "$root/usr/share/doc" -mindepth 1 -not -type d \
        -not -name copyright -delete 2>/dev/null || true
    find "$root/usr/share/doc" -mindepth 1 -type d -empty -delete \
        2>/dev/null || true
    rm -f "$root/usr/sbin/policy-rc.d" \
          "$root/etc/dpkg/dpkg.cfg.d/02-sbx-unsafe-io"
    : >"$root/etc/resolv.conf"
    # Defence in depth: nothing in a sandbox may gain privileges.
    find "$root" -xdev -type f -perm /6000 -exec chmod ug-s {} +
    mkdir -p "$root/work" "$root/sbx"
    chmod 755 "$root/work" "$root/sbx"
}

build_one() {
    local name=$1 hash=$2 dir root proc_mounted=0
    dir=$(mktemp -d "$CACHE/tmp.$name.XXXXXX")
    root=$dir/root
    # shellcheck disable=SC2064 # expand now: $dir is local
    trap "remove_tree '$dir'" EXIT
    trap 'exit 130' INT TERM

    reset_recipe
    # shellcheck source=/dev/null
    source "$here/$name.recipe"
    ((${#PACKAGES[@]})) || { echo "$name.recipe sets no PACKAGES"; return 1; }

    mkdir -p "$root"
    tar -C "$root" -xf "$BASE_TAR"
    prepare_root "$root"
    cp -a "$CACHE/lists/." "$root/var/lib/apt/lists/"
    rm -f "$root/var/lib/apt/lists/.stamp"

    echo "== download: ${PACKAGES[*]} (at ${SECONDS}s)"
    (
        flock 9
        local debs=("$CACHE"/debs/*.deb)
        if ((${#debs[@]})); then
            cp -l -n "${debs[@]}" "$root/var/cache/apt/archives/" 2>/dev/null ||
                cp -n "${debs[@]}" "$root/var/cache/apt/archives/"
        fi
        in_root "$root" apt-get dist-upgrade -y --download-only
        in_root "$root" apt-get install -y --download-only "${PACKAGES[@]}"
        for f in "$root"/var/cache/apt/archives/*.deb; do
            [[ -e $CACHE/debs/${f##*/} ]] || ln "$f" "$CACHE/debs/" \
                2>/dev/null || cp "$f" "$CACHE/debs/"
        done
    ) 9>"$CACHE/debs/.lock"

    echo "== install (at ${SECONDS}s)"
    if ((NEEDS_PROC)); then
        mount -t proc proc "$root/proc"
        proc_mounted=1
    fi
    in_root "$root" apt-get dist-upgrade -y --no-download
    in_root "$root" apt-get install -y --no-download "${PACKAGES[@]}"
    if declare -F post_install >/dev/null; then
        echo "== post_install (at ${SECONDS}s)"
        post_install "$root"
    fi
    echo "== versions (at ${SECONDS}s)"
    local versions
    versions=$(collect_versions "$root")
    echo "${versions:-none}"
    if ((proc_mounted)); then
        umount "$root/proc" || umount -l "$root/proc"
    fi

    echo "== clean (at ${SECONDS}s)"
    clean_root "$root"
    du -sh --apparent-size "$root" | awk '{ print "size " $1 }'

    echo "== tarball (at ${SECONDS}s)"
    tar -C "$root" --numeric-owner -cf "$dir/rootfs.tar" .
    printf '%s\n' "$versions" >"$dir/versions"
    # versions first: a tarball without them is never taken as complete
    mv "$dir/versions" "$CACHE/rootfs/$name-$hash.versions"
    mv "$dir/rootfs.tar" "$CACHE/rootfs/$name-$hash.tar"
    local f
    for f in "$CACHE/rootfs/$name"-*.tar "$CACHE/rootfs/$name"-*.versions; do
        [[ ${f%.*} == "$CACHE/rootfs/$name-$hash" ]] || rm -f "$f"
    done

    import_one "$name" "$hash"
    echo "== done (at ${SECONDS}s)"
}

# Imports the cached tree of NAME into the engine as sbx/NAME:latest.
import_one() {
    local name=$1 hash=$2 versions old
    versions=$(cat "$CACHE/rootfs/$name-$hash.versions")
    echo "== import into $DOCKER_HOST (at ${SECONDS}s)"
    old=$(docker image inspect -f '{{.Id}}' "sbx/$name:latest" 2>/dev/null ||
          true)
    docker import \
        --change "LABEL org.sandbox.recipe=$hash" \
        --change "LABEL org.sandbox.image=$name" \
        --change "LABEL org.sandbox.versions=${versions:-none}" \
        --change 'ENV LANG=C.UTF-8' \
        --change 'WORKDIR /work' \
        --change 'CMD ["/bin/bash"]' \
        "$CACHE/rootfs/$name-$hash.tar" "sbx/$name:latest"
    # The image this one replaces, unless a container still uses it.
    if [[ -n $old && $old != "$(docker image inspect -f '{{.Id}}' \
            "sbx/$name:latest")" ]]; then
        docker image rm "$old" >/dev/null 2>&1 || true
    fi
    cp "$CACHE/rootfs/$name-$hash.versions" "$CACHE/logs/$name.versions"
}

# Warns when languages.json names a version the image does not have.
check_versions() {
    local name=$1 pair id ver want
    [[ -f $LANGUAGES_JSON && -s $CACHE/logs/$name.versions ]] || return 0
    command -v jq >/dev/null || return 0
    IFS=, read -ra pairs <"$CACHE/logs/$name.versions"
    for pair in "${pairs[@]}"; do
        id=${pair%%=*} ver=${pair#*=}
        want=$(jq -r --arg id "$id" \
               '.languages[] | select(.id == $id) | .version' \
               "$LANGUAGES_JSON" 2>/dev/null || true)
        if [[ -n $want && $want != "$ver" ]]; then
            log "warning: languages.json says $id $want, sbx/$name has $ver"
        fi
    done
}

# Keeps only the newest cached .deb of each package, so that the shared
# download cache does not grow with every Debian update.
deb_version() {
    local base=${1##*/}
    base=${base#*_}
    base=${base%_*}
    printf '%s' "${base//%3a/:}"
}

prune_debs() {
    local f key keep
    local -A newest=()
    for f in "$CACHE"/debs/*.deb; do
        key=${f##*/}
        key=${key%%_*}_${key##*_}
        keep=${newest[$key]:-}
        if [[ -z $keep ]]; then
            newest[$key]=$f
        elif dpkg --compare-versions "$(deb_version "$f")" gt \
                "$(deb_version "$keep")" 2>/dev/null; then
            rm -f "$keep"
            newest[$key]=$f
        else
            rm -f "$f"
        fi
    done
}

# --- main ----------------------------------------------------------------

all_images() {
    [[ -f $LANGUAGES_JSON ]] || die "no $LANGUAGES_JSON"
    grep -Eo '"image"[[:space:]]*:[[:space:]]*"sbx/[A-Za-z0-9._-]+"' \
        "$LANGUAGES_JSON" | sed -E 's/.*"sbx\/([^"]+)"/\1/' | sort -u
}

main() {
    (($#)) || usage
    [[ $(id -u) -eq 0 ]] || die "must run as root (debootstrap, chroot)"
    command -v debootstrap >/dev/null || die "debootstrap is not installed"
    command -v docker >/dev/null || die "docker is not installed"
    docker info >/dev/null 2>&1 || die "cannot reach the Docker engine at $DOCKER_HOST"

    local names=() name
    for name in "$@"; do
        if [[ $name == all ]]; then
            mapfile -t -O "${#names[@]}" names < <(all_images)
        else
            names+=("$name")
        fi
    done
    for name in "${names[@]}"; do
        [[ $name =~ ^[a-z0-9][a-z0-9._-]*$ ]] || die "bad image name '$name'"
        [[ -f $here/$name.recipe ]] || die "no recipe $here/$name.recipe"
    done
    [[ $JOBS =~ ^[1-9][0-9]*$ ]] || die "SBX_IMAGES_JOBS must be a number"
    # shellcheck source=base.recipe
    source "$here/base.recipe"

    # One build.sh at a time per cache (they would share scratch space);
    # taken before the up-to-date check, which a running build changes.
    mkdir -p "$CACHE/debs" "$CACHE/logs" "$CACHE/lists" "$CACHE/rootfs"
    exec 8>"$CACHE/.build.lock"
    if ! flock -n 8; then
        log "waiting for another build.sh using $CACHE"
        flock 8
    fi

    local -A hash=()
    local todo=() import=() have
    for name in "${names[@]}"; do
        [[ -z ${hash[$name]:-} ]] || continue
        hash[$name]=$(recipe_hash "$name")
        have=$(docker image inspect -f \
               '{{index .Config.Labels "org.sandbox.recipe"}}' \
               "sbx/$name:latest" 2>/dev/null || true)
        if [[ $have == "${hash[$name]}" ]]; then
            printf '%-8s up to date      (sbx/%s:latest, %s)\n' \
                "$name" "$name" "${hash[$name]}"
        elif [[ -f $CACHE/rootfs/$name-${hash[$name]}.tar &&
                -f $CACHE/rootfs/$name-${hash[$name]}.versions ]]; then
            import+=("$name")
        else
            todo+=("$name")
        fi
    done

    local t0=$SECONDS start
    # Imports only: the engine writes, one at a time is as fast.
    for name in "${import[@]}"; do
        start=$SECONDS
        if ! import_one "$name" "${hash[$name]}" \
                >"$CACHE/logs/$name.import.log" 2>&1; then
            tail -25 "$CACHE/logs/$name.import.log" | sed 's/^/  | /' >&2
            die "$name: import into $DOCKER_HOST failed"
        fi
        printf '%-8s imported in %3ds  (sbx/%s:latest, %s, cached tree)\n' \
            "$name" $((SECONDS - start)) "$name" "${hash[$name]}"
    done
    ((${#import[@]} == 0)) ||
        log "${#import[@]} image(s) imported in $((SECONDS - t0))s"
    ((${#todo[@]})) || return 0

    t0=$SECONDS
    # Scratch trees of a previous run that was killed hard.
    local stale
    for stale in "$CACHE"/tmp.*; do
        remove_tree "$stale" || true
    done
    pick_mirrors
    ensure_base
    refresh_lists

    # Biggest first, so the longest builds start early.
    local -A weight=()
    for name in "${todo[@]}"; do
        weight[$name]=$(sed -n 's/^WEIGHT=\([0-9]*\).*/\1/p' \
                        "$here/$name.recipe" | head -1)
    done
    mapfile -t todo < <(for name in "${todo[@]}"; do
                            echo "${weight[$name]:-0} $name"
                        done | sort -rn | awk '{ print $2 }')

    local -A pid_name=() started=()
    local failed=() pid rc running=0
    # Each build runs in its own process group (job control), so that an
    # interrupt stops its apt/dpkg too and its EXIT trap cleans up.
    set -m
    trap 'log "interrupted; stopping ${pid_name[*]}"
          for pid in "${!pid_name[@]}"; do kill -TERM -- "-$pid" 2>/dev/null; done
          wait; exit 130' INT TERM
    for name in "${todo[@]}" ""; do
        # Start NAME once a slot is free; the final "" drains the rest.
        while ((running >= JOBS)) || { [[ -z $name ]] && ((running > 0)); }; do
            pid='' rc=0
            wait -n -p pid || rc=$?
            if [[ -z $pid ]]; then
                ((rc != 127)) || die "internal error: no build left to wait for"
                continue
            fi
            running=$((running - 1))
            local done_name=${pid_name[$pid]}
            unset "pid_name[$pid]"
            local took=$((SECONDS - ${started[$done_name]}))
            if ((rc == 0)); then
                printf '%-8s built in %3ds  (sbx/%s:latest, %s)\n' \
                    "$done_name" "$took" "$done_name" "${hash[$done_name]}"
                check_versions "$done_name"
            else
                printf '%-8s FAILED after %ds (exit %d); last lines of %s:\n' \
                    "$done_name" "$took" "$rc" \
                    "$CACHE/logs/$done_name.log" >&2
                tail -25 "$CACHE/logs/$done_name.log" | sed 's/^/  | /' >&2
                failed+=("$done_name")
            fi
        done
        [[ -n $name ]] || break
        started[$name]=$SECONDS
        (
            set -Eeuo pipefail
            build_one "$name" "${hash[$name]}"
        ) >"$CACHE/logs/$name.log" 2>&1 </dev/null &
        pid_name[$!]=$name
        running=$((running + 1))
    done
    trap - INT TERM
    set +m

    prune_debs

    if ((${#failed[@]})); then
        log "FAILED: ${failed[*]} (logs in $CACHE/logs)"
        exit 1
    fi
    log "${#todo[@]} image(s) built in $((SECONDS - t0))s"
}

main "$@"
