#!/usr/bin/env bash
# Idempotent setup for liandong on a fresh machine (Debian 12, run as root or with sudo).
#
#   bash scripts/bootstrap.sh            # or: make setup
#   PYTHON=/path/to/python3.12 bash scripts/bootstrap.sh
#
# What it does, in order:
#   1. install_apt_packages    - system packages (the list is EMPTY for now, see below)
#   2. find a Python >= 3.12   - $PYTHON if set, else PATH, else pyenv
#   3. create .venv            - (re)created if missing, broken, or older than 3.12
#   4. pip install -e '.[test]' - skipped when .venv/.liandong-stamp matches the hash of
#                                pyproject.toml + this script
#   5. install_browser_assets  - EMPTY for now, see below
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SELF="$ROOT/scripts/bootstrap.sh"
VENV="$ROOT/.venv"
VENV_PY="$VENV/bin/python"
STAMP="$VENV/.liandong-stamp"
cd "$ROOT"

log() { printf 'liandong setup: %s\n' "$*"; }
die() { printf 'liandong setup: ERROR: %s\n' "$*" >&2; exit 1; }

# Serialise concurrent runs (e.g. two `make test` at once) by locking this script file.
if command -v flock >/dev/null 2>&1; then
    exec 9<"$SELF"
    flock 9
fi

# --------------------------------------------------------------------------------------
# System packages.
#
# EMPTY ON PURPOSE: liandong needs no system packages yet, so this installs nothing.
# The logic is ready for later (a browser, e.g. chromium, will be added here): put the
# Debian package names into APT_PACKAGES. apt-get only runs when the list is non-empty
# AND at least one package is missing according to `dpkg -s`.
# --------------------------------------------------------------------------------------
APT_PACKAGES=()

