#!/usr/bin/env bash
# Set up a development checkout on Debian: system packages, then a virtualenv in .venv
# with mirage-tools installed (editable) and the test tools. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages: compiler, pkg-config and libseccomp (spt tender), QEMU (virtio),
# Graphviz (describe --dot -o graph.svg), iproute2 and ping (network tests), binutils (objdump),
# skopeo and umoci (reading OCI layouts back in tests), fuse3 (libfuse3 for mfusepy: the
# power-cut tests' file system).
PACKAGES=(build-essential pkg-config libseccomp-dev qemu-system-x86 graphviz iproute2 iputils-ping
          binutils python3-venv skopeo umoci fuse3)
missing=()
for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    SUDO=""
    [ "$(id -u)" -eq 0 ] || SUDO=sudo
    echo "setup: installing Debian packages: ${missing[*]}"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

PYTHON=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e '.[test]'
echo "setup: ready (.venv)"
