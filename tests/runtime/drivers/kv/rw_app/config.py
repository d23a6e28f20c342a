"""A kv_rw round trip for the end-to-end tests: the host folder store/ on unix, memory
elsewhere."""
from mirage_tools import *

store = if_impl(Key.is_unix, direct_kv_rw("store"), kv_rw_mem())

register("kv_rw", [main("unikernel", console @ kv_rw @ job)(default_console, store)])
