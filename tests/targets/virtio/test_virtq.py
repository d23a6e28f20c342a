"""Host tests of the split virtqueue (targets/virtio/bindings/virtq.c) through cffi.

Python plays the device on the same ring memory: it walks the descriptor
chains the driver made available, completes them in any order through the used
ring, and sets the device-side flags. Indices start anywhere, also just below
the 16-bit wrap, to exercise wrap-around."""
from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.cbuild import ROOT, build
from tests.cdecl import cdef_of

CDEF = cdef_of(("virtq.h",), (ROOT / "targets" / "virtio" / "bindings",))

OK, EINVAL, EAGAIN, EIO = 0, -1, -3, -5
F_NEXT, F_WRITE = 1, 2


@functools.cache
def lib() -> tuple[Any, Any]:
    return build("virtq", ["targets/virtio/bindings/virtq.c"], CDEF,
                 include_dirs=["targets/virtio/bindings"])


def legacy_ring_bytes(size: int) -> int:
    """The legacy virtio-pci layout, computed independently of the C."""
    def up(v: int) -> int:
        return (v + 4095) & ~4095
    return up(16 * size + 2 * (3 + size)) + up(2 * 3 + 8 * size)


@dataclass
class Queue:
    """A virtqueue in its own memory, plus the device's view of it."""
    size: int
    index: int = 3
    ffi: Any = None
    c: Any = None
    q: Any = None
    mem: Any = None
    slots: Any = None
    notified: list[int] = field(default_factory=list)
    last_avail: int = 0  # device side: next avail index to take

    def __post_init__(self) -> None:
        self.ffi, self.c = lib()
        ffi = self.ffi
        nbytes = self.c.virtq_ring_bytes(self.size)
        self.mem = ffi.new("char[]", nbytes + 4096)
        base = int(ffi.cast("uintptr_t", self.mem))
        ring = ffi.cast("void *", (base + 4095) & ~4095)
        self.slots = ffi.new("struct virtq_slot[]", self.size)
        self.q = ffi.new("struct virtq *")

        @ffi.callback("void(void *, uint16_t)")
        def notify(ctx: Any, queue: int) -> None:
            self.notified.append(queue)
        self._notify = notify  # keep alive
        assert self.c.virtq_init(self.q, ring, self.size, self.slots, self.index, notify,
                                 ffi.NULL) == OK

    def start_at(self, idx: int) -> None:
        assert self.c.virtq_set_index(self.q, idx) == OK
        self.last_avail = idx

    def add(self, bufs: list[tuple[int, int, int]], cookie: int) -> int:
        arr = self.ffi.new("struct virtq_buf[]", max(1, len(bufs)))
        for i, (addr, length, flags) in enumerate(bufs):
            arr[i].addr, arr[i].len, arr[i].flags = addr, length, flags
        return self.c.virtq_add(self.q, arr, len(bufs), self.ffi.cast("void *", cookie))

    def get_used(self) -> tuple[int, int, int]:
        cookie = self.ffi.new("void **")
        length = self.ffi.new("uint32_t *")
        rc = self.c.virtq_get_used(self.q, cookie, length)
        return rc, int(self.ffi.cast("uintptr_t", cookie[0])), length[0]

    # ---- the device ----
    def device_take(self) -> list[tuple[int, list[tuple[int, int, int]]]]:
        """Chains made available since the last call: (head, [(addr, len, flags)])."""
        out = []
        while self.last_avail != self.q.avail.idx:
            head = self.q.avail.ring[self.last_avail % self.size]
            chain, d = [], head
            for _ in range(self.size):
                desc = self.q.desc[d]
                chain.append((desc.addr, desc.len, desc.flags))
                if not desc.flags & F_NEXT:
                    break
                d = desc.next
            else:
                raise AssertionError("descriptor chain loops")
            out.append((head, chain))
            self.last_avail = (self.last_avail + 1) & 0xFFFF
        return out

    def device_complete(self, head: int, written: int) -> None:
        used = self.q.used
        slot = used.idx % self.size
        used.ring[slot].id = head
        used.ring[slot].len = written
        used.idx = (used.idx + 1) & 0xFFFF

    def free_list(self) -> list[int]:
        out, d = [], self.q.free_head
        for _ in range(self.q.num_free):
            out.append(d)
            d = self.q.desc[d].next
        return out


# ---- layout and argument checks ------------------------------------------------

@pytest.mark.parametrize("size", [1, 2, 4, 8, 64, 128, 256, 1024, 32768])
def test_ring_bytes_is_the_legacy_layout(size: int) -> None:
    _, c = lib()
    assert c.virtq_ring_bytes(size) == legacy_ring_bytes(size)
    assert c.virtq_ring_bytes(size) % 4096 == 0


@pytest.mark.parametrize("size", [0, 3, 100, 255, 65536, 65535, 1 << 20])
def test_bad_sizes_are_refused(size: int) -> None:
    ffi, c = lib()
    assert c.virtq_ring_bytes(size) == 0
    mem = ffi.new("char[]", 8192 * 2)
    ring = ffi.cast("void *", (int(ffi.cast("uintptr_t", mem)) + 4095) & ~4095)
    slots = ffi.new("struct virtq_slot[]", 4)
    assert c.virtq_init(ffi.new("struct virtq *"), ring, size, slots, 0, ffi.NULL, ffi.NULL) == EINVAL


