"""The `mirage-tools` command: describe, configure, query, run, runtime, new, sources and net."""
from __future__ import annotations

import argparse
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from . import netsetup, sources
from .codegen import generate
from .describe import describe_text, dot_resolved, dot_unresolved
from .engine import Plan, collect_keys, resolve
from .errors import UNKNOWN, ConfigError
from .loader import load_config
from .netsetup import DEFAULT_ADDRESS, DEFAULT_TAP, NetError, Request
from .register import Registration
from .scaffold import scaffold
from .targets import get_target, target_names

QUERIES = ("main.c", "mirage_app.h", "sources", "packages", "args", "keys", "manifest")


def _key_values(reg: Registration, pairs: list[str]) -> tuple[str | None, dict[str, object]]:
    keys = {k.name: k for k in collect_keys(reg)}
    target, values = None, {}
    for pair in pairs:
        name, sep, text = pair.partition("=")
        if not sep:
            raise ConfigError(f"expected key=value, got {pair!r}", UNKNOWN, "e.g. net=socket")
        if name == "target":
            target = text
            continue
        if name not in keys:
            raise ConfigError(f"unknown configure key {name!r}", UNKNOWN,
                              hint=f"keys of this config.py: {', '.join(sorted(keys))}")
        try:
            values[name] = keys[name].parse(text)
        except ValueError as e:
            raise ConfigError(str(e), UNKNOWN) from None
    return target, values


def _load(args: argparse.Namespace, check_files: bool = True) -> tuple[Registration, Plan]:
    config = Path(args.config)
    reg = load_config(config, args.config)
    target, values = _key_values(reg, args.keys)
    plan = resolve(reg, get_target(args.target or target or "unix"), values, args.config,
                   config.resolve().parent, check_files)
    return reg, plan


def _write(path: Path, content: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(content)
    tmp.replace(path)


def cmd_describe(args: argparse.Namespace) -> int:
    reg, plan = _load(args, check_files=False)  # a graph can be drawn before its C is written
    graph = dot_unresolved(reg) if args.no_eval else dot_resolved(plan)
    text = graph if args.dot or args.no_eval else describe_text(plan)
    if not args.output:
        sys.stdout.write(text)
        return 0
    out = Path(args.output)
    if out.suffix in (".dot", ".gv", ".txt"):
        _write(out, text)
        return 0
    dot = shutil.which("dot")
    if dot is None:
        raise ConfigError(f"rendering {out.name} needs Graphviz's `dot`", UNKNOWN,
                          hint="install it (Debian: apt-get install graphviz) or write a .dot file")
    result = subprocess.run([dot, f"-T{out.suffix[1:]}", "-o", str(out)], input=graph.encode())
    return result.returncode


def cmd_configure(args: argparse.Namespace) -> int:
    _, plan = _load(args)
    gen = Path(args.config).parent / "build" / plan.target.name / "gen"
    for name, content in generate(plan, gen.as_posix()).items():
        _write(gen / name, content)
        print(f"GEN {gen / name}")
    return 0


def cmd_query(args: argparse.Namespace) -> int:
    _, plan = _load(args)
    if args.what in ("main.c", "mirage_app.h"):
        gen = Path(args.config).parent / "build" / plan.target.name / "gen"
        sys.stdout.write(generate(plan, gen.as_posix())[args.what])
    elif args.what == "sources":
        print("\n".join([*(f"runtime_c/{s}" for s in plan.runtime_sources), *map(str, plan.user_sources)]))
    elif args.what == "packages":
        print("\n".join(map(str, plan.packages)))
    elif args.what == "args":
        for a in plan.runtime_args:
            given = "required" if a.required else "optional" if a.default_text is None else f"default: {a.default_text}"
            print(f"--{a.name}={a.arg_type.name}\t{a.doc} ({given})")
    elif args.what == "keys":
        for k in plan.keys:
            print(f"{k.name}={k.render(plan.values[k.name])}\t{k.doc}")
    elif args.what == "manifest":
        print("\n".join(f"{d.kind} {d.name} {d.host}" for d in plan.manifest))
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    scons = [sys.executable, "-m", "SCons"] if shutil.which("scons") is None else ["scons"]
    cmd = [*scons, "-Q", f"target={args.target or 'unix'}", *args.keys, "run"]
    if args.boot_args:
        cmd.append("args=" + shlex.join(args.boot_args))
    return subprocess.call(cmd, cwd=os.path.dirname(os.path.abspath(args.config)))


def cmd_runtime(args: argparse.Namespace) -> int:
    """Build in a private temporary folder (objects, .sconsign) and install only the
    results under the prefix, which then works on its own."""
    sconstruct = Path(__file__).resolve().parent / "scons" / "runtime_sconstruct.py"
    prefix = Path(args.prefix).resolve()
    cmd = [sys.executable, "-m", "SCons", "-Q", "-f", str(sconstruct), f"prefix={prefix}",
           f"target={args.target or 'unix'}", *args.keys]
    prefix.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="mirage-runtime-") as build:
        code = subprocess.call(cmd, cwd=build)
    if code == 0:
        print(f"installed: PKG_CONFIG_PATH={prefix / 'lib' / 'pkgconfig'} "
              f"pkg-config --cflags --libs mirage-runtime-{args.target or 'unix'}")
    return code


