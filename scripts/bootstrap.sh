#!/usr/bin/env bash
# Idempotent setup for liandong on a fresh machine (Debian 12, run as root or with sudo).
#
#   bash scripts/bootstrap.sh            # or: make setup
#   PYTHON=/path/to/python3.12 bash scripts/bootstrap.sh
#
# What it does, in order:
#   1. install_apt_packages    - system packages (chromium, for the dashboard's browser tests)
#   2. find a Python >= 3.12   - $PYTHON if set, else PATH, else pyenv
#   3. create .venv            - (re)created if missing, broken, or older than 3.12
#   4. pip install -e '.[test]' - skipped when .venv/.liandong-stamp matches the hash of
#                                pyproject.toml + this script
#   5. install_browser_assets  - the dashboard's JavaScript assets, cached for solara (offline)
#   6. compile the model's loops - Numba compiles them on first use and caches them in __pycache__; a short run of
#                                every preset does it here, once, instead of in every test worker or first command
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
# chromium: Debian's headless browser for the dashboard's browser tests (Playwright cannot download its own here;
# see tests/dashboard_fixtures.py); fonts-wqy-microhei: a Chinese font, so that the pages it renders (and their
# screenshots) show 中文 rather than empty boxes. apt-get only runs when a package is missing (`dpkg -s`).
# --------------------------------------------------------------------------------------
APT_PACKAGES=(chromium fonts-wqy-microhei)
# npm fetches the dashboard's browser assets once (install_browser_assets); Debian's package when it is missing.
command -v npm >/dev/null 2>&1 || APT_PACKAGES+=(npm)

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
# Browser assets: the dashboard's JavaScript and fonts, served by solara from its cache in
# .venv/share/solara/cdn/<spec>/ so that the page requests nothing from a public CDN (blocked
# or slow on many networks). Each spec is exactly what solara asks for; `npm pack` fetches it
# from the npm registry and the tarball is unpacked without its top folder. A spec already
# present is skipped, so this is cheap when done. If a page ever needs another asset, the
# server logs `Could not load URL: https://cdn.jsdelivr.net/npm/<spec>/...`: add <spec> here.
# --------------------------------------------------------------------------------------
BROWSER_ASSETS=(
    "@widgetti/solara-vuetify-app@10.1.1"
    "requirejs@2.3.6"
    "font-awesome@4.5.0"
    "@widgetti/vue-grid-layout@2.3.13-alpha.2"
    "mermaid@10.8.0"
    "katex@0.16.9"
    "vega@5"
    "vega-lite@5"
    "vega-embed@6"
)

install_browser_assets() {
    local cdn="$VENV/share/solara/cdn" spec missing=()
    for spec in "${BROWSER_ASSETS[@]}"; do
        [ -f "$cdn/$spec/package.json" ] || missing+=("$spec")
    done
    ((${#missing[@]})) || return 0

    command -v npm >/dev/null 2>&1 ||
        die "npm is needed once to fetch the dashboard's browser assets (${missing[*]}); install Node.js (apt-get install npm) and run again"
    log "fetching browser assets: ${missing[*]}"
    local tmp tarball
    tmp="$(mktemp -d)"
    for spec in "${missing[@]}"; do
        tarball="$(cd "$tmp" && npm pack --silent "$spec" 2>"$tmp/npm.err" | tail -n 1)" ||
            die "npm pack $spec failed: $(cat "$tmp/npm.err")"
        [ -f "$tmp/$tarball" ] || die "npm pack $spec produced no tarball: $(cat "$tmp/npm.err")"
        # Unpack beside the target and move it in whole, so an interrupted run leaves no half-filled folder.
        rm -rf "$cdn/$spec.partial"
        mkdir -p "$cdn/$spec.partial"
        tar -xzf "$tmp/$tarball" -C "$cdn/$spec.partial" --strip-components=1 --no-same-owner
        rm -rf "${cdn:?}/$spec"
        mv "$cdn/$spec.partial" "$cdn/$spec"
        rm -f "$tmp/$tarball"
    done
    rm -rf "$tmp"
    log "browser assets installed in $cdn"
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

log "compiling the model's loops (Numba, cached: seconds when nothing changed, about half a minute the first time)"
"$VENV_PY" -c '
import scenarios, simulation
for name in scenarios.names():
    simulation.run(name, seed=0, households=300, days=70)
' || die "a short run of the presets failed; run 'liandong run no_linkage' to see why"

log "done"
