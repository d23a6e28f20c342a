"""kv_ro: walks a read-only store and prints each file's SHA-256, size and key.

The store is the folder data/, served by the backend the `kv_ro` key chooses:
`scons kv_ro=crunch` (the default: embedded in the image), `kv_ro=direct` (read from
data/ at run time on unix; crunch elsewhere) or `kv_ro=archive` (packed by the build into
build/data.tar, a block device that `scons run` attaches on Solo5 targets)."""
from mirage_tools import *

main_job = main("unikernel", console @ kv_ro @ job)

register("kv_ro", [main_job(default_console, generic_kv_ro("data"))])
