# Shared shell functions of test/check.sh, test/demo.sh and test/bench/run.sh.
#
# The scripts work on a fresh Debian 12 machine, as root or as a user with
# sudo.  They install the packages they need, build ptx in a copy of the
# source tree, install it into a private copy of the PostgreSQL 15 tree
# (PostgreSQL finds its share and lib directories relative to its binaries),
# and run every server as an unprivileged user, since PostgreSQL refuses to
# run as root.  Nothing is installed into the system's PostgreSQL by the
# tests; the demo installs ptx for real, as a DBA would.

PG_MAJOR=${PG_MAJOR:-15}
PG_BIN_SYS=/usr/lib/postgresql/$PG_MAJOR/bin
PTX_SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

say() { printf '==> %s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

# ensure_packages: install what building and testing ptx needs.
ensure_packages() {
    local want=(postgresql-$PG_MAJOR postgresql-server-dev-$PG_MAJOR
                postgresql-$PG_MAJOR-cron postgresql-$PG_MAJOR-plpgsql-check
                postgresql-contrib libipc-run-perl gnupg gettext locales
                build-essential openssl libssl-dev rsync)
    local missing=() p
    for p in "${want[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' \
            || missing+=("$p")
    done
    if [ ${#missing[@]} -gt 0 ]; then
        say "installing ${missing[*]}"
        as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
        as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
            --no-install-recommends "${missing[@]}" >/dev/null
    fi
    # the Chinese messages are tested with lc_messages = zh_CN.UTF-8
    if ! locale -a 2>/dev/null | grep -qix 'zh_CN.utf8'; then
        say "generating the locale zh_CN.UTF-8"
        grep -qx 'zh_CN.UTF-8 UTF-8' /etc/locale.gen 2>/dev/null \
            || echo 'zh_CN.UTF-8 UTF-8' | as_root tee -a /etc/locale.gen >/dev/null
        as_root locale-gen >/dev/null
    fi
}

# RUN_USER: the unprivileged user that builds, runs the servers and the tests.
if [ "$(id -u)" -eq 0 ]; then RUN_USER=${PTX_RUN_USER:-postgres}; else RUN_USER=$(id -un); fi

run_user() {
    if [ "$(id -un)" = "$RUN_USER" ]; then
        "$@"
    else
        runuser -u "$RUN_USER" -- "$@"
    fi
}

# make_workdir NAME: a fresh directory owned by RUN_USER; prints its path.
make_workdir() {
    local d
    d=$(mktemp -d "/tmp/ptx-$1.XXXXXX")
    chmod 755 "$d"
    [ "$(id -u)" -eq 0 ] && chown "$RUN_USER" "$d"
    echo "$d"
}

# make_pg_tree DIR: a private, relocated copy of PostgreSQL 15 in DIR/inst:
# binaries copied (so that they resolve share/ and lib/ relative to
# themselves), everything else linked.  ptx is then installed into it with
# make install DESTDIR=DIR/inst.
make_pg_tree() {
    local inst=$1/inst f
    local bin=$inst/usr/lib/postgresql/$PG_MAJOR/bin
    local lib=$inst/usr/lib/postgresql/$PG_MAJOR/lib
    local share=$inst/usr/share/postgresql/$PG_MAJOR
    run_user mkdir -p "$bin" "$lib" "$share/extension"
    run_user cp -p "$PG_BIN_SYS"/* "$bin/"
    for f in /usr/lib/postgresql/$PG_MAJOR/lib/*; do
        case "$(basename "$f")" in bitcode|ptx.so) continue ;; esac
        run_user ln -s "$f" "$lib/"
    done
    run_user mkdir -p "$lib/bitcode"
    for f in /usr/lib/postgresql/$PG_MAJOR/lib/bitcode/*; do
        case "$(basename "$f")" in ptx|ptx.index.bc) continue ;; esac
        run_user ln -s "$f" "$lib/bitcode/"
    done
    for f in /usr/share/postgresql/$PG_MAJOR/*; do
        [ "$(basename "$f")" = extension ] || run_user ln -s "$f" "$share/"
    done
    for f in /usr/share/postgresql/$PG_MAJOR/extension/*; do
        case "$(basename "$f")" in ptx.control|ptx--*) continue ;; esac
        run_user ln -s "$f" "$share/extension/"
    done
    echo "$bin"
}

# build_ptx DIR: copy the source tree to DIR/src, build it there with
# warnings as errors, install it into DIR/inst.
build_ptx() {
    local dir=$1
    # copied by the caller (who can read the tree), then handed to RUN_USER
    rsync -a --exclude .git --exclude '*.o' --exclude '*.so' \
        --exclude '*.bc' --exclude results --exclude output_iso \
        --exclude tmp_check "$PTX_SRC/" "$dir/src/"
    [ "$(id -u)" -ne 0 ] || chown -R "$RUN_USER" "$dir/src"
    run_user make -C "$dir/src" -s clean >/dev/null
    run_user make -C "$dir/src" -s -j"$(nproc)" >"$dir/build.log" 2>&1 \
        || { cat "$dir/build.log"; die "build failed"; }
    run_user make -C "$dir/src" -s install DESTDIR="$dir/inst" >>"$dir/build.log" 2>&1 \
        || { cat "$dir/build.log"; die "install into the private tree failed"; }
}

# build_release DIR VERSION COMMIT: release VERSION of ptx, built from its
# commit, installed into its own private PostgreSQL tree DIR/inst; prints
# the tree's PostgreSQL directory (holding bin/ and lib/), or nothing when
# the release cannot be had here (no git history, or a PostgreSQL major the
# release did not build on).  The upgrade test loads its data with it.
build_release() {
    local dir=$1 version=$2 commit=$3
    git -C "$PTX_SRC" cat-file -e "$commit^{commit}" 2>/dev/null || return 0
    mkdir -p "$dir/src"
    git -C "$PTX_SRC" archive "$commit" | tar -x -C "$dir/src"
    [ "$(id -u)" -ne 0 ] || chown -R "$RUN_USER" "$dir"
    make_pg_tree "$dir" >/dev/null
    run_user make -C "$dir/src" -s -j"$(nproc)" >"$dir/build.log" 2>&1 || return 0
    run_user make -C "$dir/src" -s install DESTDIR="$dir/inst" >>"$dir/build.log" 2>&1 || return 0
    grep -q "default_version = '$version'" "$dir/src/ptx.control" || return 0
    echo "$dir/inst/usr/lib/postgresql/$PG_MAJOR"
}

# start_cluster DIR PORT [conf lines...]: initdb and start a cluster from
# the private tree, listening on a socket in DIR only.
# The binaries are those of the private tree, or of PG_BIN when it is set.
start_cluster() {
    local dir=$1 port=$2 bin=${PG_BIN:-$1/inst/usr/lib/postgresql/$PG_MAJOR/bin}
    shift 2
    run_user "$bin/initdb" -D "$dir/data" -A trust -E UTF8 --locale=C.UTF-8 \
        -U postgres >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log"; die "initdb failed"; }
    {
        echo "port = $port"
        echo "listen_addresses = ''"
        echo "unix_socket_directories = '$dir'"
        echo "shared_preload_libraries = 'pg_cron,ptx'"
        echo "cron.database_name = 'contrib_regression'"
        echo "max_worker_processes = 16"
        echo "fsync = off"
        printf '%s\n' "$@"
    } | run_user tee -a "$dir/data/postgresql.conf" >/dev/null
    run_user "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w start >/dev/null \
        || { cat "$dir/server.log"; die "server did not start"; }
}

stop_cluster() {
    local dir=$1 bin=${PG_BIN:-$1/inst/usr/lib/postgresql/$PG_MAJOR/bin}
    [ -f "$dir/data/postmaster.pid" ] && run_user "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1
    return 0
}

# free_port: a port number for a cluster.  Servers listen on a Unix socket
# in their own directory only, so the number just has to look ordinary.
free_port() {
    shuf -i 20000-40000 -n 1
}

# PostgreSQL majors other than the machine's own run in a Debian root made
# with debootstrap from Debian's archive: 17 in trixie.  The root is kept in
# PTX_ROOTS (default /var/cache/ptx) and reused by later runs.
PTX_ROOTS=${PTX_ROOTS:-/var/cache/ptx}
PTX_MIRROR=${PTX_MIRROR:-http://deb.debian.org/debian}

suite_of_major() {
    case "$1" in
        15) echo bookworm ;;
        17) echo trixie ;;
        *) die "no Debian release ships PostgreSQL $1" ;;
    esac
}

# ensure_root MAJOR: a Debian root with PostgreSQL MAJOR and what the suite
# needs; prints its path.  Needs root (debootstrap, chroot).
ensure_root() {
    local major=$1 suite root
    suite=$(suite_of_major "$major")
    root=$PTX_ROOTS/$suite-pg$major
    [ "$(id -u)" -eq 0 ] || die "PostgreSQL $major runs in a chroot: run as root"
    if [ ! -f "$root/.ptx-ready" ]; then
        command -v debootstrap >/dev/null || {
            env DEBIAN_FRONTEND=noninteractive apt-get update -qq
            env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
        }
        say "making a Debian $suite root for PostgreSQL $major in $root (once)"
        rm -rf "$root"
        mkdir -p "$PTX_ROOTS"
        debootstrap --variant=minbase "$suite" "$root" "$PTX_MIRROR" >"$root.log" 2>&1 \
            || { tail -20 "$root.log"; die "debootstrap of $suite failed"; }
        printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
        chmod 755 "$root/usr/sbin/policy-rc.d"
        touch "$root/.ptx-base"
    fi
    mount_root "$root"
    # the packages, also when the list grew since the root was made
    chroot "$root" env PG_MAJOR="$major" bash -c '. /dev/stdin; ensure_packages' \
        < "$PTX_SRC/test/lib.sh" >&2
    touch "$root/.ptx-ready"
    echo "$root"
}

# mount_root ROOT / umount_root ROOT: what a server needs inside the root
mount_root() {
    local root=$1
    mountpoint -q "$root/proc" || mount -t proc proc "$root/proc"
    mountpoint -q "$root/dev/shm" || { mkdir -p "$root/dev/shm"; mount -t tmpfs -o size=1g tmpfs "$root/dev/shm"; }
    cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
}
umount_root() {
    local root=$1
    mountpoint -q "$root/dev/shm" && { umount "$root/dev/shm" || say "$root/dev/shm is still in use"; }
    mountpoint -q "$root/proc" && { umount "$root/proc" || say "$root/proc is still in use"; }
    return 0
}
