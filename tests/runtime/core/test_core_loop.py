"""The event loop on the fake platform, whose clock jumps to each yield's deadline."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.runtime.core.corelib import Callbacks, core, reset

U64_MAX = 2**64 - 1


@pytest.fixture
def cbs() -> Iterator[Callbacks]:
    reset()
    cbs = Callbacks()
    yield cbs
    reset()
    cbs.check()


def now() -> int:
    return int(core()[1].mirage_mclock_ns())


def timer() -> Any:
    return core()[0].new("struct mirage_timer *")


def test_run_returns_at_once_when_nothing_is_pending(cbs: Callbacks) -> None:
    _, lib = core()
    assert lib.mirage_run() == 0
    assert lib.fake_yields() == 0


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(0, 10**6), min_size=1, max_size=30), st.integers(0, 1000))
def test_timers_fire_in_deadline_order_at_their_deadline(deadlines: list[int], start: int) -> None:
    ffi, lib = core()
    reset()
    cbs = Callbacks()
    lib.fake_set_time(start)
    fired: list[tuple[int, int]] = []
    timers = [timer() for _ in deadlines]
    for i, (t, d) in enumerate(zip(timers, deadlines)):
        lib.mirage_timer_start(t, d, cbs.fn, cbs.ctx(lambda i=i: fired.append((i, now()))))
    assert lib.mirage_run() == 0
    cbs.check()
    order = sorted(range(len(deadlines)), key=lambda i: (deadlines[i], i))  # stable: arming order
    assert [i for i, _ in fired] == order
    for i, at in fired:
        assert at == max(deadlines[i], start)
    assert not any(t.armed for t in timers)
    assert not lib.fake_stuck()


def test_cancel_and_rearm(cbs: Callbacks) -> None:
    _, lib = core()
    fired: list[str] = []
    a, b, c = timer(), timer(), timer()
    lib.mirage_timer_start(a, 100, cbs.fn, cbs.ctx(lambda: fired.append("a")))
    lib.mirage_timer_start(b, 200, cbs.fn, cbs.ctx(lambda: fired.append("b")))
    lib.mirage_timer_start(c, 300, cbs.fn, cbs.ctx(lambda: fired.append("c")))
    lib.mirage_timer_cancel(b)
    assert not b.armed
    lib.mirage_timer_start(a, 400, cbs.fn, cbs.ctx(lambda: fired.append("a2")))  # moves it
    lib.mirage_timer_cancel(b)  # cancelling twice is harmless
    assert lib.mirage_run() == 0
    assert fired == ["c", "a2"]
    assert now() == 400


def test_a_timer_can_cancel_another_due_in_the_same_turn(cbs: Callbacks) -> None:
    _, lib = core()
    fired: list[str] = []
    a, b = timer(), timer()
    lib.mirage_timer_start(a, 50, cbs.fn, cbs.ctx(lambda: (fired.append("a"), lib.mirage_timer_cancel(b))))
    lib.mirage_timer_start(b, 50, cbs.fn, cbs.ctx(lambda: fired.append("b")))
    assert lib.mirage_run() == 0
    assert fired == ["a"]


def test_rearming_for_now_waits_for_the_next_turn(cbs: Callbacks) -> None:
    _, lib = core()
    t = timer()
    count = [0]

    def again() -> None:
        count[0] += 1
        if count[0] < 5:
            lib.mirage_timer_start(t, now(), cbs.fn, ctx)

    ctx = cbs.ctx(again)
    lib.mirage_timer_start(t, 10, cbs.fn, ctx)
    assert lib.mirage_run() == 0
    assert count[0] == 5
    assert lib.fake_yields() == 5  # the platform got a turn between every firing
    assert [lib.fake_deadline(i) for i in range(5)] == [10, 10, 10, 10, 10]


def test_sleep_advances_time_and_runs_other_timers(cbs: Callbacks) -> None:
    _, lib = core()
    lib.fake_set_time(1000)
    fired: list[tuple[str, int]] = []
    early, late = timer(), timer()
    lib.mirage_timer_start(early, 1200, cbs.fn, cbs.ctx(lambda: fired.append(("early", now()))))
    lib.mirage_timer_start(late, 5000, cbs.fn, cbs.ctx(lambda: fired.append(("late", now()))))
    lib.mirage_sleep_ns(500)
    assert now() == 1500
    assert fired == [("early", 1200)]
    assert late.armed
    assert lib.mirage_run() == 0
    assert fired == [("early", 1200), ("late", 5000)]


def test_sleep_zero_returns_at_once_and_sleep_saturates(cbs: Callbacks) -> None:
    _, lib = core()
    lib.mirage_sleep_ns(0)
    assert lib.fake_yields() == 0
    lib.fake_set_time(U64_MAX - 10)
    lib.mirage_sleep_ns(100)  # no wrap-around: waits to the end of time (the fake gives up)
    assert lib.fake_yields() == 1
    assert lib.fake_deadline(0) == U64_MAX
    assert lib.fake_stuck()
    assert lib.mirage_run() == 99


def test_sleep_inside_a_timer_callback(cbs: Callbacks) -> None:
    _, lib = core()
    fired: list[tuple[str, int]] = []
    a, b = timer(), timer()

    def slow() -> None:
        fired.append(("a", now()))
        lib.mirage_sleep_ns(100)
        fired.append(("a-woke", now()))

    lib.mirage_timer_start(a, 10, cbs.fn, cbs.ctx(slow))
    lib.mirage_timer_start(b, 50, cbs.fn, cbs.ctx(lambda: fired.append(("b", now()))))
    assert lib.mirage_run() == 0
    assert fired == [("a", 10), ("b", 50), ("a-woke", 110)]


def test_exit_status_from_a_callback_stops_the_loop(cbs: Callbacks) -> None:
    _, lib = core()
    fired: list[str] = []
    a, b, c = timer(), timer(), timer()
    lib.mirage_timer_start(a, 10, cbs.fn, cbs.ctx(lambda: (fired.append("a"), lib.mirage_exit(7))))
    lib.mirage_timer_start(b, 10, cbs.fn, cbs.ctx(lambda: fired.append("b")))
    lib.mirage_timer_start(c, 20, cbs.fn, cbs.ctx(lambda: (fired.append("c"), lib.mirage_exit(3))))
    assert lib.mirage_run() == 7
    assert fired == ["a"]
    # The request is consumed: the next run carries on with what is still armed.
    assert lib.mirage_run() == 3
    assert fired == ["a", "b", "c"]
    assert lib.mirage_run() == 0


def test_exit_before_run_and_first_status_wins(cbs: Callbacks) -> None:
    _, lib = core()
    lib.mirage_exit(5)
    lib.mirage_exit(6)
    lib.mirage_sleep_ns(1000)  # the loop is stopping: sleeping returns at once
    assert now() == 0
    assert lib.mirage_run() == 5
    assert lib.mirage_run() == 0


def test_watch_runs_when_the_handle_is_ready(cbs: Callbacks) -> None:
    ffi, lib = core()
    seen: list[tuple[int, int]] = []

    def on_ready(h: int) -> None:
        seen.append((h, now()))
        if len(seen) == 3:
            lib.mirage_loop_watch(3, ffi.NULL, ffi.NULL)
            lib.mirage_loop_watch(63, ffi.NULL, ffi.NULL)

    lib.mirage_loop_watch(3, cbs.fn, cbs.ctx(lambda: on_ready(3)))
    lib.mirage_loop_watch(63, cbs.fn, cbs.ctx(lambda: on_ready(63)))
    lib.mirage_loop_watch(64, cbs.fn, cbs.ctx(lambda: on_ready(64)))  # out of range: ignored
    lib.fake_schedule_ready(100, 1 << 3)
    lib.fake_schedule_ready(200, (1 << 63) | (1 << 5))  # 5 is not watched
    lib.fake_schedule_ready(300, (1 << 3) | (1 << 63))
    lib.fake_schedule_ready(400, 1 << 3)  # never seen: the watches are gone by then
    assert lib.mirage_run() == 0
    assert seen == [(3, 100), (63, 200), (3, 300)]
    assert not lib.fake_stuck()


def test_a_watch_removed_by_an_earlier_callback_of_the_turn_is_not_called(cbs: Callbacks) -> None:
    ffi, lib = core()
    seen: list[int] = []

    def first() -> None:
        seen.append(1)
        lib.mirage_loop_watch(1, ffi.NULL, ffi.NULL)
        lib.mirage_loop_watch(2, ffi.NULL, ffi.NULL)

    lib.mirage_loop_watch(1, cbs.fn, cbs.ctx(first))
    lib.mirage_loop_watch(2, cbs.fn, cbs.ctx(lambda: seen.append(2)))
    lib.fake_schedule_ready(10, 0b110)
    assert lib.mirage_run() == 0
    assert seen == [1]


def test_a_watch_alone_keeps_the_loop_waiting(cbs: Callbacks) -> None:
    ffi, lib = core()
    lib.mirage_loop_watch(0, cbs.fn, cbs.ctx(lambda: None))
    # Nothing will ever be ready: a real platform blocks; the fake reports it.
    assert lib.mirage_run() == 99
    assert lib.fake_stuck()
    assert lib.fake_deadline(0) == U64_MAX


def test_hold_keeps_the_loop_alive_until_released(cbs: Callbacks) -> None:
    _, lib = core()
    t = timer()
    lib.mirage_loop_hold()
    lib.mirage_loop_hold()
    lib.mirage_timer_start(t, 30, cbs.fn, cbs.ctx(lambda: (lib.mirage_loop_release(),
                                                          lib.mirage_loop_release())))
    assert lib.mirage_run() == 0
    assert now() == 30
    assert not lib.fake_stuck()
    lib.mirage_loop_release()  # unmatched: ignored rather than held forever
    assert lib.mirage_run() == 0
    assert lib.fake_yields() == 1


def test_clocks_come_from_the_platform(cbs: Callbacks) -> None:
    ffi, lib = core()
    lib.fake_set_time(123)
    lib.fake_set_wall(1_700_000_000 * 10**9)
    assert lib.default_time_connect(ffi.new("struct mirage_time *")) == 0
    assert lib.default_monotonic_clock_connect(ffi.new("struct mirage_mclock *")) == 0
    assert lib.default_posix_clock_connect(ffi.new("struct mirage_pclock *")) == 0
    assert lib.mirage_mclock_ns() == 123
    assert lib.mirage_pclock_ns() == 1_700_000_000 * 10**9
