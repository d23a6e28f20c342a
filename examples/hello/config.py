"""hello: prints "hello" four times, one second apart."""
from mirage_tools import *

main_job = main("unikernel", console @ job)

register("hello", [main_job(default_console)])
