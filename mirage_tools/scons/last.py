"""The last configuration of a folder (like `mirage configure` then `make`): the target and,
per target, the configure keys given on the command line, kept in build/last.conf beside the
SConstruct. `scons` alone builds that again; `scons target=spt` switches, with spt's keys."""
from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Last:
    path: Path
    target: str | None = None
    keys: dict[str, dict[str, str]] = field(default_factory=dict)  # target -> key -> text
    used: list[str] = field(default_factory=list)  # what this run took from the file, name=value

    @classmethod
    def load(cls, path: Path) -> Last:
        try:
            data = json.loads(path.read_text())
            target = data.get("target")
            keys = {str(t): {str(k): str(v) for k, v in ks.items()} for t, ks in data.get("keys", {}).items()}
            return cls(path, target if isinstance(target, str) else None, keys)
        except (OSError, ValueError, AttributeError):
            return cls(path)  # missing or unreadable: no memory, the defaults apply

    def arguments(self, given: Mapping[str, str], key_names: Iterable[str]) -> dict[str, str]:
        """The command line with the remembered target (when none is given) and that target's
        remembered keys (those config.py still declares and the command line does not set)."""
        args, self.used = dict(given), []
        if "target" not in args and self.target is not None:
            args["target"] = self.target
            self.used.append(f"target={self.target}")
        for name, text in self.keys.get(args.get("target", "unix"), {}).items():
            if name in key_names and name not in args:
                args[name] = text
                self.used.append(f"{name}={text}")
        return args

    def announce(self, shown: str) -> None:
        if self.used:
            print(f"scons: as last time ({shown}): {' '.join(self.used)}")
            sys.stdout.flush()

    def save(self, target: str, given: Mapping[str, str], key_names: Iterable[str]) -> None:
        """Remember target, and the keys given now on top of the ones remembered for it."""
        keys = dict(self.keys.get(target, {}))
        keys.update({k: v for k, v in given.items() if k in key_names})
        if target == self.target and keys == self.keys.get(target, {}):
            return
        self.target, self.keys = target, {**self.keys, target: keys}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps({"target": self.target, "keys": self.keys}, indent=1, sort_keys=True) + "\n")
        os.replace(tmp, self.path)