def test_misaligned_ring_is_refused() -> None:
    ffi, c = lib()
    mem = ffi.new("char[]", 3 * 4096)
    ring = ffi.cast("void *", ((int(ffi.cast("uintptr_t", mem)) + 4095) & ~4095) + 8)
    slots = ffi.new("struct virtq_slot[]", 4)
    assert c.virtq_init(ffi.new("struct virtq *"), ring, 4, slots, 0, ffi.NULL, ffi.NULL) == EINVAL


def test_init_state() -> None:
    v = Queue(8)
    assert v.q.avail.flags == 1  # no interrupts: the bindings poll
    assert v.q.avail.idx == 0 and v.q.used.idx == 0
    assert v.q.num_free == 8
    assert sorted(v.free_list()) == list(range(8))
    used_off = int(v.ffi.cast("uintptr_t", v.q.used)) - int(v.ffi.cast("uintptr_t", v.q.desc))
    avail_off = int(v.ffi.cast("uintptr_t", v.q.avail)) - int(v.ffi.cast("uintptr_t", v.q.desc))
    assert (avail_off, used_off) == (16 * 8, 4096)


def test_add_argument_checks() -> None:
    v = Queue(4)
    assert v.add([], 1) == EINVAL
    assert v.add([(0x1000, 8, 0)] * 5, 1) == EINVAL              # longer than the queue
    assert v.add([(0x1000, 8, F_WRITE), (0x2000, 8, 0)], 1) == EINVAL  # writable first
    assert v.q.num_free == 4 and v.q.avail.idx == 0


def test_chain_layout_and_completion() -> None:
    v = Queue(16)
    bufs = [(0x10000, 16, 0), (0x20000, 512, 0), (0x30000, 1, F_WRITE)]
    assert v.add(bufs, 0xBEEF) == OK
    assert v.q.num_free == 13
    [(head, chain)] = v.device_take()
    assert chain == [(0x10000, 16, F_NEXT), (0x20000, 512, F_NEXT), (0x30000, 1, F_WRITE)]
    assert v.c.virtq_has_used(v.q) == 0
    assert v.get_used() == (0, 0, 0)
    v.device_complete(head, 1)
    assert v.c.virtq_has_used(v.q) != 0
    assert v.get_used() == (1, 0xBEEF, 1)
    assert v.c.virtq_has_used(v.q) == 0
    assert v.q.num_free == 16 and sorted(v.free_list()) == list(range(16))


def test_kick_notifies_once_and_honours_no_notify() -> None:
    v = Queue(8, index=5)
    assert v.c.virtq_kick(v.q) == 0          # nothing added
    v.add([(0x1000, 8, 0)], 1)
    v.add([(0x2000, 8, 0)], 2)
    assert v.c.virtq_kick(v.q) == 1 and v.notified == [5]
    assert v.c.virtq_kick(v.q) == 0 and v.notified == [5]
    v.q.used.flags = 1                       # device: "I am polling"
    v.add([(0x3000, 8, 0)], 3)
    assert v.c.virtq_kick(v.q) == 0 and v.notified == [5]
    v.q.used.flags = 0
    v.add([(0x4000, 8, 0)], 4)
    assert v.c.virtq_kick(v.q) == 1 and v.notified == [5, 5]


def test_bogus_used_id_is_reported_and_skipped() -> None:
    v = Queue(8)
    v.add([(0x1000, 8, 0), (0x2000, 8, F_WRITE)], 7)
    [(head, _)] = v.device_take()
    v.device_complete(200, 0)        # out of range
    v.device_complete((head + 1) % 8, 0)  # inside the chain, not its head
    v.device_complete(head, 8)
    assert v.get_used()[0] == EIO
    assert v.get_used()[0] == EIO
    assert v.get_used() == (1, 7, 8)
    assert v.q.num_free == 8
    v.device_complete(head, 8)       # completed twice
    assert v.get_used()[0] == EIO
    assert v.q.num_free == 8


def test_set_index_needs_an_idle_queue() -> None:
    v = Queue(4)
    v.add([(0x1000, 8, 0)], 1)
    assert v.c.virtq_set_index(v.q, 65530) == EINVAL
    [(head, _)] = v.device_take()
    v.device_complete(head, 0)
    assert v.get_used()[0] == 1
    assert v.c.virtq_set_index(v.q, 65530) == OK
    assert (v.q.avail.idx, v.q.used.idx) == (65530, 65530)


