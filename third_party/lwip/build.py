"""How lwIP is built into an image: the core (IPv4, IPv6, TCP, UDP, DHCP, ND) and
Ethernet, without its applications or its threaded APIs (we run it NO_SYS, see
runtime_c/drivers/net/lwip/include/lwipopts.h)."""

# Relative to the unpacked source tree (mirage-tools sources path lwip).
sources = ["src/core/*.c", "src/core/ipv4/*.c", "src/core/ipv6/*.c", "src/netif/ethernet.c"]
include = ["src/include"]
# Our code built on lwIP, relative to the repository: its include/ holds lwIP's port
# headers (lwipopts.h, arch/cc.h), and its sources see lwIP's headers.
port = "runtime_c/drivers/net/lwip"
# lwIP's own warnings are reported, never fatal (our -Werror is for our code).
warnings = ["-Wall", "-Wno-error"]
