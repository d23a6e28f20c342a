"""The crash tests' unikernel: writes numbered records (one block sector each, and on unix
one direct_kv_rw key each) and prints "ack" after each one returned; the tests kill it or
cut the power under it and check what the disk holds."""
from mirage_tools import *

gen = runtime_arg("gen", int, default=1, doc="Generation written into every record.")
count = runtime_arg("count", int, default=16, doc="Records to write.")
flush = runtime_arg("flush", bool, default=False, doc="mirage_block_flush after each sector.")
kv = runtime_arg("kv", bool, default=False, doc="Write kv keys instead of sectors (unix).")

job_ = main("unikernel", console @ block @ kv_rw @ job, runtime_args=[gen, count, flush, kv])
store = if_impl(Key.is_unix, direct_kv_rw("store"), kv_rw_mem())
register("crash", [job_(default_console, block_of_file("disk"), store)])
