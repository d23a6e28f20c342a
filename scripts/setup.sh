#!/usr/bin/env bash
# Set up a development checkout on Debian: system packages, then a virtualenv in .venv
# with mirage-tools installed (editable) and the test tools. Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

# Debian packages: compiler, pkg-config and libseccomp (spt tender), QEMU (virtio),
# Graphviz (describe --dot -o graph.svg), iproute2 and ping (network tests), binutils (objdump),
# skopeo and umoci (reading OCI layouts back in tests), fuse3 (libfuse3 for mfusepy: the
# power-cut tests' file system), dpkg-dev and xz-utils (apt-get source, for the pinned
# third-party C of third_party/sources.lock), valgrind (the socket stack's tests run the
# unix echo under memcheck), dnsmasq-base (the DHCP server of the echo tests: the bare binary,
# without the dnsmasq package's system service).
PACKAGES=(build-essential pkg-config libseccomp-dev qemu-system-x86 graphviz iproute2 iputils-ping
          binutils python3-venv skopeo umoci fuse3 dpkg-dev xz-utils valgrind dnsmasq-base)
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
missing=()
for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "setup: installing Debian packages: ${missing[*]}"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# apt-get source needs a deb-src entry next to each deb entry of apt's sources (python3 is
# there now: python3-venv brings it).
if ! python3 scripts/apt_deb_src.py --check >/dev/null; then
    echo "setup: adding deb-src entries to apt's sources (apt-get source fetches third-party C)"
    $SUDO python3 scripts/apt_deb_src.py
    $SUDO apt-get update -qq
fi

PYTHON=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e '.[test]'
# The pinned third-party C sources, verified into the user's cache (nothing to do when there).
.venv/bin/mirage-tools sources fetch --all
echo "setup: ready (.venv)"
