"""runtime_c/drivers/net/network.c through cffi: the dispatchers check lengths and
arguments before an implementation sees them, and listen keeps the listener in the
device object (or the previous one when the implementation refuses)."""
from __future__ import annotations

from typing import Any

import pytest

from tests.cbuild import build
from tests.cdecl import cdef_of

CDEF = cdef_of(("mirage/network.h",))
EINVAL, EAGAIN = -1, -3


class Fake:
    """A network implementation in Python: records calls, returns `result`."""

    def __init__(self, ffi: Any, lib: Any, mtu: int = 1500) -> None:
        self.ffi, self.lib = ffi, lib
        self.writes: list[bytes] = []
        self.listens: list[tuple[bool, Any]] = []
        self.result = 0
        self._write = ffi.callback("int(struct mirage_network *, const void *, size_t)", self.on_write)
        self._listen = ffi.callback("int(struct mirage_network *, mirage_frame_fn, void *)", self.on_listen)
        self.ops = ffi.new("struct mirage_network_ops *", {"write": self._write, "listen": self._listen})
        self.dev = ffi.new("struct mirage_network *", {"ops": self.ops, "mtu": mtu})

    def on_write(self, n: Any, frame: Any, length: int) -> int:
        self.writes.append(self.ffi.buffer(frame, length)[:])
        return self.result

    def on_listen(self, n: Any, fn: Any, ctx: Any) -> int:
        # The dispatcher has already stored the listener when the implementation runs.
        assert n.fn == fn and n.ctx == (ctx if fn != self.ffi.NULL else self.ffi.NULL)
        self.listens.append((fn != self.ffi.NULL, ctx))
        return self.result


@pytest.fixture(scope="module")
def lib() -> tuple[Any, Any]:
    return build("net_dispatch", ["runtime_c/drivers/net/network.c"], CDEF)


@pytest.fixture
def fake(lib: tuple[Any, Any]) -> Fake:
    return Fake(*lib, mtu=1500)


def test_write_lengths(fake: Fake) -> None:
    write = fake.lib.mirage_network_write
    for length, expected in ((0, EINVAL), (13, EINVAL), (14, 0), (60, 0), (1514, 0), (1515, EINVAL)):
        assert write(fake.dev, bytes(range(256)) * 6, length) == expected, length
    assert [len(w) for w in fake.writes] == [14, 60, 1514]
    assert fake.writes[1] == bytes(range(60))


def test_write_follows_the_devices_mtu(lib: tuple[Any, Any]) -> None:
    fake = Fake(*lib, mtu=9000)
    assert fake.lib.mirage_network_write(fake.dev, b"\0" * 9014, 9014) == 0
    assert fake.lib.mirage_network_write(fake.dev, b"\0" * 9015, 9015) == EINVAL


def test_write_passes_the_implementations_result(fake: Fake) -> None:
    fake.result = EAGAIN
    assert fake.lib.mirage_network_write(fake.dev, b"\0" * 60, 60) == EAGAIN


def test_write_rejects_null(fake: Fake) -> None:
    ffi, lib = fake.ffi, fake.lib
    assert lib.mirage_network_write(ffi.NULL, b"\0" * 60, 60) == EINVAL
    assert lib.mirage_network_write(fake.dev, ffi.NULL, 60) == EINVAL
    assert fake.writes == []


def test_listen_stores_and_clears_the_listener(fake: Fake) -> None:
    ffi, lib = fake.ffi, fake.lib
    fn = ffi.callback("void(void *, const uint8_t *, size_t)", lambda ctx, frame, n: None)
    ctx = ffi.new("int *")
    assert lib.mirage_network_listen(fake.dev, fn, ctx) == 0
    assert fake.dev.fn == fn and fake.dev.ctx == ctx
    assert lib.mirage_network_listen(fake.dev, ffi.NULL, ctx) == 0
    assert fake.dev.fn == ffi.NULL and fake.dev.ctx == ffi.NULL
    assert [on for on, _ in fake.listens] == [True, False]


def test_refused_listen_keeps_the_previous_listener(fake: Fake) -> None:
    ffi, lib = fake.ffi, fake.lib
    first = ffi.callback("void(void *, const uint8_t *, size_t)", lambda ctx, frame, n: None)
    second = ffi.callback("void(void *, const uint8_t *, size_t)", lambda ctx, frame, n: None)
    ctx1, ctx2 = ffi.new("int *"), ffi.new("int *")
    assert lib.mirage_network_listen(fake.dev, first, ctx1) == 0
    fake.result = EAGAIN
    assert lib.mirage_network_listen(fake.dev, second, ctx2) == EAGAIN
    assert fake.dev.fn == first and fake.dev.ctx == ctx1
    assert lib.mirage_network_listen(ffi.NULL, second, ctx2) == EINVAL
