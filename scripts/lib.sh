# shellcheck shell=bash
# Shared bootstrap functions, sourced by the other scripts.
#
# Everything lives in one cache directory (ICSOE_CACHE, default
# $HOME/.cache/l10n_mx_icsoe):
#   odoo-18.0/   the Odoo 18.0 source, unpacked once from ODOO_SOURCE
#   venv/        the Python virtualenv that runs it (Odoo requirements + test tools)
#   lint/        a separate virtualenv for ruff and pylint-odoo
#   pg/          the private PostgreSQL cluster (data/, run/ socket dir, log)
#   data/        Odoo's data dir (filestore, sessions)
# Every function is idempotent and silent when there is nothing to do.

set -euo pipefail

ICSOE_REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
ICSOE_CACHE=${ICSOE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/l10n_mx_icsoe}
ICSOE_ODOO_DIR=$ICSOE_CACHE/odoo-18.0
ICSOE_VENV=$ICSOE_CACHE/venv
ICSOE_LINT_VENV=$ICSOE_CACHE/lint
ICSOE_DATA_DIR=$ICSOE_CACHE/data
ICSOE_PG_PORT=${ICSOE_PG_PORT:-5432}
ICSOE_CONF=$ICSOE_REPO/.odoo.conf
ODOO_SOURCE_DEFAULT=https://nightly.odoo.com/18.0/nightly/src/odoo_18.0.latest.tar.gz
# Parts of an Odoo source tree we use; everything else in a tree is ignored.
ODOO_PARTS=(odoo-bin odoo addons setup.py setup.cfg requirements.txt MANIFEST.in setup)

say() { printf '%s\n' "$*" >&2; }
die() {
    printf 'error: %s\n' "$1" >&2
    shift
    local line
    for line in "$@"; do printf '       %s\n' "$line" >&2; done
    exit 1
}
is_root() { [ "$(id -u)" = 0 ]; }
# Run a command as the 'postgres' user (runuser lives in /usr/sbin, not always on PATH).
as_postgres() {
    local r
    r=$(command -v runuser || ls /usr/sbin/runuser /sbin/runuser 2>/dev/null | head -n 1)
    [ -n "$r" ] || die "runuser not found: cannot run PostgreSQL as the postgres user."
    "$r" -u postgres -- "$@"
}

# ---------------------------------------------------------------- PostgreSQL

pg_bindir() {
    local d
    if [ -n "${ICSOE_PG_BINDIR:-}" ]; then
        [ -x "$ICSOE_PG_BINDIR/initdb" ] && [ -x "$ICSOE_PG_BINDIR/pg_ctl" ] || return 1
        echo "$ICSOE_PG_BINDIR"
        return 0
    fi
    # Debian/Ubuntu keep the server binaries off the PATH; take the newest.
    for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k4 -n -r); do
        if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then
            echo "$d"
            return 0
        fi
    done
    if command -v pg_config >/dev/null 2>&1; then
        d=$(pg_config --bindir)
        if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then
            echo "$d"
            return 0
        fi
    fi
    if command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
        dirname "$(command -v pg_ctl)"
        return 0
    fi
    return 1
}

ensure_pg_binaries() {
    if pg_bindir >/dev/null; then
        return 0
    fi
    if is_root && command -v apt-get >/dev/null 2>&1; then
        say "PostgreSQL server binaries not found: installing Debian's postgresql package..."
        apt-get update -qq >/dev/null
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
        pg_bindir >/dev/null && return 0
    fi
    die "PostgreSQL server binaries (initdb, pg_ctl) not found." \
        "Install PostgreSQL 12 or newer, e.g. 'sudo apt-get install postgresql' on Debian/Ubuntu," \
        "or set ICSOE_PG_BINDIR to the directory holding initdb and pg_ctl."
}

# The cluster directory. When we are root the cluster runs as the 'postgres'
# user, which cannot enter root's home: fall back to a directory it can reach.
pg_dir() {
    if [ -n "${ICSOE_PG_DIR:-}" ]; then
        echo "$ICSOE_PG_DIR"
    elif is_root && ! as_postgres test -x "$ICSOE_CACHE" 2>/dev/null; then
        echo "/var/cache/l10n_mx_icsoe/pg"
    else
        echo "$ICSOE_CACHE/pg"
    fi
}

