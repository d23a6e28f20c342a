"""Human views of a configuration: a text listing of the resolved devices, and Graphviz
dot of either the resolved graph or the unresolved one (conditionals kept)."""
from __future__ import annotations

from .engine import Plan, collect_keys, roots, walk
from .impl import App, Device, If, Impl, Match
from .register import Registration


def describe_text(plan: Plan) -> str:
    keys = " ".join(f"{k.name}={k.render(plan.values[k.name])}" for k in plan.keys)
    out = [f"Name       {plan.name}", f"Target     {plan.target.name}", f"Keys       {keys}",
           f"Output     build/{plan.target.name}/{plan.target.image_name(plan.name)}"]
    if plan.runtime_args:
        shown = ["(required)" if a.required else "(optional)" if a.default_text is None else a.default_text
                 for a in plan.runtime_args]
        out.append("Boot args  " + " ".join(f"--{a.name}={v}" for a, v in zip(plan.runtime_args, shown)))
    if plan.packages:
        out.append("Packages   " + " ".join(map(str, plan.packages)))
    out.append("Devices (connect order):")
    rows = []
    for node in plan.nodes:
        uses = ", ".join(n.var or n.device.name for n in (*node.args, *node.deps))
        rows.append((node.var or node.device.name, f"{node.device.name} : {node.device.typ}",
                     f"({uses})" if uses else "", str(node.location)))
    widths = [max((len(r[i]) for r in rows), default=0) for i in range(3)]
    for row in rows:
        out.append("  " + "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=False)) + "  " + row[3])
    return "\n".join(line.rstrip() for line in out) + "\n"


def dot_string(text: object) -> str:
    """A Graphviz quoted string showing `text` as is: dot's own quoting (a backslash and a
    double quote escaped; a line break is dot's centred \\n; other control characters, which
    no label can show, become spaces). UTF-8 stays UTF-8: dot reads it (charset UTF-8)."""
    out = []
    for ch in str(text):
        if ch in '"\\':
            out.append("\\" + ch)
        elif ch == "\n":
            out.append("\\n")
        elif ord(ch) < 0x20 or ord(ch) == 0x7F:
            out.append(" ")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def _title(name: str, target: str | None, values: str) -> list[str]:
    title = name + (f"\ntarget {target}" if target else "") + (f"\n{values}" if values else "")
    return [f"  label={dot_string(title)};", "  labelloc=t;", "  fontname=Helvetica;"]


def dot_resolved(plan: Plan) -> str:
    keys = " ".join(f"{k.name}={k.render(plan.values[k.name])}" for k in plan.keys if k.name != "target")
    lines = [f"digraph {dot_string(plan.name)} {{", *_title(plan.name, plan.target.name, keys),
             "  rankdir=BT;", "  node [shape=box, fontname=Helvetica];"]
    ids = {id(n): f"n{i}" for i, n in enumerate(plan.nodes)}
    for node in plan.nodes:
        shape = ", shape=ellipse" if node.is_job else ""
        label = f"{node.var or node.device.name}\n{node.device.name} : {node.device.typ}"
        lines.append(f"  {ids[id(node)]} [label={dot_string(label)}{shape}];")
    for node in plan.nodes:
        for i, arg in enumerate(node.args, 1):
            if id(arg) in ids:
                lines.append(f"  {ids[id(arg)]} -> {ids[id(node)]} [label=\"{i}\"];")
        for d in node.deps:
            if id(d) in ids:
                lines.append(f"  {ids[id(d)]} -> {ids[id(node)]} [style=dashed];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def dot_unresolved(reg: Registration) -> str:
    """The graph before configure values choose branches: if_impl/match_impl as diamonds."""
    keys = " ".join(k.name for k in collect_keys(reg) if k.name != "target")
    lines = [f"digraph {dot_string(reg.name)} {{", *_title(reg.name, None, f"keys: {keys}" if keys else ""),
             "  rankdir=BT;", "  node [shape=box, fontname=Helvetica];"]
    ids: dict[Impl, str] = {}

    def ident(impl: Impl) -> str:
        if impl not in ids:
            ids[impl] = f"n{len(ids)}"
        return ids[impl]

    seen: set[Impl] = set()
    for root in roots(reg):
        for impl in walk(root):
            if impl in seen:
                continue
            seen.add(impl)
            me = ident(impl)
            if isinstance(impl, Device):
                lines.append(f"  {me} [label={dot_string(f'{impl.name} : {impl.typ}')}];")
                for d in impl.extra_deps:
                    lines.append(f"  {ident(d)} -> {me} [style=dashed];")
            elif isinstance(impl, App):
                lines.append(f"  {me} [label=\"$\", shape=circle];")
                lines.append(f"  {ident(impl.func)} -> {me} [label=\"functor\"];")
                for i, arg in enumerate(impl.args, 1):
                    lines.append(f"  {ident(arg)} -> {me} [label=\"{i}\"];")
            elif isinstance(impl, If):
                lines.append(f"  {me} [label={dot_string(f'if {impl.cond}')}, shape=diamond];")
                lines.append(f"  {ident(impl.then)} -> {me} [label=\"true\", style=dotted];")
                lines.append(f"  {ident(impl.otherwise)} -> {me} [label=\"false\", style=dotted];")
            elif isinstance(impl, Match):
                lines.append(f"  {me} [label={dot_string(f'match {impl.value}')}, shape=diamond];")
                for value, case in impl.cases:
                    lines.append(f"  {ident(case)} -> {me} [label={dot_string(repr(value))}, style=dotted];")
                lines.append(f"  {ident(impl.default)} -> {me} [label=\"default\", style=dotted];")
    lines.append("}")
    return "\n".join(lines) + "\n"
