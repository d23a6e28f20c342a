"""A peer for examples/echo, run inside the test's network namespace:
`python client.py MODE HOST PORT [ARGS]`, printing one JSON line of what it saw.
Every socket has a timeout: a stuck unikernel fails the test, never hangs it."""
from __future__ import annotations

import hashlib
import json
import os
import socket
import sys
import threading
import time

TIMEOUT = 60.0


def connect(host: str, port: int) -> socket.socket:
    s = socket.create_connection((host, port), timeout=TIMEOUT)
    s.settimeout(TIMEOUT)
    return s


def echo(host: str, port: int, size: int) -> dict[str, object]:
    """Send `size` random bytes while reading the echo; half-close, read to EOF."""
    data = os.urandom(size)
    s = connect(host, port)
    got = bytearray()
    failure: list[str] = []

    def reader() -> None:
        try:
            while True:
                b = s.recv(1 << 16)
                if not b:
                    return
                got.extend(b)
        except OSError as e:
            failure.append(str(e))

    t = threading.Thread(target=reader)
    t.start()
    start = time.monotonic()
    s.sendall(data)
    s.shutdown(socket.SHUT_WR)  # half-close: the echo still comes back, then EOF
    t.join(TIMEOUT)
    seconds = time.monotonic() - start
    s.close()
    return {"sent": size, "received": len(got), "same": hashlib.sha256(got).digest() == hashlib.sha256(data).digest(),
            "seconds": seconds, "error": failure[0] if failure else ""}


def concurrent(host: str, port: int, count: int) -> dict[str, object]:
    """`count` connections open at once, each echoing its own message."""
    socks = [connect(host, port) for _ in range(count)]
    for i, s in enumerate(socks):
        s.sendall(f"connection {i}\n".encode())
    ok = 0
    for i, s in enumerate(socks):
        want = f"connection {i}\n".encode()
        got = b""
        while len(got) < len(want):
            b = s.recv(100)
            if not b:
                break
            got += b
        ok += got == want
    for s in socks:
        s.close()
    return {"ok": ok}


def udp(host: str, port: int, size: int) -> dict[str, object]:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    u = socket.socket(family, socket.SOCK_DGRAM)
    u.settimeout(5)
    payload = os.urandom(size)
    for _ in range(5):  # UDP may lose the first one while neighbours are resolved
        u.sendto(payload, (host, port))
        try:
            data, _ = u.recvfrom(70000)
            return {"same": data == payload}
        except TimeoutError:
            continue
    return {"same": False}


def sink(host: str, port: int, size: int) -> dict[str, object]:
    data = os.urandom(size)
    fnv = 0xCBF29CE484222325
    for b in data:
        fnv = ((fnv ^ b) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    s = connect(host, port)
    s.sendall(data)
    s.shutdown(socket.SHUT_WR)
    s.recv(1)  # EOF once the unikernel closed
    s.close()
    return {"fnv": f"{fnv:016x}"}


def main() -> None:
    mode, host, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
    arg = int(sys.argv[4]) if len(sys.argv) > 4 else 0
    fn = {"echo": echo, "concurrent": concurrent, "udp": udp, "sink": sink}[mode]
    print(json.dumps(fn(host, port, arg)))


if __name__ == "__main__":
    main()
