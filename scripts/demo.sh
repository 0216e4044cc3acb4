#!/usr/bin/env bash
# The README's first command: installs Placet with PDF support and runs `placet demo`.
set -euo pipefail
cd "$(dirname "$0")/.."
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends \
  fonts-dejavu-core fonts-noto-core libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 >/dev/null
# Debian's own python3 has no pip and refuses system-wide installs (PEP 668); a Python of
# your own (pyenv, a venv) is used as it is.
python3 -m pip --version >/dev/null 2>&1 || $SUDO apt-get install -y -qq python3-pip >/dev/null
export PIP_BREAK_SYSTEM_PACKAGES=1 PIP_ROOT_USER_ACTION=ignore
python3 -m pip install -q --disable-pip-version-check -e '.[pdf]'
placet demo "$@"
