"""The engine: resolve conditionals for one target, share equal devices, order them
depth-first post-order, and collect what the graph needs (sources, boot arguments,
manifest devices, packages) from the resolved graph only."""
from __future__ import annotations

import hashlib
import re
import traceback
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from .cargs import c_param_type
from .embed import EmbeddedFile, scan
from .errors import ConfigError, Location, describe_value, is_user_frame
from .impl import App, Device, HostDevice, If, Impl, Match, Package, version_key
from .key import Key, RuntimeArg, Value
from .paths import RUNTIME
from .register import Registration
from .reserved import clash
from .targets import Target, targets_with_driver
from .typ import FunctorTyp


@dataclass
class Node:
    """One device instance in the resolved graph (equal devices share one node)."""

    var: str                 # C variable of the device object ("" for jobs)
    device: Device
    args: tuple[Node, ...]   # functor arguments, in order
    deps: tuple[Node, ...]   # extra (ordering-only) dependencies
    location: Location       # where it was applied (or defined)

    @property
    def is_job(self) -> bool:
        return self.device.result_typ.is_job


@dataclass
class Plan:
    """Everything code generation and the build need, for one target."""

    name: str
    target: Target
    config: str                      # config.py as shown in messages and #line
    folder: Path                     # the unikernel's folder
    values: dict[str, object]        # configure key values in force
    keys: tuple[Key, ...]            # every key the configuration can read
    nodes: list[Node] = field(default_factory=list)  # connect order
    jobs: list[Node] = field(default_factory=list)
    argv_enabled: bool = True
    runtime_args: list[RuntimeArg] = field(default_factory=list)
    runtime_sources: list[str] = field(default_factory=list)  # relative to runtime_c/
    driver_sources: list[Path] = field(default_factory=list)  # the target's drivers the graph needs
    user_sources: list[Path] = field(default_factory=list)
    headers: list[str] = field(default_factory=list)
    manifest: list[HostDevice] = field(default_factory=list)
    embedded: dict[str, list[EmbeddedFile]] = field(default_factory=dict)  # device var -> files
    packages: list[Package] = field(default_factory=list)

    def devices(self) -> Iterator[Node]:
        return (n for n in self.nodes if not n.is_job)


def walk(impl: Impl) -> Iterator[Impl]:
    """Every implementation reachable from `impl`, conditionals' branches included."""
    stack, seen = [impl], set()
    while stack:
        item = stack.pop()
        if id(item) in seen:
            continue
        seen.add(id(item))
        yield item
        if isinstance(item, App):
            stack += [item.func, *item.args]
        elif isinstance(item, If):
            stack += [item.then, item.otherwise]
        elif isinstance(item, Match):
            stack += [impl for _, impl in item.cases] + [item.default]
        elif isinstance(item, Device):
            stack += list(item.extra_deps)


def roots(reg: Registration) -> list[Impl]:
    return [reg.argv, reg.reporter, *reg.jobs]


def collect_keys(reg: Registration) -> tuple[Key, ...]:
    """Every configure key the unresolved graph can read, by name, target first."""
    found: dict[str, Key] = {"target": Key.target}

    def add(key: Key) -> None:
        prior = found.get(key.name)
        if prior is not None and not prior.same_definition(key):
            raise ConfigError(f"key {key.name!r} is declared twice with different definitions",
                              key.location, f"the other one is at {prior.location}")
        found.setdefault(key.name, key)

    def add_checked(key: Key) -> None:
        taken = clash(key.name)
        if taken is not None and key is not Key.target:
            raise ConfigError(f"configure key {key.name!r} has the name of the build's own variable {taken!r}",
                              key.location, f"`scons {taken}=...` already means something; name the key "
                              f"otherwise, e.g. {key.name}_value or a name of what it chooses")
        add(key)

    for key in reg.keys:
        add_checked(key)
    for root in roots(reg):
        for item in walk(root):
            if isinstance(item, If):
                for key in item.cond.keys():
                    add_checked(key)
            elif isinstance(item, Match):
                for key in item.value.keys():
                    add_checked(key)
            elif isinstance(item, Device):
                for key in item.keys:
                    add_checked(key)
    return tuple(found.values())


@dataclass
class _Frame:
    """One device being resolved: its children (functor arguments, then extra_deps) are
    resolved first, on an explicit stack (a graph may be far deeper than Python's stack)."""

    origin: Impl                 # the object reached (before conditionals and application)
    device: Device
    location: Location
    children: list[Impl]
    nargs: int
    results: list[Node] = field(default_factory=list)