def cmd_new(args: argparse.Namespace) -> int:
    folder = scaffold(Path(args.name))
    print(f"created {folder}/ (config.py, unikernel.c, SConstruct): cd {folder} && scons target=unix run")
    return 0


def _source_names(args: argparse.Namespace) -> list[str]:
    known = sources.load_lock(args.lock)
    if getattr(args, "all", False) or not args.names:
        return sorted(known)
    for name in args.names:
        sources.source(name, args.lock)  # an unknown name lists the known ones
    return list(args.names)


def cmd_sources(args: argparse.Namespace) -> int:
    if args.action == "fetch":
        if bool(args.names) == args.all:
            raise ConfigError("name the packages to fetch, or give --all", UNKNOWN,
                              "mirage-tools sources list shows them")
        if args.archive and len(args.names) != 1:
            raise ConfigError("--archive goes with exactly one package name", UNKNOWN)
        for name in _source_names(args):
            archive = Path(args.archive) if args.archive else None
            print(f"{name}: {sources.fetch(name, archive, args.lock)}")
    elif args.action == "list":
        for name in _source_names(args):
            src = sources.source(name, args.lock)
            print(f"{name}\t{src.version}\t{sources.status(name, args.lock)}")
    elif args.action == "verify":
        failed = False
        for name in _source_names(args):
            if not args.names and sources.status(name, args.lock) == "not fetched":
                print(f"{name}: not fetched")
                continue
            try:
                print(f"{name}: ok ({sources.verify(name, args.lock)})")
            except ConfigError as e:
                sys.stderr.write(f"mirage-tools: {e.render()}\n")
                failed = True
        return 1 if failed else 0
    elif args.action == "path":
        print(sources.path(args.name, args.lock))
    return 0


def _again(argv: list[str]) -> str:
    """This command line as it would be typed again under sudo, whose PATH may not hold a venv's scripts."""
    prog = sys.argv[0] if sys.argv else ""
    head = [os.path.abspath(prog)] if os.path.basename(prog) == "mirage-tools" else \
        [sys.executable, "-m", "mirage_tools.cli"]
    return shlex.join([*head, *argv])


