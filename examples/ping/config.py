"""ping: a TCP/IP stack that answers IPv4 and IPv6 ping (the stack does: lwIP answers ICMP and
ICMPv6 echo itself). It prints its addresses, then runs for --seconds (0: until stopped).

Boot it with an IPv6 address too: scons target=spt run args='--ipv6=fd00::2/64'."""
from mirage_tools import *

seconds = runtime_arg("seconds", int, default=0, doc="Exit 0 after this many seconds (0: run until stopped).")

main_job = main("unikernel", console @ stackv4v6 @ job, runtime_args=[seconds])

register("ping", [main_job(default_console, static_ipv4v6_stack(default_network))])
