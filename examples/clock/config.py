"""clock: the wall clock, three timers firing in deadline order, a measured sleep, and
random bytes (boot with --seed=HEX for the same bytes every time). Logs are stamped
with the wall clock's UTC time."""
from mirage_tools import *

main_job = main("unikernel", console @ time @ mclock @ pclock @ random @ job)

register("clock", [main_job(default_console, default_time, default_monotonic_clock, default_posix_clock,
                            default_random)],
         reporter=default_reporter(clock=default_posix_clock))
