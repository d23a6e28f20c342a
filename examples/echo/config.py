"""echo: TCP and UDP echo on --port over a TCP/IP stack; with --sink, TCP data is counted
and discarded instead, and each connection reports its bytes and an FNV-1a checksum (its
bytes only with --checksum=false). With --stats, the exit after --count connections first
prints lwIP's memory high-water marks.

The stack is generic_stackv4v6: lwIP on the network device "service" (tap0) by default,
the host's sockets with `net=socket` (the default on unix), DHCP with `dhcp=true`."""
from mirage_tools import *

port = runtime_arg("port", int, default=7, doc="The TCP and UDP port to serve.")
sink = runtime_arg("sink", bool, default=False,
                   doc="Discard TCP data and report each connection's bytes and checksum at its end.")
checksum = runtime_arg("checksum", bool, default=True,
                       doc="With --sink, checksum each connection's bytes (--checksum=false counts them only: "
                           "what the stack delivers, not the checksum's own speed, for bench/tcpip.py).")
count = runtime_arg("count", int, default=0, doc="Exit 0 after this many TCP connections ended (0: never).")
stats = runtime_arg("stats", bool, default=False,
                    doc="On exit after --count connections, print lwIP's memory high-water marks (lwIP stack only).")

main_job = main("unikernel", console @ stackv4v6 @ job, runtime_args=[port, sink, checksum, count, stats])

register("echo", [main_job(default_console, generic_stackv4v6(default_network))])
