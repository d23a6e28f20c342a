"""hello-key: greets with the boot argument --hello."""
from mirage_tools import *

hello = runtime_arg("hello", str, default="Hello World!", doc="How to say hello.")

main_job = main("unikernel", console @ job, runtime_args=[hello])

register("hello-key", [main_job(default_console)])
