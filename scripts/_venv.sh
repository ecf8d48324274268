# Sourced by scripts/serve and scripts/test: a virtualenv in .venv with fundcase
# installed, reinstalled only when pyproject.toml or requirements.lock change.
# Usage: ensure_venv "" | ensure_venv "[dev]"
#
# Every dependency, the development tools included, comes from requirements.lock at
# the version and with the hashes it names (pip refuses any file that differs); then
# fundcase itself, without dependencies, built with the locked setuptools. After a
# change of dependencies in pyproject.toml, write the lock anew (Python 3.11):
#   python3 -m venv /tmp/lock && /tmp/lock/bin/pip install pip-tools
#   /tmp/lock/bin/pip-compile --generate-hashes --extra dev --build-deps-for editable \
#     --allow-unsafe --strip-extras --no-emit-index-url --no-emit-find-links \
#     --no-emit-trusted-host -o requirements.lock pyproject.toml
# and the container image's lock (no development tools; the same versions):
#   /tmp/lock/bin/pip-compile --generate-hashes --build-deps-for wheel --allow-unsafe \
#     --strip-extras --no-emit-index-url --no-emit-find-links --no-emit-trusted-host \
#     --constraint requirements.lock -o requirements-runtime.lock pyproject.toml

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
  hash="$(cat pyproject.toml requirements.lock | sha256sum | cut -d' ' -f1)"
  installed="$(cat "$stamp" 2>/dev/null || true)"
  # The lock holds the development tools too, so one install serves both uses.
  if [ "$installed" != "$hash locked" ]; then
    echo "Installing fundcase$extras and its locked dependencies into .venv …" >&2
    quiet_pip install --require-hashes --requirement requirements.lock
    quiet_pip install --no-deps --no-build-isolation --editable .
    echo "$hash locked" >"$stamp"
  fi
}
