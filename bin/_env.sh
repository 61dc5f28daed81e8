# shellcheck shell=bash
# Shared by bin/run and bin/test: finds or installs what the product needs
# (Odoo 18.0, a Python virtual environment, PostgreSQL) and writes an Odoo
# configuration. Everything it creates lives under $STATE (default .state/).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
STATE=${LC_STATE_DIR:-$ROOT/.state}
VENV=$STATE/venv
PY=$VENV/bin/python
ODOO_LOCAL_DEFAULT=/opt/odoo/18.0
ODOO_ARCHIVE_DEFAULT=https://github.com/odoo/odoo/archive/refs/heads/18.0.tar.gz
ADDONS=loyalty_lifecycle,referral_program,survey_nps
mkdir -p "$STATE"

say() { printf '[%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { printf 'ERROR: %s\n' "$*" >&2; exit 2; }
is_root() { [ "$(id -u)" = 0 ]; }

# --- Odoo source -----------------------------------------------------------
# ODOO_SOURCE may be a path to an Odoo 18.0 tree, a local archive, or an
# archive URL; else $ODOO_LOCAL_DEFAULT; else the official 18.0 archive.
_odoo_is_18() {
    [ -f "$1/odoo-bin" ] && [ -f "$1/odoo/release.py" ] &&
        grep -qE "^version_info = \(18, 0," "$1/odoo/release.py"
}

_odoo_from_archive() {
    local src=$1 dest=$STATE/odoo-src key
    key=$(printf '%s' "$src" | sha1sum | cut -c1-12)
    if [ -f "$dest/.source-$key" ] && _odoo_is_18 "$dest"; then
        echo "$dest"; return
    fi
    local tmp=$STATE/odoo-download
    rm -rf "$tmp" "$dest"; mkdir -p "$tmp"
    if [ -f "$src" ]; then
        cp "$src" "$tmp/odoo.archive"
    else
        say "downloading Odoo 18.0 from $src"
        curl -fsSL --retry 2 -o "$tmp/odoo.archive" "$src" || {
            rm -rf "$tmp"; return 1; }
    fi
    mkdir -p "$tmp/x"
    case "$src" in
        *.zip) (cd "$tmp/x" && unzip -q ../odoo.archive) ;;
        *) tar -xf "$tmp/odoo.archive" -C "$tmp/x" ;;
    esac
    local top; top=$(find "$tmp/x" -maxdepth 2 -name odoo-bin -printf '%h\n' | head -1)
    [ -n "$top" ] || { rm -rf "$tmp"; return 1; }
    mv "$top" "$dest"; rm -rf "$tmp"; touch "$dest/.source-$key"
    echo "$dest"
}

resolve_odoo() {
    local how="Provide Odoo 18.0 with ODOO_SOURCE=/path/to/odoo-18.0-tree (or an archive path or URL), or unpack it at $ODOO_LOCAL_DEFAULT."
    if [ -n "${ODOO_SOURCE:-}" ]; then
        if [ -d "$ODOO_SOURCE" ]; then
            _odoo_is_18 "$ODOO_SOURCE" || die "ODOO_SOURCE=$ODOO_SOURCE is not an Odoo 18.0 tree (no odoo-bin, or odoo/release.py is not 18.0). $how"
            ODOO=$(cd "$ODOO_SOURCE" && pwd)
        else
            ODOO=$(_odoo_from_archive "$ODOO_SOURCE") && _odoo_is_18 "$ODOO" ||
                die "could not get an Odoo 18.0 tree from ODOO_SOURCE=$ODOO_SOURCE. $how"
        fi
    elif _odoo_is_18 "$ODOO_LOCAL_DEFAULT"; then
        ODOO=$ODOO_LOCAL_DEFAULT
    elif _odoo_is_18 "$STATE/odoo-src"; then
        ODOO=$STATE/odoo-src
    else
        ODOO=$(_odoo_from_archive "$ODOO_ARCHIVE_DEFAULT") && _odoo_is_18 "$ODOO" ||
            die "no Odoo 18.0 source found and the official archive could not be downloaded. $how"
    fi
    export ODOO
}

# --- Python ----------------------------------------------------------------
# Odoo's requirements.txt, minus what does not build on a current Python 3.11
# toolchain: python-ldap (only for auth_ldap, needs libldap headers), the old
# cbor2 sdist, and psycopg2 from source (the binary wheel is the same module).
_odoo_requirements() {
    grep -vE '^\s*(python-ldap|cbor2|psycopg2)\b' "$ODOO/requirements.txt"
    echo 'cbor2>=5.6,<6'
    echo 'psycopg2-binary==2.9.9'
}