pg_run() {  # run a PostgreSQL binary as the cluster owner
    local bin=$1
    shift
    if is_root; then
        as_postgres "$(pg_bindir)/$bin" "$@"
    else
        "$(pg_bindir)/$bin" "$@"
    fi
}

db_user() {
    local u
    u=$(id -un)
    # Odoo refuses to connect as 'postgres'.
    [ "$u" = postgres ] && u=odoo
    echo "$u"
}

ensure_pg() {
    ensure_pg_binaries
    local dir data sock
    dir=$(pg_dir)
    data=$dir/data
    sock=$dir/run
    if [ ! -f "$data/PG_VERSION" ]; then
        say "Creating a private PostgreSQL cluster in $dir ..."
        mkdir -p "$data" "$sock"
        if is_root; then
            chown -R postgres: "$dir"
        fi
        chmod 700 "$data"
        pg_run initdb -D "$data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 ||
            die "initdb failed; see $dir/initdb.log"
        # Unix socket only, in our own directory; tuned for a disposable dev/test cluster.
        cat >>"$data/postgresql.conf" <<EOF
# --- l10n_mx_icsoe private cluster ---
listen_addresses = ''
port = $ICSOE_PG_PORT
unix_socket_directories = '$sock'
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 64
shared_buffers = 256MB
EOF
    fi
    mkdir -p "$sock"
    is_root && chown postgres: "$sock"
    if ! pg_run pg_ctl -D "$data" status >/dev/null 2>&1; then
        pg_run pg_ctl -D "$data" -l "$dir/postgresql.log" -w -t 60 start >/dev/null 2>&1 ||
            die "PostgreSQL did not start; see $dir/postgresql.log"
    fi
    local user
    user=$(db_user)
    if ! "$(pg_bindir)/psql" -h "$sock" -p "$ICSOE_PG_PORT" -U postgres -d postgres -tAc \
        "SELECT 1 FROM pg_roles WHERE rolname = '$user'" | grep -q 1; then
        "$(pg_bindir)/psql" -h "$sock" -p "$ICSOE_PG_PORT" -U postgres -d postgres -qc \
            "CREATE ROLE \"$user\" SUPERUSER LOGIN" >/dev/null
    fi
    export PGHOST=$sock PGPORT=$ICSOE_PG_PORT PGUSER=$user
}

pg_stop() {
    local data
    data=$(pg_dir)/data
    if [ -f "$data/PG_VERSION" ] && pg_run pg_ctl -D "$data" status >/dev/null 2>&1; then
        pg_run pg_ctl -D "$data" -m fast stop >/dev/null
    fi
}

# ---------------------------------------------------------------- Odoo source

odoo_source_ok() {  # $1: a directory that should hold Odoo 18.0
    [ -f "$1/odoo-bin" ] && [ -d "$1/addons" ] &&
        grep -Eq '^version_info = \(18, 0,' "$1/odoo/release.py" 2>/dev/null
}

ensure_odoo_source() {
    if odoo_source_ok "$ICSOE_ODOO_DIR"; then
        return 0
    fi
    local src=${ODOO_SOURCE:-$ODOO_SOURCE_DEFAULT}
    local tmp root
    mkdir -p "$ICSOE_CACHE"
    tmp=$(mktemp -d "$ICSOE_CACHE/.src.XXXXXX")
    say "Fetching Odoo 18.0 source from $src ..."
    case "$src" in
    http://* | https://*)
        curl -fsSL --retry 2 -o "$tmp/src.archive" "$src" || die \
            "could not download Odoo 18.0 from $src" \
            "Set ODOO_SOURCE to a local Odoo 18.0 Community source tree or tarball, e.g." \
            "  ODOO_SOURCE=\$HOME/src/odoo-18.0 make test"
        src=$tmp/src.archive
        ;;
    esac
    if [ -d "$src" ]; then
        root=$src
    elif [ -f "$src" ]; then
        mkdir -p "$tmp/x"
        case "$src" in
        *.zip) python3 -m zipfile -e "$src" "$tmp/x" ;;
        *) tar -xf "$src" -C "$tmp/x" ;;
        esac || die "could not unpack $src (expected a .tar.gz, .tar.xz, .tar or .zip of Odoo 18.0)"
        root=$(dirname "$(find "$tmp/x" -maxdepth 3 -name odoo-bin -type f | head -n 1)")
    else
        die "ODOO_SOURCE=$src is neither a directory, an archive nor a URL." \
            "Point it at a local Odoo 18.0 Community source tree or tarball."
    fi
    odoo_source_ok "$root" || die "$src does not hold an Odoo 18.0 source tree (odoo-bin, addons/, odoo/release.py 18.0)." \
        "Point ODOO_SOURCE at a local Odoo 18.0 Community source tree or tarball."
    mkdir -p "$tmp/odoo-18.0"
    local part
    for part in "${ODOO_PARTS[@]}"; do
        [ -e "$root/$part" ] && cp -a "$root/$part" "$tmp/odoo-18.0/"
    done
    rm -rf "$ICSOE_ODOO_DIR"
    mv "$tmp/odoo-18.0" "$ICSOE_ODOO_DIR"
    rm -rf "$tmp"
}

