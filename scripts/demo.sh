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
python3 -m pip install -q --disable-pip-version-check -e '.[pdf]'
placet demo "$@"