class _Resolver:
    def __init__(self, values: dict[str, object]):
        self.values = values
        self.nodes: dict[tuple[object, ...], Node] = {}
        self.order: list[Node] = []
        self.counts: dict[str, int] = {}
        self.memo: dict[int, Node] = {}  # id of an object of the registration -> its node

    def _eval(self, value: Value, what: str, location: Location) -> object:
        """A configure-time value; an exception in the user's function (Key.map) is the user's mistake."""
        try:
            return value.eval(self.values)
        except ConfigError:
            raise
        except Exception as e:  # noqa: BLE001 - reported at the user's line, no traceback
            frames = [f for f in traceback.extract_tb(e.__traceback__) if is_user_frame(f.filename, None)]
            where = Location(frames[-1].filename, frames[-1].lineno or 0) if frames else location
            raise ConfigError(f"{type(e).__name__}: {e}", where,
                              f"raised while evaluating {what} {value} (at {location})") from None

    def choose(self, impl: Impl) -> Impl:
        """Replace conditionals by the branch the configure values select."""
        while isinstance(impl, (If, Match)):
            if isinstance(impl, If):
                cond = self._eval(impl.cond, "the if_impl condition", impl.location)
                if not isinstance(cond, bool):
                    raise ConfigError(f"if_impl condition {impl.cond} is {describe_value(cond)}, not a bool",
                                      impl.location)
                impl = impl.then if cond else impl.otherwise
            else:
                value = self._eval(impl.value, "the match_impl value", impl.location)
                impl = next((i for v, i in impl.cases if v == value), impl.default)
        return impl

    def _enter(self, origin: Impl, used_at: Location) -> _Frame:
        impl = self.choose(origin)
        # Catalog devices have no line of their own: report them where config.py used them.
        location = impl.location if impl.location.line > 0 else used_at
        args: list[Impl] = []
        while isinstance(impl, App):  # flatten f(a)(b) into f(a, b)
            args[:0] = impl.args
            impl = self.choose(impl.func)
        assert isinstance(impl, Device)
        if isinstance(impl.typ, FunctorTyp) and len(args) != len(impl.typ.params):
            raise ConfigError(f"{impl.name} : {impl.typ} is applied to {len(args)} of its "
                              f"{len(impl.typ.params)} arguments", location)
        return _Frame(origin, impl, location, [*args, *impl.extra_deps], len(args))

    def node(self, impl: Impl, used_at: Location) -> Node:
        """The node of `impl`, its descendants first (post-order), without Python recursion.
        Only an object reachable from itself is a cycle: the same functor applied twice,
        f(f(x)), is two nodes."""
        known = self.memo.get(id(impl))
        if known is not None:
            return known
        stack = [self._enter(impl, used_at)]
        active = {id(impl)}  # the objects on the current path
        while True:
            frame = stack[-1]
            if len(frame.results) < len(frame.children):
                child = frame.children[len(frame.results)]
                known = self.memo.get(id(child))
                if known is not None:
                    frame.results.append(known)
                    continue
                entered = self._enter(child, frame.location)
                if id(child) in active:
                    raise ConfigError(f"{entered.device.name} depends on itself", entered.location,
                                      f"the cycle goes through {frame.device.name} ({frame.location})")
                active.add(id(child))
                stack.append(entered)
                continue
            stack.pop()
            active.discard(id(frame.origin))
            made = self._make(frame)
            self.memo[id(frame.origin)] = made
            if not stack:
                return made
            stack[-1].results.append(made)

    def _make(self, frame: _Frame) -> Node:
        impl = frame.device
        arg_nodes = tuple(frame.results[:frame.nargs])
        dep_nodes = tuple(frame.results[frame.nargs:])
        ident = (impl, tuple(id(n) for n in arg_nodes))
        found = self.nodes.get(ident)
        if found is not None:
            return found
        var = ""
        if not impl.result_typ.is_job:
            count = self.counts.get(impl.name, 0)
            self.counts[impl.name] = count + 1
            var = f"{impl.name}_{count}"
        node = Node(var, impl, arg_nodes, dep_nodes, frame.location)
        self.nodes[ident] = node
        self.order.append(node)
        return node