# ---------------------------------------------------------------- virtualenvs

pick_python() {
    local p
    for p in ${ICSOE_PYTHON:-} python3.12 python3.11 python3.10 python3; do
        if command -v "$p" >/dev/null 2>&1 &&
            "$p" -c 'import sys; sys.exit(not (3, 10) <= sys.version_info[:2] <= (3, 12))' 2>/dev/null; then
            echo "$p"
            return 0
        fi
    done
    die "Odoo 18.0 needs Python 3.10, 3.11 or 3.12; none was found." \
        "Install one, or set ICSOE_PYTHON to its path."
}

# Tools installed next to Odoo (tests), and the optional Python libraries Odoo
# uses when present (phonenumbers: phone_validation checks and formats phones).
# A change here is installed into the existing venv; only a change of Odoo's
# requirements rebuilds it.
VENV_EXTRA=(pytest-odoo==2.3.0 websocket-client phonenumbers==9.0.43)
LINT_TOOLS=(ruff==0.17.6 pylint-odoo==9.3.24 oca-odoo-pre-commit-hooks==0.2.27)

venv_stamp() {
    sha256sum <"$ICSOE_ODOO_DIR/requirements.txt" | cut -c1-16
}

extra_stamp() {
    printf '%s\n' "${VENV_EXTRA[@]}" | sha256sum | cut -c1-16
}

ensure_venv_extra() {
    local stamp
    stamp=$(extra_stamp)
    if [ -f "$ICSOE_VENV/.icsoe-extra-stamp" ] && [ "$(cat "$ICSOE_VENV/.icsoe-extra-stamp")" = "$stamp" ]; then
        return 0
    fi
    say "Installing ${VENV_EXTRA[*]} in $ICSOE_VENV ..."
    pip_quiet "$ICSOE_VENV" "${VENV_EXTRA[@]}"
    echo "$stamp" >"$ICSOE_VENV/.icsoe-extra-stamp"
}

pip_quiet() {  # pip with the build constraint Odoo's pins need (cbor2 and setuptools>=81)
    local venv=$1
    shift
    local cons=$venv/build-constraints.txt
    echo 'setuptools<81' >"$cons"
    PIP_CONSTRAINT=$cons PIP_BUILD_CONSTRAINT=$cons PIP_DISABLE_PIP_VERSION_CHECK=1 \
        "$venv/bin/python" -m pip install -q "$@" >"$venv/pip.log" 2>&1 ||
        die "pip install failed in $venv; see $venv/pip.log"
}

ensure_venv() {
    ensure_odoo_source
    local stamp
    stamp=$(venv_stamp)
    if [ -f "$ICSOE_VENV/.icsoe-stamp" ] && [ "$(cat "$ICSOE_VENV/.icsoe-stamp")" = "$stamp" ]; then
        ensure_venv_extra
        return 0
    fi
    say "Creating the Odoo 18.0 virtualenv in $ICSOE_VENV (once; a few minutes) ..."
    rm -rf "$ICSOE_VENV"
    "$(pick_python)" -m venv "$ICSOE_VENV"
    # python-ldap is only needed by auth_ldap and needs libldap headers: left out.
    grep -v '^python-ldap' "$ICSOE_ODOO_DIR/requirements.txt" >"$ICSOE_VENV/requirements.txt"
    pip_quiet "$ICSOE_VENV" -r "$ICSOE_VENV/requirements.txt" "${VENV_EXTRA[@]}"
    # Make 'import odoo' work in the venv (pytest-odoo, scripts) without installing it.
    "$ICSOE_VENV/bin/python" - "$ICSOE_ODOO_DIR" <<'EOF'
import sys, sysconfig, pathlib
pathlib.Path(sysconfig.get_paths()["purelib"], "odoo-18.0-src.pth").write_text(sys.argv[1] + "\n")
EOF
    echo "$stamp" >"$ICSOE_VENV/.icsoe-stamp"
    extra_stamp >"$ICSOE_VENV/.icsoe-extra-stamp"
}

