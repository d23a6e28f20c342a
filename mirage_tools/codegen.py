"""Code generation: the resolved plan rendered through jinja2 templates into the files
the build compiles. Output is deterministic: the same plan gives the same bytes."""
from __future__ import annotations

import posixpath
from functools import cache

import jinja2

from .cargs import BootArg, CArg, CLiteral, Embedded, PlanFact, c_param_type
from .embed import EmbeddedFile
from .engine import Node, Plan, plan_fact
from .errors import Location
from .impl import Device
from .paths import TEMPLATES
from .typ import FunctorTyp, Typ

LINE_MARK = "@@LINE@@"


_PLAIN = frozenset(c for c in map(chr, range(0x20, 0x7F)) if c not in "\"'\\?")


def c_escape(text: object) -> str:
    """The one escaping of user text (docs, names, defaults, paths) for generated C and
    assembler. The result is printable ASCII without quote, backslash or '?' (trigraphs),
    and a '*' next to a '/' is escaped (so neither "/*" nor "*/" can appear): safe inside a
    string literal, a character literal, a #line file name, a .incbin path and a comment
    alike. Everything else becomes a three-digit octal escape of its UTF-8 bytes, so no
    digit after an escape is misread."""
    data = str(text).encode("utf-8", "surrogatepass")
    out = []
    for i, byte in enumerate(data):
        ch = chr(byte)
        if ch == "*" and (data[i - 1:i] == b"/" or data[i + 1:i + 2] == b"/"):
            out.append("\\052")
        else:
            out.append(ch if ch in _PLAIN else f"\\{byte:03o}")
    return "".join(out)


def c_string(text: object) -> str:
    """A C (or GNU assembler) string literal for `text`."""
    return f'"{c_escape(text)}"'


def c_char(text: str) -> str:
    """A C character literal for one ASCII character."""
    return f"'{c_escape(text)}'"


def c_comment(text: object) -> str:
    """`text` inside a /* comment */ (escaped the same way: it can neither end the comment
    nor open a nested one, nor break -Werror=comment)."""
    return c_escape(text)


def c_literal(value: CLiteral) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return f"INT64_C({value})" if not -(2**31) <= value < 2**31 else str(value)
    return c_string(value)


def _ret(c_type: str) -> str:
    """Spell a return type so `T name(void)` reads well for pointers and values alike."""
    return c_type if c_type.endswith("*") else c_type + " "


def _params(device: Device) -> list[Typ]:
    return list(device.typ.params) if isinstance(device.typ, FunctorTyp) else []


def c_arg(arg: CArg, node: Node, plan: Plan) -> str:
    """One connect argument as C, by its kind (see cargs)."""
    if isinstance(arg, PlanFact):
        return c_string(plan_fact(plan, arg.which, node.location))
    if isinstance(arg, BootArg):
        return f"mirage_arg_{arg.arg.c_name}()"
    if isinstance(arg, Embedded):
        return f"&{node.var}_index"
    return c_literal(arg)


def connect_call(node: Node, plan: Plan) -> str:
    args = [f"&{n.var}" for n in node.args if not n.is_job]
    if not node.is_job:
        args.insert(0, f"&{node.var}")
    args += [c_arg(v, node, plan) for v in node.device.c_args]
    return f"{node.device.connect}({', '.join(args)})"


def prototype(device: Device) -> str:
    names: dict[str, int] = {}
    params = []
    if not device.result_typ.is_job:
        params.append(f"{_ret(device.result_typ.c_type + ' *')}out")
    for typ in _params(device):
        if typ.is_job:
            continue
        count = names.get(typ.name, 0)
        names[typ.name] = count + 1
        name = typ.name if count == 0 else f"{typ.name}{count + 1}"
        params.append(f"{typ.c_type} *{name}")
    params += [f"{_ret(c_param_type(v))}arg{i}" for i, v in enumerate(device.c_args)]
    return f"int {device.connect}({', '.join(params) or 'void'})"


def _where(location: Location) -> str:
    return str(location)


@cache
def _env() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES)), trim_blocks=True, lstrip_blocks=True,
        keep_trailing_newline=True, undefined=jinja2.StrictUndefined, autoescape=False,
        # Compiling the templates costs more than the rest of a no-op rebuild: keep their
        # bytecode in jinja2's per-user cache directory.
        bytecode_cache=jinja2.FileSystemBytecodeCache())
    env.filters.update(hex_bytes=lambda h: ", ".join(f"0x{h[i:i + 2]}" for i in range(0, len(h), 2)),
                       c_string=c_string, ctype_ret=_ret, connect_call=connect_call, where=_where,
                       c_comment=c_comment, c_char=c_char)
    return env


def _fix_lines(text: str, display: str) -> str:
    """Return to the generated file's own numbering after each #line into config.py."""
    lines = text.split("\n")
    for i, line in enumerate(lines):
        if line == LINE_MARK:
            lines[i] = f"#line {i + 2} {c_string(display)}"
    return "\n".join(lines)


def generate(plan: Plan, gen_dir: str) -> dict[str, str]:
    """Render every generated file: name -> content. `gen_dir` is the folder the files
    go to, as the compiler sees it (for #line)."""
    env = _env()
    # A dict, not a list: a graph of thousands of devices must not compare each with each.
    user_devices = list(dict.fromkeys(node.device for node in plan.nodes if node.device.user))
    # Each prototype carries the line of config.py that defines its device, so a C
    # mismatch shows both that line (the declaration) and the call or definition in C.
    prototypes = list({prototype(d): d.location for d in reversed(user_devices)}.items())[::-1]
    structs = sorted({t.c_type for d in user_devices for t in (*_params(d), d.result_typ)
                      if t.c_type.startswith("struct ")})
    main_c = env.get_template("main.c.j2").render(plan=plan)
    header = env.get_template("mirage_app.h.j2").render(plan=plan, prototypes=prototypes, structs=structs)
    files = {"main.c": _fix_lines(main_c, f"{gen_dir}/main.c"),
             "mirage_app.h": _fix_lines(header, f"{gen_dir}/mirage_app.h")}
    if plan.target.solo5:
        files["manifest.c"] = env.get_template("manifest.c.j2").render(plan=plan)
    files.update(_embedded(env, plan))
    return files


def _embedded(env: jinja2.Environment, plan: Plan) -> dict[str, str]:
    """Per embedding device an index (<var>_index.c), and the assembler files holding the
    contents (.incbin of each distinct content once; see EmbeddedFile.unit)."""
    files: dict[str, str] = {}
    units: dict[str, dict[str, EmbeddedFile]] = {}  # assembler file -> symbol -> a file with that content
    for var, entries in sorted(plan.embedded.items()):
        node = next(n for n in plan.nodes if n.var == var)
        symbols = sorted({f.symbol for f in entries})
        files[f"{var}_index.c"] = env.get_template("crunch_index.c.j2").render(
            var=var, folder=node.device.embeds[0], files=entries, symbols=symbols)
        for f in entries:
            units.setdefault(f.unit, {}).setdefault(f.symbol, f)
    for unit, blobs in sorted(units.items()):
        # Paths relative to where the build runs (like plan.config), so no absolute path leaks.
        contents = [(symbol, posixpath.join(posixpath.dirname(plan.config), f.folder, f.key))
                    for symbol, f in sorted(blobs.items())]
        files[unit] = env.get_template("blob.s.j2").render(blobs=contents)
    return files
