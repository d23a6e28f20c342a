"""cache=DIR: a clean build in another checkout takes every object from the shared cache;
the cache is pruned to cache_size at the start of a build."""
import os
import time

from mirage_tools.scons.cache import prune
from tests.sconsrun import built_lines, copy_example, scons


def test_second_checkout_builds_everything_from_the_cache(tmp_path):
    cache = tmp_path / "cache"
    first = copy_example("hello-key", tmp_path / "a")
    built = built_lines(scons(first, "target=spt", f"cache={cache}").stdout)
    compiled = [line for line in built if line.startswith(("CC ", "LINK ", "AS "))]
    assert len(compiled) > 20
    second = copy_example("hello-key", tmp_path / "b")
    out = scons(second, "target=spt", f"cache={cache}").stdout
    retrieved = [line for line in out.splitlines() if line.startswith("Retrieved")]
    assert [line for line in built_lines(out) if not line.startswith("GEN ")] == []  # nothing compiled
    assert len(retrieved) >= len(compiled)  # every object, image and tender (generated files too)


def test_mirage_cache_environment_variable(tmp_path):
    cache = tmp_path / "cache"
    folder = copy_example("hello", tmp_path / "a")
    os.environ["MIRAGE_CACHE"] = str(cache)
    try:
        scons(folder, "target=unix")
    finally:
        del os.environ["MIRAGE_CACHE"]
    assert any(p.is_file() for p in cache.rglob("*"))


def test_prune_drops_least_recently_used_first(tmp_path):
    now = time.time()
    for i in range(10):
        path = tmp_path / f"{i:02d}" / f"entry{i}"
        path.parent.mkdir()
        path.write_bytes(b"x" * 1000)
        os.utime(path, (now - 100 + i, now - 100 + i))
    freed = prune(tmp_path, 4500)
    left = sorted(p.name for p in tmp_path.rglob("entry*"))
    assert freed == 6000 and left == ["entry6", "entry7", "entry8", "entry9"]


def test_a_kv_ro_image_depends_on_contents_only(tmp_path):
    """crunch embeds no modification time: two clones (files touched at other times) give the
    same image bytes, and the second takes every object from the cache."""
    cache = tmp_path / "cache"
    env_epoch = os.environ.pop("SOURCE_DATE_EPOCH", None)
    try:
        first = copy_example("kv_ro", tmp_path / "a")
        scons(first, "target=unix", f"cache={cache}")
        second = copy_example("kv_ro", tmp_path / "b")
        for path in second.rglob("*"):
            if path.is_file():
                os.utime(path, (time.time() - 86400, time.time() - 86400))
        out = scons(second, "target=unix", f"cache={cache}").stdout
    finally:
        if env_epoch is not None:
            os.environ["SOURCE_DATE_EPOCH"] = env_epoch
    assert [line for line in built_lines(out) if not line.startswith("GEN ")] == [], out
    image = "build/unix/kv_ro"
    assert (first / image).read_bytes() == (second / image).read_bytes()
