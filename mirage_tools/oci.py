"""OCI image layouts for urunc (and so Kubernetes): the unikernel under /unikernel/, the
annotations urunc reads on the manifest, and the same values base64-encoded in /urunc.json.
Deterministic: the same image gives the same bytes (tar and gzip timestamps fixed)."""
from __future__ import annotations

import base64
import gzip
import hashlib
import io
import json
import os
import tarfile
from dataclasses import dataclass
from pathlib import Path

from .cmdline import solo5_cmdline

MANIFEST = "application/vnd.oci.image.manifest.v1+json"
CONFIG = "application/vnd.oci.image.config.v1+json"
LAYER = "application/vnd.oci.image.layer.v1.tar+gzip"
PREFIX = "com.urunc.unikernel."


@dataclass(frozen=True)
class UnikernelImage:
    image: Path               # the built unikernel
    hypervisor: str           # "hvt", "spt", "qemu" (urunc's names)
    args: tuple[str, ...]     # boot arguments, quoted into one cmdline for urunc
    block: Path | None = None  # a block image to ship beside it
    ref: str = "latest"


def urunc_annotations(u: UnikernelImage) -> dict[str, str]:
    values = {
        "unikernelType": "mirage",  # Solo5-ABI images, as MirageOS builds them
        "hypervisor": u.hypervisor,
        "binary": f"/unikernel/{u.image.name}",
        "cmdline": solo5_cmdline(u.args),
    }
    if u.block is not None:
        values["block"] = f"/unikernel/{u.block.name}"
        values["blkMntPoint"] = "/data"
    return {PREFIX + k: v for k, v in values.items()}


def _epoch() -> int:
    value = os.environ.get("SOURCE_DATE_EPOCH", "0")
    return int(value) if value.isdigit() else 0


def _layer(u: UnikernelImage, notes: dict[str, str]) -> bytes:
    out = io.BytesIO()
    urunc = json.dumps({k: base64.b64encode(v.encode()).decode() for k, v in notes.items()},
                       indent=2, sort_keys=True).encode() + b"\n"
    files = [("unikernel/" + u.image.name, u.image.read_bytes(), 0o755), ("urunc.json", urunc, 0o644)]
    if u.block is not None:
        files.append(("unikernel/" + u.block.name, u.block.read_bytes(), 0o644))
    with tarfile.open(fileobj=out, mode="w", format=tarfile.PAX_FORMAT) as tar:
        folder = tarfile.TarInfo("unikernel")
        folder.type, folder.mode, folder.mtime = tarfile.DIRTYPE, 0o755, _epoch()
        tar.addfile(folder)
        for name, data, mode in sorted(files):
            info = tarfile.TarInfo(name)
            info.size, info.mode, info.mtime = len(data), mode, _epoch()
            tar.addfile(info, io.BytesIO(data))
    return out.getvalue()


def _blob(folder: Path, data: bytes) -> tuple[str, int]:
    digest = "sha256:" + hashlib.sha256(data).hexdigest()
    path = folder / "blobs" / "sha256" / digest.split(":", 1)[1]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return digest, len(data)


def _json(value: object) -> bytes:
    return json.dumps(value, indent=2, sort_keys=True).encode() + b"\n"


def write_layout(u: UnikernelImage, folder: Path) -> None:
    """Write the OCI image layout `folder` (oci-layout, index.json, blobs/)."""
    notes = urunc_annotations(u)
    tar = _layer(u, notes)
    layer = gzip.compress(tar, mtime=0)
    folder.mkdir(parents=True, exist_ok=True)
    for old in (folder / "blobs" / "sha256").glob("*"):
        old.unlink()
    layer_digest, layer_size = _blob(folder, layer)
    config = {
        "architecture": "amd64", "os": "linux",
        "config": {"Labels": notes},
        "rootfs": {"type": "layers", "diff_ids": ["sha256:" + hashlib.sha256(tar).hexdigest()]},
    }
    config_digest, config_size = _blob(folder, _json(config))
    manifest = {
        "schemaVersion": 2, "mediaType": MANIFEST,
        "config": {"mediaType": CONFIG, "digest": config_digest, "size": config_size},
        "layers": [{"mediaType": LAYER, "digest": layer_digest, "size": layer_size}],
        "annotations": notes,
    }
    manifest_digest, manifest_size = _blob(folder, _json(manifest))
    index = {"schemaVersion": 2, "manifests": [{
        "mediaType": MANIFEST, "digest": manifest_digest, "size": manifest_size,
        "annotations": {"org.opencontainers.image.ref.name": u.ref}}]}
    (folder / "oci-layout").write_bytes(_json({"imageLayoutVersion": "1.0.0"}))
    (folder / "index.json").write_bytes(_json(index))