def resolve(reg: Registration, target: Target, values: dict[str, object], config: str,
            folder: Path, check_files: bool = True) -> Plan:
    """Resolve the registration for `target` with the configure `values` (by key name).
    `check_files=False` (describe) does not require the user's C sources and headers yet."""
    keys = collect_keys(reg)
    env: dict[str, object] = {k.name: k.default for k in keys}
    env.update(values)
    env["target"] = target.name
    resolver = _Resolver(env)
    argv_node = resolver.node(reg.argv, reg.location)
    resolver.node(reg.reporter, reg.location)
    jobs = [resolver.node(j, reg.location) for j in reg.jobs]
    plan = Plan(reg.name, target, config, folder, env, keys)
    # The argv device's one connect argument says whether the command line is read.
    plan.argv_enabled = argv_node.device.c_args != (False,)
    # Devices first (post-order), then jobs, so every job starts with the whole graph connected.
    plan.nodes = [n for n in resolver.order if not n.is_job and n.device.connect is not None]
    plan.nodes += [n for n in resolver.order if n.is_job and n.device.connect is not None]
    plan.jobs = jobs
    _collect(plan, resolver.order, reg, check_files)
    return plan


def plan_fact(plan: Plan, which: str, location: Location) -> str:
    """The text of one PlanFact: name, target, keys ("key=value" lines, target first),
    packages (one per line) or config_sha256 (of config.py's bytes)."""
    if which == "name":
        return plan.name
    if which == "target":
        return plan.target.name
    if which == "keys":
        values = ((k, plan.values.get(k.name)) for k in plan.keys)
        return "\n".join(f"{k.name}={_escape('' if v is None else k.render(v))}" for k, v in values)
    if which == "packages":
        return "\n".join(str(p) for p in plan.packages)
    assert which == "config_sha256"
    path = plan.folder / Path(plan.config).name
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError as e:
        raise ConfigError(f"cannot read {path} for its sha256: {e.strerror}", location) from None


def _escape(value: str) -> str:
    """app_info's lossless escape of a key value (mirage/info.h): a backslash is written
    as two, a newline as backslash-n."""
    return value.replace("\\", "\\\\").replace("\n", "\\n")


def _add_package(plan: Plan, pkg: Package, who: str, wanted: dict[str, tuple[str, str]],
                 location: Location) -> None:
    """Merge pkg's bounds with those already asked for: the highest min, the lowest max.
    `wanted` remembers who asked for each bound, to name both sides of a contradiction."""
    index = next((i for i, p in enumerate(plan.packages) if p.name == pkg.name), None)
    if index is None:
        plan.packages.append(pkg)
        wanted[pkg.name] = (who, who)
        return
    prior = plan.packages[index]
    low, low_who = max(((prior.min, wanted[pkg.name][0]), (pkg.min, who)),
                       key=lambda b: version_key(b[0]) if b[0] else ())
    bounds = [(b, w) for b, w in ((prior.max, wanted[pkg.name][1]), (pkg.max, who)) if b]
    high, high_who = min(bounds, key=lambda b: version_key(b[0])) if bounds else (None, who)
    if low and high and version_key(low) >= version_key(high):
        raise ConfigError(f"package {pkg.name!r}: {low_who} needs version >= {low}, "
                          f"but {high_who} needs < {high}", location,
                          "the two devices need versions no release can satisfy")
    plan.packages[index] = Package(pkg.name, low, high)
    wanted[pkg.name] = (low_who, high_who)


def _check_c_function(defined: dict[str, Device], dev: Device) -> None:
    """Two user devices with one C function (same main/impl name, or the same connect=)
    must agree on its type and its sources, or only the compiler or the linker would say so."""
    if not dev.user or dev.connect is None:
        return
    prior = defined.setdefault(dev.connect, dev)
    if prior is dev:
        return
    what = "main" if dev.result_typ.is_job else "impl"
    types = [(d.typ, tuple(c_param_type(a) for a in d.c_args)) for d in (prior, dev)]
    if types[0] != types[1]:
        shown = [f"{t}" + (f" with c_args ({', '.join(c)})" if c else "") for t, c in types]
        raise ConfigError(f"two {what}({dev.name!r}, ...) with different types: {shown[0]} and {shown[1]}",
                          dev.location, f"both define the C function {dev.connect}; the other is at "
                          f"{prior.location}: give one of them another name")
    if prior.sources != dev.sources:
        raise ConfigError(f"two {what}({dev.name!r}, ...) with different sources: "
                          f"{list(prior.sources)} and {list(dev.sources)}", dev.location,
                          f"both define the C function {dev.connect}; the other is at {prior.location}: "
                          f"give one of them another name")


def _header_found(plan: Plan, header: str) -> bool:
    return any((d / header).is_file() for d in (RUNTIME / "include", plan.folder, *map(Path, plan.target.include)))


