"""SCons tool `mirage`: env.Tool("mirage") then env.Unikernel("config.py").

Drop this folder into a project's site_scons/site_tools/ (or name it on the toolpath,
see mirage_tools.toolpath()). The work is done by the installed mirage_tools package;
in a checkout of the repository it is found next to site_scons/."""
import os
import sys

try:
    import mirage_tools.scons as _glue
except ImportError:
    _checkout = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
    if not os.path.isdir(os.path.join(_checkout, "mirage_tools")):
        raise
    sys.path.insert(0, _checkout)
    import mirage_tools.scons as _glue


def generate(env):
    _glue.generate(env)


def exists(env):
    return _glue.exists(env)
