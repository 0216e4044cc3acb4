#!/usr/bin/env bash
# The README's second command: installs everything the tests need, then runs every check.
# System packages: fonts with ë ç č đ æ ø å, Pango and HarfBuzz for PDF notices, poppler to
# read PDFs back, Debian's chromium for the browser tests, Java 17 for Spark in local mode.
# Extra arguments go to pytest.
# PLACET_TEST_QUICK=1 skips the installs and the linters (for a quick rerun while developing).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${PLACET_TEST_QUICK:-0}" != "1" ]; then
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends \
    fonts-dejavu-core fonts-noto-core libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 \
    poppler-utils chromium openjdk-17-jre-headless >/dev/null
  # Debian's own python3 has no pip and refuses system-wide installs (PEP 668); a Python of
  # your own (pyenv, a venv) is used as it is.
  python3 -m pip --version >/dev/null 2>&1 || $SUDO apt-get install -y -qq python3-pip >/dev/null
  export PIP_BREAK_SYSTEM_PACKAGES=1 PIP_ROOT_USER_ACTION=ignore
  python3 -m pip install -q --disable-pip-version-check -e '.[dev]'
  echo "== ruff format"; ruff format --check src tests scripts bench
  echo "== ruff check"; ruff check src tests scripts bench
  echo "== mypy"; mypy
  echo "== import contracts"; lint-imports
  echo "== generated docs"; python3 scripts/gen_docs.py --check
fi
echo "== pytest"
set +e
python3 -m pytest -n auto --dist loadgroup --durations=25 "$@"
status=$?
set -e
if [ "$status" -eq 5 ]; then
  echo "pytest collected no tests: a run with no tests is a failure" >&2
  exit 1
fi
exit "$status"