ensure_lint_venv() {
    local stamp
    stamp=$(printf '%s\n' "${LINT_TOOLS[@]}" | sha256sum | cut -c1-16)
    if [ -f "$ICSOE_LINT_VENV/.icsoe-stamp" ] && [ "$(cat "$ICSOE_LINT_VENV/.icsoe-stamp")" = "$stamp" ]; then
        return 0
    fi
    say "Creating the lint virtualenv in $ICSOE_LINT_VENV ..."
    rm -rf "$ICSOE_LINT_VENV"
    "$(pick_python)" -m venv "$ICSOE_LINT_VENV"
    pip_quiet "$ICSOE_LINT_VENV" "${LINT_TOOLS[@]}"
    echo "$stamp" >"$ICSOE_LINT_VENV/.icsoe-stamp"
}

ensure_chromium() {
    local b
    for b in chromium chromium-browser google-chrome; do
        command -v "$b" >/dev/null 2>&1 && return 0
    done
    if is_root && command -v apt-get >/dev/null 2>&1; then
        say "Installing chromium (Debian package) for the browser tests ..."
        apt-get update -qq >/dev/null
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null ||
            die "could not install chromium with apt-get"
        return 0
    fi
    die "Browser tests need Chromium: install it (e.g. 'sudo apt-get install chromium')."
}

ensure_wkhtmltopdf() {  # optional: PDF capture sheets; without it only HTML is produced
    command -v wkhtmltopdf >/dev/null 2>&1 && return 0
    if is_root && command -v apt-get >/dev/null 2>&1; then
        say "Installing wkhtmltopdf (Debian package) for the PDF capture sheet ..."
        apt-get update -qq >/dev/null
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wkhtmltopdf >/dev/null ||
            say "warning: could not install wkhtmltopdf; capture sheets will be HTML only"
        return 0
    fi
    say "note: wkhtmltopdf is not installed; capture sheets will be HTML only."
}

# ---------------------------------------------------------------- Odoo config

write_conf() {
    local sock
    sock=$(pg_dir)/run
    mkdir -p "$ICSOE_DATA_DIR"
    local conf
    conf=$(
        cat <<EOF
[options]
addons_path = $ICSOE_ODOO_DIR/odoo/addons,$ICSOE_ODOO_DIR/addons,$ICSOE_REPO
data_dir = $ICSOE_DATA_DIR
db_host = $sock
db_port = $ICSOE_PG_PORT
db_replica_host = $sock
db_replica_port = $ICSOE_PG_PORT
db_user = $(db_user)
db_password = False
admin_passwd = admin
http_port = ${ICSOE_HTTP_PORT:-8069}
list_db = True
max_cron_threads = 0
EOF
    )
    if [ ! -f "$ICSOE_CONF" ] || [ "$(cat "$ICSOE_CONF")" != "$conf" ]; then
        printf '%s\n' "$conf" >"$ICSOE_CONF"
    fi
}

ensure_all() {  # everything Odoo needs to run
    mkdir -p "$ICSOE_CACHE"
    ensure_venv
    ensure_pg
    write_conf
}

# Run Odoo with the project's configuration. A command name ('shell', 'db',
# 'icsoe', ...) must come first; addon commands are only discovered when
# --addons-path is the very first argument.
odoo_cmd() {
    local addons
    addons=$ICSOE_ODOO_DIR/odoo/addons,$ICSOE_ODOO_DIR/addons,$ICSOE_REPO
    if [ $# -gt 0 ] && [ "${1#-}" = "$1" ]; then
        local cmd=$1
        shift
        "$ICSOE_VENV/bin/python" "$ICSOE_ODOO_DIR/odoo-bin" --addons-path="$addons" "$cmd" -c "$ICSOE_CONF" "$@"
    else
        "$ICSOE_VENV/bin/python" "$ICSOE_ODOO_DIR/odoo-bin" -c "$ICSOE_CONF" "$@"
    fi
}
