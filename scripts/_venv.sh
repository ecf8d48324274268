# Sourced by scripts/serve and scripts/test: a virtualenv in .venv with fundcase
# installed, reinstalled only when pyproject.toml (or the extras asked for) change.
# Usage: ensure_venv "" | ensure_venv "[dev]"

# pip, quiet when it works and loud when it does not.
quiet_pip() {
  local output
  if ! output=$(.venv/bin/python -m pip --disable-pip-version-check "$@" 2>&1); then
    printf '%s\n' "$output" >&2
    return 1
  fi
}

ensure_venv() {
  local extras="$1" python="${PYTHON:-python3}"
  if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    echo "fundcase needs Python 3.11 or newer ('$python' is $("$python" --version 2>&1))." >&2
    return 1
  fi
  [ -x .venv/bin/python ] || "$python" -m venv .venv
  local stamp=.venv/.fundcase-installed hash installed
  hash="$(sha256sum pyproject.toml | cut -d' ' -f1)"
  installed="$(cat "$stamp" 2>/dev/null || true)"
  # A dev install has everything the service needs too.
  if [ "$installed" != "$hash $extras" ] && [ "$installed" != "$hash [dev]" ]; then
    echo "Installing fundcase$extras and its dependencies into .venv …" >&2
    quiet_pip install --upgrade pip
    quiet_pip install --editable ".$extras"
    echo "$hash $extras" >"$stamp"
  fi
}
