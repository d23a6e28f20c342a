"""block: writes a pattern over the first and last sectors of the disk "disk" and reads it back.

On unix the disk is the file disk.img next to this file; on Solo5 targets `scons run`
attaches it to the manifest device "disk". `scons run` creates a missing disk.img of 1 MiB
(an existing one is used as it is, whatever its size)."""
from mirage_tools import *

disk = block_of_file("disk", size="1MiB")

main_job = main("unikernel", console @ block @ job)

register("block", [main_job(default_console, disk)])
