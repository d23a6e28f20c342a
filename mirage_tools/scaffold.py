"""`mirage-tools new NAME`: a unikernel folder that builds and boots as is."""
from __future__ import annotations

from pathlib import Path

from .errors import ConfigError

CONFIG = '''"""{name}: a new unikernel."""
from mirage_tools import *

greeting = runtime_arg("greeting", str, default="Hello from {name}!", doc="What to print at boot.")

main_job = main("unikernel", console @ job, runtime_args=[greeting])

register("{name}", [main_job(default_console)])
'''

UNIKERNEL = '''/* {name}: prints the --greeting boot argument and exits. */
#include <mirage/console.h>

#include "mirage_app.h"

int unikernel_start(struct mirage_console *console)
{{
    mirage_console_printf(console, "%s\\n", mirage_arg_greeting());
    return 0;
}}
'''

SCONSTRUCT = '''# Build: scons target=unix (scons target=list for the others); boot: scons target=unix run
import mirage_tools

env = Environment(tools=["mirage"], toolpath=[mirage_tools.toolpath()])
env.Unikernel("config.py")
'''


def scaffold(folder: Path) -> Path:
    name = folder.name
    if not name.replace("-", "_").isidentifier():
        raise ConfigError(f"{name!r} is not a usable unikernel name", hint="use letters, digits, '-' and '_'")
    if folder.exists() and any(folder.iterdir()):
        raise ConfigError(f"{folder} already exists and is not empty", hint="choose a new name")
    folder.mkdir(parents=True, exist_ok=True)
    files = {"config.py": CONFIG, "unikernel.c": UNIKERNEL, "SConstruct": SCONSTRUCT}
    for filename, template in files.items():
        (folder / filename).write_text(template.format(name=name))
    return folder