install_apt_packages() {
    ((${#APT_PACKAGES[@]})) || return 0

    local pkg missing=()
    for pkg in "${APT_PACKAGES[@]}"; do
        dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg")
    done
    ((${#missing[@]})) || return 0

    command -v apt-get >/dev/null 2>&1 ||
        die "missing system packages (${missing[*]}) and no apt-get; install them by hand"
    local sudo=()
    if [ "$(id -u)" -ne 0 ]; then
        command -v sudo >/dev/null 2>&1 ||
            die "missing system packages (${missing[*]}); run as root or install sudo"
        sudo=(sudo)
    fi

    log "installing system packages: ${missing[*]}"
    "${sudo[@]}" apt-get update -qq
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
        apt-get install -y --no-install-recommends "${missing[@]}"
}

# --------------------------------------------------------------------------------------
# Browser assets (e.g. downloads a headless browser needs after pip install).
#
# EMPTY ON PURPOSE: nothing to install yet. It runs on every bootstrap (also when the
# pip step is skipped), so whatever goes here later must be idempotent and cheap when
# already done.
# --------------------------------------------------------------------------------------
install_browser_assets() {
    return 0
}

# --------------------------------------------------------------------------------------
# Python discovery
# --------------------------------------------------------------------------------------

# probe [VAR=value ...] COMMAND...
# Runs the candidate interpreter; on success prints "<version> <real executable>" and
# returns 0 only if it actually runs and is >= 3.12. (pyenv shims such as python3.12
# exist on PATH but fail when the active pyenv version is older, so `command -v` alone
# is not enough.)
probe() {
    env "$@" -c 'import sys
if sys.version_info < (3, 12):
    sys.exit(1)
print("%d.%d.%d" % sys.version_info[:3], sys.executable)' 2>/dev/null </dev/null
}

PY_VERSION=""
PY_EXE=""

# try [VAR=value ...] COMMAND... : set PY_VERSION / PY_EXE if the candidate qualifies.
try() {
    local out
    out="$(probe "$@")" || return 1
    [ -n "$out" ] || return 1
    PY_VERSION="${out%% *}"
    PY_EXE="${out#* }"
    [ -x "$PY_EXE" ] || return 1
}

find_python() {
    if [ -n "${PYTHON:-}" ]; then
        try "$PYTHON" && return 0
        die "PYTHON=$PYTHON does not run or is older than 3.12"
    fi

    local cand
    for cand in python3.13 python3.12 python3; do
        command -v "$cand" >/dev/null 2>&1 && try "$cand" && return 0
    done

    # pyenv-installed interpreters, lowest qualifying version first (3.12.x is the
    # project's floor). Also looks in $PYENV_ROOT / ~/.pyenv when pyenv is not on PATH.
    local root="" v
    if command -v pyenv >/dev/null 2>&1; then
        root="$(pyenv root 2>/dev/null || true)"
    fi
    root="${root:-${PYENV_ROOT:-$HOME/.pyenv}}"
    if [ -d "$root/versions" ]; then
        while IFS= read -r cand; do
            [ -n "$cand" ] && try "$cand" && return 0
        done < <(compgen -G "$root/versions/3.1[2-9]*/bin/python3" | sort -V)
    fi
    if command -v pyenv >/dev/null 2>&1; then
        while IFS= read -r v; do
            [ -n "$v" ] && try PYENV_VERSION="$v" pyenv exec python3 && return 0
        done < <(pyenv versions --bare --skip-aliases 2>/dev/null | grep -E '^3\.(1[2-9]|[2-9][0-9])' | sort -V)
    fi

    cat >&2 <<'EOF'
liandong setup: ERROR: no Python >= 3.12 found.
  Tried: $PYTHON, python3.13 / python3.12 / python3 on PATH, and pyenv versions.
  Install one, for example:
    pyenv install 3.12          (https://github.com/pyenv/pyenv; Debian 12 itself only ships 3.11)
    apt-get install python3.12 python3.12-venv     (Debian 13 / Ubuntu 24.04 and later)
  or point PYTHON at an existing interpreter:
    PYTHON=/path/to/python3.12 bash scripts/bootstrap.sh
EOF
    exit 1
}

# --------------------------------------------------------------------------------------
# Main
# --------------------------------------------------------------------------------------
install_apt_packages

# Reuse an existing .venv if its interpreter runs and is >= 3.12 (and, when $PYTHON is
# set, has the same major.minor as $PYTHON). Otherwise (re)create it.
venv_version=""
recreate_reason=""
if [ -e "$VENV" ]; then
    if out="$(probe "$VENV_PY")"; then
        venv_version="${out%% *}"
    else
        recreate_reason="its Python is missing, broken or older than 3.12"
    fi
fi

if [ -n "$venv_version" ] && [ -n "${PYTHON:-}" ]; then
    find_python
    if [ "${PY_VERSION%.*}" != "${venv_version%.*}" ]; then
        recreate_reason="it has Python $venv_version but PYTHON is $PY_VERSION"
        venv_version=""
    fi
fi

if [ -n "$venv_version" ]; then
    log "using Python $venv_version at $VENV_PY"
else
    [ -n "$PY_EXE" ] || find_python
    if [ -e "$VENV" ]; then
        log "recreating .venv: $recreate_reason"
        rm -rf "$VENV"
    fi
    log "using Python $PY_VERSION at $PY_EXE"
    log "creating .venv"
    if ! "$PY_EXE" -m venv "$VENV"; then
        rm -rf "$VENV"
        die "'$PY_EXE -m venv' failed; on Debian install the venv module, e.g. apt-get install python${PY_VERSION%.*}-venv"
    fi
fi

want_stamp="$(cat "$ROOT/pyproject.toml" "$SELF" | sha256sum | cut -d' ' -f1)"
have_stamp="$(cat "$STAMP" 2>/dev/null || true)"

if [ "$want_stamp" = "$have_stamp" ] && [ -x "$VENV/bin/liandong" ]; then
    log "packages up to date"
else
    rm -f "$STAMP"
    log "upgrading pip"
    "$VENV_PY" -m pip install --quiet --upgrade pip
    log "installing packages (pip install -e '.[test]'; the first run takes a few minutes)"
    "$VENV_PY" -m pip install --quiet --progress-bar off -e "$ROOT[test]"
    printf '%s\n' "$want_stamp" >"$STAMP"
    log "packages installed"
fi

install_browser_assets

log "done"