def _collect(plan: Plan, order: list[Node], reg: Registration, check_files: bool = True) -> None:
    args: dict[str, RuntimeArg] = {}
    defined: dict[str, Device] = {}
    wanted: dict[str, tuple[str, str]] = {}
    for node in order:
        dev = node.device
        _check_c_function(defined, dev)
        for name in dev.drivers:
            path = plan.target.driver(name)
            if path is None:
                able = targets_with_driver(name)
                choose = "if_impl(Key.is_unix, ...)" if able == ["unix"] else "match_impl(Key.target, ...)"
                raise ConfigError(f"{dev.name} is not available on target {plan.target.name}, only on "
                                  f"{', '.join(able) or 'no target'}", node.location,
                                  f"{plan.target.name} has no {name} driver; use another {dev.result_typ} "
                                  f"device there, with {choose}")
            if path not in plan.driver_sources:
                plan.driver_sources.append(path)
        for arg in dev.boot_args:
            prior = args.get(arg.name)
            if prior is not None and prior != arg:
                raise ConfigError(f"duplicate boot argument --{arg.name}", arg.location,
                                  f"it is also declared at {prior.location}; give one of them another name")
            clash = next((a for a in args.values() if arg.short and a.short == arg.short and a.name != arg.name), None)
            if clash is not None:
                raise ConfigError(f"boot arguments --{arg.name} and --{clash.name} both use -{arg.short}",
                                  arg.location, f"--{clash.name} is declared at {clash.location}")
            args.setdefault(arg.name, arg)
        own = (dev.result_typ.header,) if dev.result_typ.header and dev.connect else ()
        for header in dev.headers or own:
            if header not in plan.headers:
                if check_files and not _header_found(plan, header):
                    raise ConfigError(f"header <{header}> of {dev.name} : {dev.typ} is missing", node.location,
                                      f"create {plan.folder / header} declaring {dev.result_typ.c_type} "
                                      f"(a module type typ('{dev.result_typ.name}') is declared there)")
                plan.headers.append(header)
        for src in dev.sources:
            if dev.user:
                path = plan.folder / src
                if check_files and not path.is_file():
                    raise ConfigError(f"missing C source {src!r} of device {dev.name}", dev.location,
                                      f"looked for {path}")
                if path not in plan.user_sources:
                    plan.user_sources.append(path)
            elif src not in plan.runtime_sources:
                plan.runtime_sources.append(src)
        for entry in dev.manifest:
            _add_manifest(plan, entry, node.location)
        for folder in dev.embeds:
            plan.embedded[node.var] = scan(plan.folder, folder, node.location)
        for pkg in dev.packages:
            _add_package(plan, pkg, f"{dev.name} ({node.location})", wanted, node.location)
    for pkg in reg.packages:
        _add_package(plan, pkg, f"register ({reg.location})", wanted, reg.location)
    plan.runtime_args = list(args.values())
    plan.user_sources += _register_sources(plan, reg)


_MANIFEST_NAME = re.compile(r"^[A-Za-z0-9]{1,67}$")
MANIFEST_MAX = 63  # 64 entries, the first reserved


def _add_manifest(plan: Plan, entry: HostDevice, location: Location) -> None:
    kind, name = entry.kind, entry.name
    for prior in plan.manifest:
        if prior == entry:
            return
        if prior.name == name:
            raise ConfigError(f"two devices are named {name!r} ({prior.kind} and {kind})", location,
                              "give each block and network device its own name")
    if plan.target.solo5:
        if not _MANIFEST_NAME.match(name):
            raise ConfigError(f"{kind} device name {name!r} cannot be a Solo5 manifest name", location,
                              "use 1 to 67 letters and digits")
        if len(plan.manifest) == MANIFEST_MAX:
            raise ConfigError(f"more than {MANIFEST_MAX} block and network devices", location,
                              "Solo5 manifests hold at most 63 devices")
    plan.manifest.append(entry)


def _register_sources(plan: Plan, reg: Registration) -> list[Path]:
    if reg.src is None:
        return []
    if reg.src == "auto":
        found = sorted(plan.folder.glob("*.c"))
        return [p for p in found if p not in plan.user_sources]
    paths = []
    for name in reg.src:
        path = plan.folder / name
        if not path.is_file():
            raise ConfigError(f"missing C source {name!r} listed in register's src", reg.location,
                              f"looked for {path}")
        if path not in plan.user_sources:
            paths.append(path)
    return paths