def cmd_net(args: argparse.Namespace) -> int:
    if args.action == "up":
        req = Request.parse(args.tap, args.address, args.address6, args.netns, args.user)
        netsetup.up(req, _again(args.argv))
    else:
        netsetup.down(args.tap, args.netns, _again(args.argv))
    return 0


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="mirage-tools", description="Build MirageOS-style unikernels in C.")
    sub = p.add_subparsers(dest="command", required=True)

    def with_config(sp: argparse.ArgumentParser) -> None:
        sp.add_argument("-f", "--config", default="config.py", help="the configuration (default: config.py)")
        sp.add_argument("-t", "--target", choices=target_names(), help="target (default: unix)")
        sp.add_argument("keys", nargs="*", metavar="key=value", help="configure keys")

    d = sub.add_parser("describe", help="print the device graph")
    with_config(d)
    d.add_argument("--dot", action="store_true", help="Graphviz dot instead of text")
    d.add_argument("--no-eval", action="store_true", help="keep if_impl/match_impl unresolved")
    d.add_argument("-o", "--output", help="write to a file; .svg/.png/.pdf are rendered with Graphviz")
    d.set_defaults(fn=cmd_describe)
    c = sub.add_parser("configure", help="write the generated files to build/<target>/gen/")
    with_config(c)
    c.set_defaults(fn=cmd_configure)
    q = sub.add_parser("query", help="print one generated file or fact")
    q.add_argument("what", choices=QUERIES)
    with_config(q)
    q.set_defaults(fn=cmd_query)
    r = sub.add_parser("run", help="build with scons and boot the unikernel (boot arguments after --)")
    with_config(r)
    r.set_defaults(fn=cmd_run)
    rt = sub.add_parser("runtime", help="install a target's runtime library, tender and pkg-config file")
    rt.add_argument("-t", "--target", choices=target_names(), help="target (default: unix)")
    rt.add_argument("--prefix", required=True, help="where to install (lib/, bin/, lib/pkgconfig/)")
    rt.add_argument("keys", nargs="*", metavar="var=value", help="build variables, e.g. cpu=nosimd")
    rt.set_defaults(fn=cmd_runtime)
    n = sub.add_parser("new", help="create a unikernel folder that builds as is")
    n.add_argument("name")
    n.set_defaults(fn=cmd_new)
    s = sub.add_parser("sources", help="fetch, list, verify and locate pinned third-party C sources")
    actions = s.add_subparsers(dest="action", required=True)

    def source_action(name: str, help: str) -> argparse.ArgumentParser:
        a = actions.add_parser(name, help=help)
        a.add_argument("--lock", type=Path, default=sources.LOCK, help="the lock file (default: the package's own)")
        a.set_defaults(fn=cmd_sources)
        return a

    f = source_action("fetch", "verify and cache packages (nothing to do when cached)")
    f.add_argument("names", nargs="*", metavar="NAME")
    f.add_argument("--all", action="store_true", help="every package of the lock")
    f.add_argument("--archive", metavar="FILE", help="use this archive file (checked against the lock's sha256)")
    source_action("list", "every package: name, version, cached or not").set_defaults(names=[])
    v = source_action("verify", "re-hash cached archives and trees (default: every cached package)")
    v.add_argument("names", nargs="*", metavar="NAME")
    source_action("path", "print a package's source folder, fetching it first").add_argument("name")
    net = sub.add_parser("net", help="create or remove a tap device for `scons run tap=` (needs root)",
                         description="The host side of a unikernel's network: a tap with the host's address, "
                         "in a network namespace if --netns is given. Touches nothing but that tap and namespace.")
    actions = net.add_subparsers(dest="action", metavar="{up,down}", required=True)
    up = actions.add_parser("up", help="create the tap (and the namespace), set the host address(es), set it up")
    down = actions.add_parser("down", help="remove the tap (and the namespace, if `net up` created it and it is "
                              "empty)")
    for sp, netns_help in ((up, "make the tap inside this network namespace, created if missing"),
                           (down, "the tap's network namespace, removed too if `net up` created it and it "
                                  "holds nothing else but lo")):
        sp.add_argument("--tap", default=DEFAULT_TAP, help=f"the tap device (default: {DEFAULT_TAP})")
        sp.add_argument("--netns", metavar="NAME", help=netns_help)
        sp.set_defaults(fn=cmd_net)
    up.add_argument("--address", default=DEFAULT_ADDRESS, metavar="IPV4/LEN",
                    help=f"the host's IPv4 address on the tap (default: {DEFAULT_ADDRESS})")
    up.add_argument("--address6", metavar="IPV6/LEN", help="also an IPv6 address, e.g. fd00::1/64")
    up.add_argument("--user", help="the tap's owner: only this user (and root) may attach to it "
                    "(default: no owner, any user who can open /dev/net/tun may)")
    return p


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    boot_args = argv[argv.index("--") + 1:] if "--" in argv else []  # run: boot arguments
    args = parser().parse_args(argv[:len(argv) - len(boot_args) - (1 if "--" in argv else 0)])
    args.boot_args = boot_args
    args.argv = argv
    try:
        return int(args.fn(args))
    except NetError as e:
        sys.stderr.write("mirage-tools: " + e.render() + "\n")
        return e.status
    except ConfigError as e:
        text = e.render()
        sys.stderr.write(("mirage-tools: " if e.location is UNKNOWN else "") + text + "\n")
        return 2
    except KeyboardInterrupt:
        sys.stderr.write("mirage-tools: interrupted\n")
        return 130


if __name__ == "__main__":
    sys.exit(main())