ensure_venv() {
    local req=$STATE/requirements-odoo.txt stamp=$VENV/.installed
    _odoo_requirements > "$req"
    local want; want=$(cat "$req" "$ROOT/requirements.txt" | sha1sum | cut -d' ' -f1)
    if [ -x "$PY" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$want" ]; then
        return
    fi
    say "installing Python dependencies into $VENV"
    [ -x "$PY" ] || python3 -m venv "$VENV"
    # (grep drops pip's notes about local package folders this machine lacks)
    "$PY" -m pip install -q --upgrade pip wheel 'setuptools<70' 2>&1 | { grep -v 'is ignored' || true; } >&2
    "$PY" -m pip install -q -r "$req" -r "$ROOT/requirements.txt" 2>&1 | { grep -v 'is ignored' || true; } >&2
    echo "$want" > "$stamp"
}

link_odoo_into_venv() {
    # Makes `import odoo` work in the venv (pytest-odoo, the benchmarks).
    local site; site=$("$PY" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
    echo "$ODOO" > "$site/odoo-source.pth"
}

# --- PostgreSQL ------------------------------------------------------------
# Uses a server that already answers; else starts the machine's cluster
# (installing Debian's postgresql if absent and we are root); else runs a
# private cluster under $STATE/pgdata.
PGPORT=${PGPORT:-5432}
export PGPORT

_pg_answers() { pg_isready -q ${PGHOST:+-h "$PGHOST"} -p "$PGPORT" 2>/dev/null; }

ensure_chromium() {
    # The POS tours run in headless Chromium, driven by Odoo's tour runner
    # (websocket-client, in requirements.txt).
    local bin
    for bin in chromium chromium-browser google-chrome google-chrome-stable; do
        command -v "$bin" >/dev/null && return 0
    done
    is_root || die "Chromium is needed for the POS tours. Install it (apt-get install chromium)."
    say "installing Chromium from Debian (POS tours)"
    apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >&2 \
        || die "could not install chromium"
}

ensure_postgres() {
    if ! command -v pg_ctl >/dev/null && ! ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1; then
        is_root || die "PostgreSQL is not installed. Install it (apt-get install postgresql) or set PGHOST/PGPORT to a running server."
        say "installing PostgreSQL from Debian"
        apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >&2
    fi
    if ! _pg_answers; then
        if is_root && command -v pg_lsclusters >/dev/null && [ -n "$(pg_lsclusters -h 2>/dev/null)" ]; then
            local ver name
            read -r ver name _ < <(pg_lsclusters -h | head -1)
            say "starting PostgreSQL cluster $ver/$name"
            pg_ctlcluster "$ver" "$name" start >&2 || true
            PGPORT=$(pg_lsclusters -h | awk -v v="$ver" -v n="$name" '$1==v && $2==n {print $3}')
            export PGPORT
        else
            _private_cluster
        fi
    fi
    local i
    for i in $(seq 1 30); do _pg_answers && break; sleep 1; done
    _pg_answers || die "PostgreSQL does not answer on port $PGPORT"
    _ensure_pg_role
}

_private_cluster() {
    local bin; bin=$(dirname "$(ls /usr/lib/postgresql/*/bin/pg_ctl 2>/dev/null | sort -V | tail -1)")
    [ -x "$bin/pg_ctl" ] || bin=$(dirname "$(command -v pg_ctl)")
    local data=$STATE/pgdata sock=$STATE/pgsock
    mkdir -p "$sock"
    local as=()
    if is_root; then chown postgres "$STATE" "$sock"; as=(runuser -u postgres --); fi
    if [ ! -f "$data/PG_VERSION" ]; then
        say "creating a private PostgreSQL cluster in $data"
        mkdir -p "$data"; is_root && chown postgres "$data"
        "${as[@]}" "$bin/initdb" -D "$data" -A trust -U "${PGUSER:-$(id -un)}" >/dev/null
    fi
    "${as[@]}" "$bin/pg_ctl" -D "$data" -l "$STATE/postgresql.log" -w \
        -o "-k $sock -p $PGPORT -c listen_addresses=''" start >&2
    PGHOST=$sock; export PGHOST
}

_ensure_pg_role() {
    local me; me=$(id -un)
    # Odoo refuses to run as the 'postgres' superuser; use a role of our own.
    if psql -d postgres -tAc 'select 1' >/dev/null 2>&1; then return; fi
    is_root || die "PostgreSQL has no role '$me'. Create one: sudo -u postgres createuser -s $me"
    runuser -u postgres -- psql -q ${PGHOST:+-h "$PGHOST"} -p "$PGPORT" -d postgres \
        -c "CREATE ROLE \"$me\" LOGIN SUPERUSER" >&2
}

# --- Odoo configuration ----------------------------------------------------
write_odoo_conf() {
    # $1: config path, $2: database name, $3: http port
    cat > "$1" <<CONF
[options]
addons_path = $ODOO/addons,$ROOT
data_dir = $STATE/data
db_name = $2
dbfilter = ^$2\$
db_host = ${PGHOST:-False}
db_port = $PGPORT
admin_passwd = admin
http_interface = 127.0.0.1
http_port = $3
gevent_port = $(( $3 + 3 ))
list_db = False
log_level = info
CONF
}

odoo_bin() { "$PY" "$ODOO/odoo-bin" "$@"; }

db_exists() { psql -d postgres -tAc "select 1 from pg_database where datname='$1'" | grep -q 1; }

prepare_all() {
    resolve_odoo
    say "Odoo 18.0 source: $ODOO"
    ensure_venv
    link_odoo_into_venv
    ensure_postgres
}
