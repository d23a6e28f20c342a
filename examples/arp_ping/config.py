"""arp_ping: answers ARP and ICMP echo (ping) for its address, straight on the network
device, without a TCP/IP stack."""
from mirage_tools import *

ipv4 = runtime_arg("ipv4", "ipv4_prefix", default="10.0.0.2/24",
                   doc="The address (and prefix length) to answer for.")
count = runtime_arg("count", int, default=0,
                    doc="Exit 0 after this many echo replies (0: run forever).")

main_job = main("unikernel", console @ network @ job, runtime_args=[ipv4, count])

register("arp_ping", [main_job(default_console, default_network)])
