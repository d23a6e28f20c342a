#!/usr/bin/env python3
"""TCP/IP on lwIP against Linux, side by side in one run (root; private network namespaces).
Four tables, medians of --runs interleaved runs:

1. TCP throughput into a sink: examples/echo --sink --checksum=false on each target (lwIP on a
   tap device), and a Linux process (C, read() into 1 MiB, discarded) in a second namespace
   over a veth pair; plus the sink as the tests run it (with its FNV-1a checksum) on spt.
   The same sender for all: a C client writing --mib MiB in 1 MiB write()s, then a
   half-close, timed until the receiver's EOF (every byte read).
2. Short TCP connections per second: connect, write 64 bytes, read the 64 echoed bytes,
   close; one C client, sequential, for --seconds (and at most --max connections), against
   examples/echo and a Linux echo server (C, one connection at a time) over the veth pair.
3. Ping round trip through lwIP (examples/echo) against examples/arp_ping on spt:
   ping -c --count -i 0.01, median of every reply of every run.
4. Build time of lwIP per target (-j2, lwIP's source already unpacked): clean builds of
   examples/hello and examples/echo (net=direct), lwIP's library alone (its one SCons
   target), and both again from a warm shared cache (cache=DIR).

Tables 1 and 2 have a column per placement (PLACES): both ends left to the scheduler, both
on CPU 1, or client on CPU 0 and server on CPU 1.

Nothing leaves the namespaces: the unikernel and Linux peers get 10.0.0.2/16 (tap0) and
10.1.0.2/16 (veth); the client namespace uses its whole port range and four more source
addresses per run of short connections, so no run meets the TIME_WAIT sockets of another.

With --also REV[,REV...], examples/echo as it was at each git revision (its runtime and
lwIP port, built by that revision's mirage_tools) is measured too, interleaved with the
rest: a change's before and after in one run.

Usage: python bench/tcpip.py [--runs 5] [--mib 200] [--seconds 1] [--targets spt,unix]
                             [--parts throughput,crr,ping,build] [--also REV]
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mirage_tools.targets import get_target  # noqa: E402
from tests.netns import finish, read_line  # noqa: E402

# The peers on the host side: servers (sink, echo) and clients (send, crr). Every socket
# has a timeout and every client stops by itself.
PEER_C = r"""
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static char buf[1 << 20];

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void timeouts(int s)
{
    struct timeval tv = {10, 0};
    setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

static int write_all(int s, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(s, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

static struct sockaddr_in addr(const char *ip, int port)
{
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((unsigned short)port)};
    if (inet_pton(AF_INET, ip, &a.sin_addr) != 1) {
        fprintf(stderr, "bad address %s\n", ip);
        exit(2);
    }
    return a;
}

/* Connected to host:port from src (NULL: any); a refused connect is tried again for 3 s
 * (a server still starting). */
static int dial(const char *src, const char *host, int port)
{
    struct sockaddr_in to = addr(host, port);
    double end = now() + 3;
    for (;;) {
        int s = socket(AF_INET, SOCK_STREAM, 0);
        timeouts(s);
        if (src != NULL) { /* the port is chosen at connect, by the whole 4-tuple: cheaper */
            struct sockaddr_in from = addr(src, 0);
            setsockopt(s, IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &(int){1}, sizeof(int));
            if (bind(s, (struct sockaddr *)&from, sizeof from) < 0) {
                perror("bind");
                exit(1);
            }
        }
        if (connect(s, (struct sockaddr *)&to, sizeof to) == 0)
            return s;
        int e = errno;
        close(s);
        if (e != ECONNREFUSED || now() > end) {
            fprintf(stderr, "connect %s:%d: %s\n", host, port, strerror(e));
            exit(1);
        }
        usleep(20000);
    }
}

static int serve(int port, int echo)
{
    int l = socket(AF_INET, SOCK_STREAM, 0), one = 1;
    setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((unsigned short)port)};
    if (bind(l, (struct sockaddr *)&a, sizeof a) < 0 || listen(l, 128) < 0) {
        perror("listen");
        return 1;
    }
    for (;;) {
        int c = accept(l, NULL, NULL);
        if (c < 0)
            continue;
        timeouts(c);
        for (;;) {
            ssize_t n = read(c, buf, sizeof buf);
            if (n <= 0 || (echo && write_all(c, buf, (size_t)n) < 0))
                break;
        }
        close(c);
    }
}

/* mib MiB in 1 MiB writes, half-close, read to EOF: prints the seconds from connected to EOF. */
static int send_(const char *host, int port, long mib)
{
    int s = dial(NULL, host, port);
    double t = now();
    for (long i = 0; i < mib; i++)
        if (write_all(s, buf, sizeof buf) < 0) {
            perror("write");
            return 1;
        }
    shutdown(s, SHUT_WR);
    while (read(s, buf, sizeof buf) > 0)
        ;
    printf("%.6f\n", now() - t);
    close(s);
    return 0;
}

/* Connections one after another for `seconds` (at most max), from the comma-separated
 * source addresses in turn: prints the count and the seconds. */
static int crr(char *srcs, const char *host, int port, double seconds, long max)
{
    char msg[64], got[64], *src[16];
    int nsrc = 0;
    for (char *p = strtok(srcs, ","); p != NULL && nsrc < 16; p = strtok(NULL, ","))
        src[nsrc++] = p;
    memset(msg, 'x', sizeof msg);
    double t = now(), end = t + seconds;
    long n = 0;
    while (n < max && now() < end) {
        int s = dial(src[n % nsrc], host, port);
        size_t have = 0;
        if (write_all(s, msg, sizeof msg) < 0) {
            perror("write");
            return 1;
        }
        while (have < sizeof got) {
            ssize_t r = read(s, got + have, sizeof got - have);
            if (r <= 0) {
                fprintf(stderr, "connection %ld: %s\n", n, r < 0 ? strerror(errno) : "EOF before the echo");
                return 1;
            }
            have += (size_t)r;
        }
        close(s);
        n++;
    }
    printf("%ld %.6f\n", n, now() - t);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "sink") == 0)
        return serve(atoi(argv[2]), 0);
    if (argc == 3 && strcmp(argv[1], "echo") == 0)
        return serve(atoi(argv[2]), 1);
    if (argc == 5 && strcmp(argv[1], "send") == 0)
        return send_(argv[2], atoi(argv[3]), atol(argv[4]));
    if (argc == 7 && strcmp(argv[1], "crr") == 0)
        return crr(argv[2], argv[3], atoi(argv[4]), atof(argv[5]), atol(argv[6]));
    fprintf(stderr, "usage: peer sink|echo PORT | send HOST PORT MIB | crr SRC,... HOST PORT SECONDS MAX\n");
    return 2;
}
"""

UNIKERNEL, LINUX = "10.0.0.2", "10.1.0.2"  # on two /16s: room for many client addresses
# Source addresses per run of short connections, used in turn, over the whole port range:
# the client's TIME_WAIT sockets then stay few per address and port, and connect() finds a
# free port at once (with one address and Linux's default range, a few thousand of them
# made the client, not the servers, the bound).
SOURCES = 4


# Where the two ends run: left to the scheduler, both on CPU 1, or the client (sender) on
# CPU 0 and the server (receiver) on CPU 1. A client and a server that hand packets to
# each other run faster on one CPU in this VM than on two (a wake-up on the other CPU is
# an IPI), and left to the scheduler a run lands on either: bimodal, so each is measured.
PLACES: tuple[tuple[str, int | None, int | None], ...] = (
    ("scheduler", None, None), ("one CPU", 1, 1), ("two CPUs", 0, 1))


class Lab:
    """Two namespaces: `client` (tap0 10.0.0.1/16 for the unikernel, veth0 10.1.0.1/16) and
    `linux` (veth1 10.1.0.2/16, the Linux servers). Deleted, with every process started in
    them, by close()."""

    def __init__(self, tmp: Path) -> None:
        self.client, self.linux = f"mbtcp{os.getpid()}c", f"mbtcp{os.getpid()}l"
        self.tmp = tmp
        self.procs: list[subprocess.Popen[bytes]] = []
        self.used = 0
        self.peer = tmp / "peer"

    def ip(self, ns: str, *args: str) -> None:
        subprocess.run(["ip", "-n", ns, *args], check=True, capture_output=True, timeout=10)

    def setup(self) -> None:
        (self.tmp / "peer.c").write_text(PEER_C)
        subprocess.run(["cc", "-O2", "-Wall", "-o", str(self.peer), str(self.tmp / "peer.c")], check=True)
        for ns in (self.client, self.linux):
            subprocess.run(["ip", "netns", "add", ns], check=True, timeout=10)
            self.ip(ns, "link", "set", "lo", "up")
        subprocess.run(["ip", "netns", "exec", self.client, "sysctl", "-qw", "net.ipv4.ip_local_port_range=1024 65535"],
                       check=True, timeout=10)
        self.ip(self.client, "tuntap", "add", "dev", "tap0", "mode", "tap")
        self.ip(self.client, "addr", "add", "10.0.0.1/16", "dev", "tap0")
        self.ip(self.client, "link", "set", "tap0", "up")
        self.ip(self.client, "link", "add", "veth0", "type", "veth", "peer", "name", "veth1", "netns", self.linux)
        self.ip(self.client, "addr", "add", "10.1.0.1/16", "dev", "veth0")
        self.ip(self.client, "link", "set", "veth0", "up")
        self.ip(self.linux, "addr", "add", f"{LINUX}/16", "dev", "veth1")
        self.ip(self.linux, "link", "set", "veth1", "up")

    def close(self) -> None:
        for proc in self.procs:
            stop(proc)
        for ns in (self.client, self.linux):
            subprocess.run(["ip", "netns", "del", ns], capture_output=True, timeout=10)

    def start(self, ns: str, cmd: Sequence[str], cpu: int | None = None) -> subprocess.Popen[bytes]:
        """cmd in namespace ns (on CPU `cpu` only, if given), until close()."""
        proc = subprocess.Popen(["ip", "netns", "exec", ns, *pinned(cmd, cpu)], stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
        self.procs.append(proc)
        return proc

    def run(self, *cmd: str, timeout: float = 120, cpu: int | None = None) -> str:
        """cmd in the client namespace (on CPU `cpu` only, if given); its output (it must succeed)."""
        r = subprocess.run(["ip", "netns", "exec", self.client, *pinned(cmd, cpu)], capture_output=True, text=True,
                           timeout=timeout, stdin=subprocess.DEVNULL)
        if r.returncode != 0:
            raise RuntimeError(f"{' '.join(cmd)} failed ({r.returncode}): {r.stdout}{r.stderr}")
        return r.stdout

    def sources(self, to: str, n: int = SOURCES) -> str:
        """n fresh source addresses in the client namespace on the /16 of `to`, comma-separated."""
        dev, net = ("tap0", "10.0") if to == UNIKERNEL else ("veth0", "10.1")
        out = []
        for _ in range(n):
            self.used += 1
            if self.used > 250 * 250:
                raise RuntimeError("out of source addresses: fewer runs")
            out.append(f"{net}.{1 + self.used // 250}.{1 + self.used % 250}")
            self.ip(self.client, "addr", "add", f"{out[-1]}/16", "dev", dev)
        return ",".join(out)


def pinned(cmd: Sequence[str], cpu: int | None) -> list[str]:
    return ["taskset", "-c", str(cpu), *cmd] if cpu is not None else list(cmd)


def stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    if proc.stdout is not None:
        proc.stdout.close()


def scons(folder: Path, *args: str, tree: Path | None = None) -> float:
    """Seconds of `scons -Q ARGS` in folder (with the mirage_tools of another tree, if given)."""
    env = dict(os.environ, PYTHONPATH=str(tree)) if tree else None
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "SCons", "-Q", *args], cwd=folder, check=True, stdout=subprocess.DEVNULL,
                   env=env)
    return time.perf_counter() - start


def clean(folder: Path) -> None:
    shutil.rmtree(folder / "build", ignore_errors=True)
    (folder / ".sconsign.dblite").unlink(missing_ok=True)


def copy_example(name: str, dest: Path, tree: Path = ROOT) -> Path:
    folder = dest / name
    shutil.copytree(tree / "examples" / name, folder, ignore=shutil.ignore_patterns("build", ".sconsign.dblite"))
    return folder


class Images:
    """examples/echo (net=direct) per target, and per target at each revision of `also` (from
    `git archive`, built with that revision's mirage_tools): keys "spt", "spt@REV"; and
    examples/arp_ping on spt. Built once."""

    def __init__(self, tmp: Path, targets: Sequence[str], also: Sequence[str]) -> None:
        echo = copy_example("echo", tmp)
        self.echo = {t: echo for t in targets}
        for target in targets:
            scons(echo, f"target={target}", "net=direct", "-j2")
        for rev in also:
            tree = tmp / f"tree@{rev}"
            tree.mkdir()
            archive = subprocess.run(["git", "-C", str(ROOT), "archive", rev], check=True, capture_output=True).stdout
            subprocess.run(["tar", "-x", "-C", str(tree)], input=archive, check=True)
            folder = copy_example("echo", tmp / f"echo@{rev}", tree)
            for target in targets:
                scons(folder, f"target={target}", "net=direct", "-j2", tree=tree)
                self.echo[f"{target}@{rev}"] = folder
        self.arp_ping = copy_example("arp_ping", tmp)
        scons(self.arp_ping, "target=spt", "-j2")

    def command(self, key: str, name: str, args: Sequence[str]) -> list[str]:
        target = key.split("@")[0]
        desc = get_target(target)
        build = (self.echo[key] if name == "echo" else self.arp_ping) / "build" / target
        tender = str(build / "tender" / desc.tender.name) if desc.tender else None
        return desc.command(str(build / desc.image_name(name)), list(args), tender, [("net", "service", "tap0")])

    def boot(self, lab: Lab, key: str, name: str, *args: str, cpu: int | None = None) -> subprocess.Popen[bytes]:
        """Booted and ready (echo: its "echo: ..." line; arp_ping: answering a ping)."""
        if name == "echo":
            args = ("--ipv4=10.0.0.2/16", *args)
        proc = lab.start(lab.client, self.command(key, name, args), cpu)
        if name == "echo":
            said = ""
            while not said.endswith("\n") or not said.splitlines()[-1].startswith("echo: "):
                line = read_line(proc, timeout=60)
                said += line
                if not line or len(said) > 4000:  # ended, or talking without starting
                    stop(proc)
                    raise RuntimeError(f"echo on {key} did not start: {said!r}")
        else:
            lab.run("ping", "-n", "-c", "2", "-W", "5", UNIKERNEL, timeout=30)
        return proc


def interleave(runs: int, cases: Sequence[tuple[str, Callable[[], float]]]) -> dict[str, list[float]]:
    """Each case once per run, the order turning from run to run."""
    out: dict[str, list[float]] = {name: [] for name, _ in cases}
    for i in range(runs):
        for name, fn in [*cases[i % len(cases):], *cases[:i % len(cases)]]:
            out[name].append(fn())
    return out


def table(got: dict[str, list[float]], rows: Sequence[str], ref: str, unit: str, fmt: str) -> None:
    """One row per name, a column pair (median, ratio to `ref`) per placement."""
    print(f"| | {' | '.join(f'{place}: {unit} | ratio' for place, _, _ in PLACES)} |")
    print(f"|---|{'---|---|' * len(PLACES)}")
    for name in rows:
        cells = []
        for place, _, _ in PLACES:
            m, r = statistics.median(got[f"{name}/{place}"]), statistics.median(got[f"{ref}/{place}"])
            cells.append(f"{m:{fmt}} | {m / r:.2f}")
        print(f"| {name} | {' | '.join(cells)} |")


def throughput(lab: Lab, images: Images, kinds: Sequence[str], runs: int, mib: int) -> None:
    size = mib << 20

    def unikernel(kind: str, checksum: bool, sender: int | None, receiver: int | None) -> float:
        proc = images.boot(lab, kind, "echo", "--sink", f"--checksum={str(checksum).lower()}", "--count=1",
                           "--port=9", cpu=receiver)
        seconds = float(lab.run(str(lab.peer), "send", UNIKERNEL, "9", str(mib), cpu=sender))
        _, rest = finish(proc, timeout=60)
        if f"echo: sink {size} bytes" not in rest:
            raise RuntimeError(f"{kind}: the sink did not report {size} bytes: {rest!r}")
        return size / seconds / 1e6

    def linux(sender: int | None, receiver: int | None) -> float:
        port = "9" if receiver is None else f"{10 + receiver}"
        return size / float(lab.run(str(lab.peer), "send", LINUX, port, str(mib), cpu=sender)) / 1e6

    lab.start(lab.linux, [str(lab.peer), "sink", "9"])
    lab.start(lab.linux, [str(lab.peer), "sink", "11"], cpu=1)
    receivers: list[tuple[str, Callable[[int | None, int | None], float]]] = [
        (f"{k}: lwIP sink (tap)", partial(unikernel, k, False)) for k in kinds]
    if "spt" in kinds:
        receivers.append(("spt: lwIP sink with FNV-1a, as the tests run it", partial(unikernel, "spt", True)))
    receivers.append(("Linux: C receiver (veth)", linux))
    cases = [(f"{name}/{place}", partial(fn, sender, receiver)) for name, fn in receivers
             for place, sender, receiver in PLACES]
    got = interleave(runs, cases)
    print(f"\nTCP throughput in MB/s, {mib} MiB per run in 1 MiB writes from a C sender, median of {runs} "
          "interleaved runs; ratio to Linux")
    table(got, [name for name, _ in receivers], "Linux: C receiver (veth)", "MB/s", ",.0f")


def crr(lab: Lab, images: Images, kinds: Sequence[str], runs: int, seconds: float, most: int) -> None:
    def one(kind: str | None, client: int | None, server: int | None) -> float:
        proc = images.boot(lab, kind, "echo", cpu=server) if kind else None
        try:
            to, port = (UNIKERNEL, "7") if kind else (LINUX, "7" if server is None else f"{20 + server}")
            out = lab.run(str(lab.peer), "crr", lab.sources(to), to, port, str(seconds), str(most),
                          timeout=seconds + 60, cpu=client)
        finally:
            if proc is not None:
                stop(proc)
        n, took = out.split()
        return int(n) / float(took)

    lab.start(lab.linux, [str(lab.peer), "echo", "7"])
    lab.start(lab.linux, [str(lab.peer), "echo", "21"], cpu=1)
    servers: list[tuple[str, str | None]] = [(f"{k}: examples/echo on lwIP (tap)", k) for k in kinds]
    servers.append(("Linux: C echo server (veth)", None))
    cases = [(f"{name}/{place}", partial(one, kind, client, server)) for name, kind in servers
             for place, client, server in PLACES]
    got = interleave(runs, cases)
    print(f"\nShort TCP connections per second (connect, 64 bytes each way, close), one C client, {seconds:g} s "
          f"(at most {most:,}) per run, median of {runs} interleaved runs; ratio to Linux")
    table(got, [name for name, _ in servers], "Linux: C echo server (veth)", "connections/s", ",.0f")


def ping(lab: Lab, images: Images, kinds: Sequence[str], runs: int, count: int) -> None:
    def one(kind: str, name: str) -> list[float]:
        proc = images.boot(lab, kind, name)
        try:
            lab.run("ping", "-n", "-c", "3", "-i", "0.2", "-W", "2", UNIKERNEL, timeout=30)  # neighbours known
            out = lab.run("ping", "-n", "-c", str(count), "-i", "0.01", "-W", "2", UNIKERNEL, timeout=120)
        finally:
            stop(proc)
        return [float(t) for t in re.findall(r"time=([\d.]+) ms", out)]

    cases = [(f"{k}: examples/echo (lwIP)", k, "echo") for k in kinds]
    cases.append(("spt: examples/arp_ping (no stack)", "spt", "arp_ping"))
    samples: dict[str, list[float]] = {name: [] for name, _, _ in cases}
    for i in range(runs):
        for name, kind, image in [*cases[i % len(cases):], *cases[:i % len(cases)]]:
            samples[name] += one(kind, image)
    ref = statistics.median(samples["spt: examples/arp_ping (no stack)"])
    print(f"\nPing round trip, ping -c {count} -i 0.01 per run, {runs} interleaved runs, every reply")
    print("| responder | replies | median ms | 10th-90th percentile ms | ratio to arp_ping |")
    print("|---|---|---|---|---|")
    for name, rtts in samples.items():
        q = statistics.quantiles(rtts, n=10)
        m = statistics.median(rtts)
        print(f"| {name} | {len(rtts)}/{count * runs} | {m:.3f} | {q[0]:.3f}-{q[-1]:.3f} | {m / ref:.2f} |")


def build(tmp: Path, targets: Sequence[str], runs: int) -> None:
    hello, echo = copy_example("hello", tmp / "b"), copy_example("echo", tmp / "b")
    scons(echo, "target=unix", "net=direct", "build/unix/third_party/lwip/liblwip.a")  # lwIP's source unpacked
    rows: dict[tuple[str, str], list[float]] = {}
    for i in range(runs):
        for target in [*targets[i % len(targets):], *targets[:i % len(targets)]]:
            lib = f"build/{target}/third_party/lwip/liblwip.a"
            args = (f"target={target}", "net=direct", "-j2")
            lib_cache, echo_cache = f"cache={tmp}/cache-lib-{target}-{i}", f"cache={tmp}/cache-echo-{target}-{i}"
            steps: list[tuple[str, Path, tuple[str, ...]]] = [
                ("hello", hello, (f"target={target}", "-j2")),
                ("echo", echo, args),
                ("lwIP library", echo, (*args, lib)),
                ("lwIP library, cold cache", echo, (*args, lib_cache, lib)),
                ("lwIP library, warm cache", echo, (*args, lib_cache, lib)),
                ("echo, cold cache", echo, (*args, echo_cache)),
                ("echo, warm cache", echo, (*args, echo_cache)),
            ]
            for what, folder, step in steps:
                clean(hello)
                clean(echo)
                rows.setdefault((target, what), []).append(scons(folder, *step))
    print(f"\nBuild time, clean builds (-j2, SCons start included), median of {runs} interleaved runs")
    print("| target | what | median | reference | ratio |")
    print("|---|---|---|---|---|")
    med = {key: statistics.median(times) for key, times in rows.items()}
    for target in targets:
        h, e, lwip = med[(target, "hello")], med[(target, "echo")], med[(target, "lwIP library")]
        print(f"| {target} | hello, clean | {h:.2f} s | - | - |")
        print(f"| {target} | echo (lwIP, net=direct), clean | {e:.2f} s | hello {h:.2f} s | {e / h:.2f} |")
        print(f"| {target} | echo - hello (lwIP, its port, the stack's modules) | {e - h:.2f} s | - | - |")
        print(f"| {target} | lwIP's library alone (liblwip.a), clean | {lwip:.2f} s | echo {e:.2f} s | "
              f"{lwip / e:.2f} |")
        for what, label, ref in (("lwIP library", "lwIP's library", lwip), ("echo", "echo", e)):
            warm = med[(target, f"{what}, warm cache")]
            print(f"| {target} | {label}, clean, from a warm cache | {warm:.2f} s | uncached {ref:.2f} s | "
                  f"{warm / ref:.2f} |")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--mib", type=int, default=200)
    ap.add_argument("--seconds", type=float, default=1.0)
    ap.add_argument("--max", type=int, default=100000, help="connections per run at most")
    ap.add_argument("--count", type=int, default=50, help="pings per run")
    ap.add_argument("--targets", default="spt,unix")
    ap.add_argument("--parts", default="throughput,crr,ping,build")
    ap.add_argument("--also", default="", help="git revisions whose examples/echo is measured too (before/after)")
    a = ap.parse_args()
    also = [rev for rev in a.also.split(",") if rev]
    targets = a.targets.split(",")
    parts = a.parts.split(",")
    tmp = Path(tempfile.mkdtemp(prefix="mirage-bench-"))
    lab = Lab(tmp)
    try:
        if set(parts) & {"throughput", "crr", "ping"}:
            images = Images(tmp, sorted(set(targets) | {"spt"}), also)
            kinds = [*targets, *(f"{t}@{rev}" for rev in also for t in targets)]
            lab.setup()
            if "throughput" in parts:
                throughput(lab, images, kinds, a.runs, a.mib)
            if "crr" in parts:
                crr(lab, images, kinds, a.runs, a.seconds, a.max)
            if "ping" in parts:
                ping(lab, images, kinds, a.runs, a.count)
        if "build" in parts:
            build(tmp, targets, a.runs)
    finally:
        lab.close()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    os.environ.pop("SCONSFLAGS", None)
    main()
