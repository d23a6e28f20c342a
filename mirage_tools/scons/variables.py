"""Command-line variables: the common ones (target, VERBOSE, ...) and the configure keys
of config.py, parsed from `scons name=value` with clear errors and `scons -h` help."""
from __future__ import annotations

import difflib
import os
import shlex
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from SCons.Script import ARGUMENTS, Exit

from ..key import Key
from ..targets import RunOptions, all_targets


@dataclass(frozen=True)
class Common:
    target: str
    verbose: bool
    args: str
    compiledb: bool
    cache: str
    cache_size: int
    cpu: str
    oci: bool
    run: RunOptions = RunOptions()


COMMON_HELP = {
    "VERBOSE": "Show full compiler command lines (0 or 1).",
    "args": "Boot arguments passed by the `run` alias, e.g. args='--hello=Bonjour'.",
    "compiledb": "Write compile_commands.json for editors (0 or 1).",
    "cache": "Shared build cache folder (SCons CacheDir); default: the MIRAGE_CACHE environment variable.",
    "cache_size": "Prune the cache to this size at the start of a build (e.g. 2G; 0: never).",
    "oci": "Also write an OCI image layout for urunc under build/<target>/oci/ (0 or 1).",
    "cpu": "CPU features images may use: baseline (x86-64 with SSE2) or nosimd (general registers "
           "only: for KVM hosts that cannot run SIMD in guests, such as nested PVM).",
    "mem": "Guest memory for the `run` alias, e.g. mem=256M (default: the target's; not for unix).",
    "tap": "The tap the `run` alias attaches: tap=TAP for the one network device, or "
           "tap=NAME:TAP,NAME:TAP by manifest name.",
    "tender_args": "Extra arguments for the tender (QEMU on virtio, the process on unix) that `run` "
                   "starts, e.g. tender_args='--block-sync:storage'.",
}
CPU_LEVELS = ("baseline", "nosimd")
_known: set[str] = {"target", "prefix", *COMMON_HELP}
_helped: set[str] = set()
_warned: set[str] = set()


def fail(message: str) -> None:
    sys.stderr.write(f"scons: error: {message}\n")
    Exit(2)


def _bool(name: str, text: str) -> bool:
    lowered = text.lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off", ""):
        return False
    fail(f"{name}={text}: expected 0 or 1")
    return False


def common(env: Any, arguments: Mapping[str, str] = ARGUMENTS) -> Common:
    """Read target, VERBOSE, args and compiledb; `target=list` prints the targets and exits.
    `arguments`: the command line, with what build/last.conf remembers."""
    targets = all_targets()
    name = arguments.get("target", "unix")
    if name == "list":
        width = max(map(len, targets))
        print("Available targets:")
        for t in targets.values():
            print(f"  {t.name:<{width}}  {t.doc}")
        Exit(0)
    if name == "all":
        fail("target=all is for cleaning every target: scons -c target=all")
    if name not in targets:
        fail(f"unknown target {name!r}; choose one of: {', '.join(targets)} (scons target=list describes them)")
    if "__aliases__" not in _helped:
        _helped.add("__aliases__")
        env.Help(ALIASES_HELP, append=True, local_only=True)
    _add_help(env, "target", f"{Key.target.doc} ({'|'.join(targets)}; scons -c target=all cleans every target)",
              "unix", name)
    defaults = {"VERBOSE": "0", "compiledb": "0", "args": "", "cache": os.environ.get("MIRAGE_CACHE", ""),
                "cache_size": "2G", "cpu": "baseline", "oci": "0", "mem": "", "tap": "", "tender_args": ""}
    for var, doc in COMMON_HELP.items():
        _add_help(env, var, doc, defaults[var], arguments.get(var, defaults[var]))
    cache_size = arguments.get("cache_size", defaults["cache_size"])
    try:
        size = parse_bytes(cache_size)
    except ValueError:
        fail(f"cache_size={cache_size}: expected a size such as 500M or 2G")
    cpu = arguments.get("cpu", "baseline")
    if cpu not in CPU_LEVELS:
        fail(f"cpu={cpu}: expected one of {', '.join(CPU_LEVELS)}")
    return Common(name, _bool("VERBOSE", arguments.get("VERBOSE", "0")), arguments.get("args", ""),
                  _bool("compiledb", arguments.get("compiledb", "0")),
                  arguments.get("cache", defaults["cache"]), size, cpu, _bool("oci", arguments.get("oci", "0")),
                  _run_options(arguments))


