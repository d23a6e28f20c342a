# The SConstruct `mirage-tools runtime` runs: scons -f THIS prefix=DIR target=NAME [cpu=...]
from SCons.Script import ARGUMENTS, Environment, Exit

import mirage_tools

if "prefix" not in ARGUMENTS:
    print("scons: error: give prefix=DIR, the folder to install the runtime into")
    Exit(2)
env = Environment(tools=["mirage"], toolpath=[mirage_tools.toolpath()])
env.MirageRuntime(ARGUMENTS["prefix"])
