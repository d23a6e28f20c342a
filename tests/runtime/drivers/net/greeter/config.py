"""greeter: writes a line to each TCP connection and shuts its side at once, before the
peer's eof: the order in which lwIP ends the connection without a callback of its own."""
from mirage_tools import *

main_job = main("unikernel", console @ stackv4v6 @ job)

register("greeter", [main_job(default_console, generic_stackv4v6(default_network))])
