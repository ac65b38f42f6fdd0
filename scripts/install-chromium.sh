#!/usr/bin/env bash
# Installs Debian's Chromium (for the report's headless-browser check, ReportBrowserTest) and a
# font (the report's charts are drawn with Java2D, which needs one). Idempotent: does nothing when
# /usr/bin/chromium and a font are there. Uses sudo only when not root.
set -euo pipefail
if [ -x /usr/bin/chromium ] && fc-list 2>/dev/null | grep -q .; then
  echo "chromium and fonts already installed: $(/usr/bin/chromium --version 2>/dev/null || echo /usr/bin/chromium)"
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update
$SUDO apt-get install -y chromium fonts-dejavu-core fontconfig
/usr/bin/chromium --version
