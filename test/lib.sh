# Shared shell functions of test/check.sh, test/demo.sh and test/bench/run.sh.
#
# The scripts work on a fresh Debian 12 machine, as root or as a user with
# sudo.  They install the packages they need, build ptx in a copy of the
# source tree, install it into a private copy of the PostgreSQL 15 tree
# (PostgreSQL finds its share and lib directories relative to its binaries),
# and run every server as an unprivileged user, since PostgreSQL refuses to
# run as root.  Nothing is installed into the system's PostgreSQL by the
# tests; the demo installs ptx for real, as a DBA would.

PG_MAJOR=15
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
                postgresql-$PG_MAJOR-cron postgresql-contrib libipc-run-perl
                build-essential openssl libssl-dev rsync gnupg)
    local missing=() p
    for p in "${want[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' \
            || missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    say "installing ${missing[*]}"
    as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
        --no-install-recommends "${missing[@]}" >/dev/null
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