def _run_options(arguments: Mapping[str, str]) -> RunOptions:
    """mem=, tap= and tender_args=, checked for form here; what they name (a network
    device, a memory size the target accepts) is checked when `run` starts."""
    mem = arguments.get("mem", "")
    mem_mib = None
    if mem:
        try:
            size = parse_bytes(mem if mem[-1:].isalpha() else mem + "M")  # a bare number is MiB
        except ValueError:
            size = 0
        if size <= 0 or size % (1 << 20):
            fail(f"mem={mem}: expected a whole number of MiB such as 256, 256M or 1G")
        mem_mib = size >> 20
    taps: dict[str, str] = {}
    for part in filter(None, arguments.get("tap", "").split(",")):
        name, _, tap = part.rpartition(":")
        if not tap or len(tap) > 15 or "/" in tap or name in taps:
            fail(f"tap={arguments['tap']}: expected TAP or NAME:TAP,... (a tap name is 1 to 15 characters, "
                 "no '/'; each NAME once)")
        taps[name] = tap
    if "" in taps and len(taps) > 1:
        fail(f"tap={arguments['tap']}: name each network device (NAME:TAP,...) when giving several taps")
    try:
        extra = tuple(shlex.split(arguments.get("tender_args", "")))
    except ValueError as e:
        fail(f"tender_args={arguments['tender_args']}: {e}")
        extra = ()
    return RunOptions(mem_mib, taps, extra)


ALIASES_HELP = ("Aliases (scons ALIAS):\n"
                "  run       build, then boot the image (boot arguments: args='...')\n"
                "  describe  print the resolved device graph\n"
                "Variables (scons NAME=value):\n\n")


def parse_bytes(text: str) -> int:
    """"500M", "2G", "1024" -> bytes."""
    units = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}
    text = text.strip().upper().removesuffix("IB").removesuffix("B")
    unit = text[-1:] if text[-1:] in units else ""
    number = text[: len(text) - len(unit)]
    if not number.isdigit():
        raise ValueError(text)
    return int(number) * units[unit]


def key_values(env: Any, keys: Iterable[Key], arguments: Mapping[str, str] = ARGUMENTS) -> dict[str, object]:
    """Parse the configure keys given on the command line (`arguments`, with what
    build/last.conf remembers); document every key in -h."""
    values: dict[str, object] = {}
    for key in keys:
        if key.name == "target":
            continue
        _known.add(key.name)
        choices = f" ({'|'.join(map(key.render, key.choices))})" if key.choices else ""
        default = "" if key.default is None else key.render(key.default)
        _add_help(env, key.name, f"{key.doc or 'configure key'} [{key.type.__name__}]{choices}", default,
                  arguments.get(key.name, default))
        if key.name in arguments:
            try:
                values[key.name] = key.parse(arguments[key.name])
            except ValueError as e:
                fail(f"{e} (key declared at {key.location})")
    return values


def warn_unknown(arguments: Mapping[str, str] = ARGUMENTS) -> None:
    for name in sorted(set(arguments) - _known - _warned):
        _warned.add(name)
        close = difflib.get_close_matches(name, _known, n=1, cutoff=0.6) or [
            k for k in _known if k.lower() == name.lower()][:1]
        guess = f"did you mean {close[0]}={arguments[name]}? " if close else ""
        sys.stderr.write(f"scons: warning: unknown variable {name}={arguments[name]} is ignored; {guess}"
                         f"(known: {', '.join(sorted(_known))}; see scons -h)\n")


def _add_help(env: Any, name: str, doc: str, default: str, actual: str) -> None:
    if name in _helped:
        return
    _helped.add(name)
    # env.Help, not the global Help(): that one builds a whole DefaultEnvironment (0.1 s).
    env.Help(f"{name}: {doc}\n    default: {default or '(empty)'}\n    actual: {actual or '(empty)'}\n\n",
         append=True, local_only=True)