def test_full_queue_back_pressure() -> None:
    v = Queue(8)
    for i in range(4):
        assert v.add([(0x1000 * i, 8, 0), (0x1000 * i + 8, 8, F_WRITE)], i + 1) == OK
    assert v.q.num_free == 0
    assert v.add([(0x9000, 8, 0)], 99) == EAGAIN
    assert v.q.avail.idx == 4            # the refused chain is not visible
    chains = v.device_take()
    v.device_complete(chains[2][0], 3)
    assert v.get_used() == (1, 3, 3)
    assert v.add([(0x9000, 8, 0), (0x9008, 8, 0), (0x9010, 8, 0)], 99) == EAGAIN
    assert v.add([(0x9000, 8, 0), (0x9008, 8, F_WRITE)], 99) == OK


# ---- random sequences ------------------------------------------------------------

chain_st = st.lists(st.tuples(st.integers(0, 2**64 - 1), st.integers(0, 2**32 - 1)),
                    min_size=1, max_size=6)


@settings(max_examples=100, deadline=None)
@given(size=st.sampled_from([1, 2, 4, 8, 16, 32]),
       start=st.one_of(st.integers(65536 - 40, 65535), st.integers(0, 65535)),
       data=st.data())
def test_random_add_complete_sequences(size: int, start: int, data: st.DataObject) -> None:
    v = Queue(size)
    v.start_at(start)
    outstanding: dict[int, tuple[int, list[tuple[int, int, int]]]] = {}  # cookie -> (n, chain)
    device_held: list[tuple[int, int]] = []  # (head, cookie) not yet completed
    completed: list[tuple[int, int]] = []    # (cookie, len) in completion order
    next_cookie, adds = 1, 0
    for _ in range(data.draw(st.integers(1, 80), label="steps")):
        op = data.draw(st.sampled_from(["add", "add", "take", "complete", "get", "kick"]))
        if op == "add":
            raw = data.draw(chain_st, label="chain")
            n_write = data.draw(st.integers(0, len(raw)), label="writable")
            bufs = [(a, ln, F_WRITE if i >= len(raw) - n_write else 0)
                    for i, (a, ln) in enumerate(raw)]
            free_before = v.q.num_free
            rc = v.add(bufs, next_cookie)
            if len(bufs) > size:
                assert rc == EINVAL
            elif len(bufs) > free_before:
                assert rc == EAGAIN and v.q.num_free == free_before
            else:
                assert rc == OK and v.q.num_free == free_before - len(bufs)
                outstanding[next_cookie] = (len(bufs), bufs)
                next_cookie += 1
                adds += 1
        elif op == "take":
            for head, chain in v.device_take():
                cookie = int(v.ffi.cast("uintptr_t", v.slots[head].cookie))
                n, bufs = outstanding[cookie]
                want = [(a, ln, fl | (F_NEXT if i + 1 < n else 0)) for i, (a, ln, fl) in enumerate(bufs)]
                assert chain == want
                device_held.append((head, cookie))
        elif op == "complete" and device_held:
            i = data.draw(st.integers(0, len(device_held) - 1), label="which")
            head, cookie = device_held.pop(i)
            written = data.draw(st.integers(0, 2**32 - 1), label="written")
            v.device_complete(head, written)
            completed.append((cookie, written))
        elif op == "get":
            rc, cookie, written = v.get_used()
            if completed:
                assert (rc, cookie, written) == (1, *completed.pop(0))
                del outstanding[cookie]
            else:
                assert rc == 0
        elif op == "kick":
            before = len(v.notified)
            v.c.virtq_kick(v.q)
            assert len(v.notified) - before in (0, 1)
        # Invariants after every step: no descriptor lost or doubled.
        in_chains = sum(n for n, _ in outstanding.values())
        assert v.q.num_free + in_chains == size
        free = v.free_list()
        assert len(set(free)) == len(free)
        assert v.q.avail.idx == (start + adds) & 0xFFFF

    # Drain: the device finishes everything, the driver takes it all back.
    for head, _ in v.device_take():
        device_held.append((head, int(v.ffi.cast("uintptr_t", v.slots[head].cookie))))
    for head, cookie in device_held:
        v.device_complete(head, 0)
        completed.append((cookie, 0))
    while completed:
        assert v.get_used() == (1, *completed.pop(0))
    assert v.get_used()[0] == 0
    assert v.q.num_free == size
    assert sorted(v.free_list()) == list(range(size))
    assert v.q.used.idx == v.q.avail.idx == (start + adds) & 0xFFFF


@settings(max_examples=30, deadline=None)
@given(start=st.integers(65536 - 20, 65535), rounds=st.integers(1, 200))
def test_index_wraps_in_steady_state(start: int, rounds: int) -> None:
    """A full queue of single-buffer chains cycled through the 16-bit wrap."""
    v = Queue(4)
    v.start_at(start)
    cookie = 1
    for _ in range(rounds):
        while v.add([(cookie, cookie, F_WRITE)], cookie) == OK:
            cookie += 1
        assert v.q.num_free == 0
        for head, chain in v.device_take():
            v.device_complete(head, chain[0][1] & 0xFFFF)
        got = []
        while (r := v.get_used())[0] == 1:
            got.append(r[1])
        assert got == sorted(got) and len(got) == 4
    assert v.q.avail.idx == v.q.used.idx == (start + cookie - 1) & 0xFFFF
