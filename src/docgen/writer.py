"""The only module that writes outputs: artifacts stream into a staging folder next to the output
folder, and the staging folder replaces it only when every artifact succeeded (manifest last).

A failure or a killed process therefore never leaves half an output folder and never destroys the
previous one; leftovers of a killed run are removed by the next one.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import errno
import hashlib
import json
import os
import shutil
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any

from .artifacts import Artifact
from .errors import DocgenError

MANIFEST = "manifest.json"


@dataclass
class Written:
    """What one run wrote: each file with its output, size and sha256."""

    folder: Path
    files: list[dict[str, Any]] = field(default_factory=list)

    def by_output(self) -> dict[str, tuple[int, int]]:
        """output → (file count, total bytes)."""
        totals: dict[str, tuple[int, int]] = {}
        for f in self.files:
            count, size = totals.get(f["output"], (0, 0))
            totals[f["output"]] = (count + 1, size + f["size"])
        return totals


def write(
    artifacts: Iterable[tuple[str, Artifact]],
    out: Path,
    replaced: set[str],
    manifest: dict[str, Any],
) -> Written:
    """Write every (output, artifact) into ``out`` atomically.

    Files of outputs not in ``replaced`` (a ``--only`` run) are carried over from the previous
    folder unchanged, so regenerating the report keeps the certificates.
    """
    out = out.absolute()
    out.parent.mkdir(parents=True, exist_ok=True)
    _remove_leftovers(out)
    staging = out.parent / f".{out.name}.staging-{os.getpid()}"
    try:
        written = Written(staging)
        _carry_over(out, staging, replaced, written)
        for output, artifact in artifacts:
            written.files = [f for f in written.files if f["path"] != artifact.name]
            written.files.append(_store(staging, output, artifact))
        _write_manifest(staging, written, manifest)
        _replace(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    written.folder = out
    return written


def _store(staging: Path, output: str, artifact: Artifact) -> dict[str, Any]:
    target = _inside(staging, artifact.name)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.unlink(missing_ok=True)  # a file carried over from the previous run, now re-made
    if artifact.source is not None:
        shutil.move(artifact.source, target)
        _fsync(target)
    else:
        assert artifact.data is not None  # noqa: S101 - Artifact guarantees one of the two
        with target.open("xb") as fh:
            fh.write(artifact.data)
            fh.flush()
            os.fsync(fh.fileno())
    return {"path": artifact.name, "output": output, **_digest(target)}


def _inside(folder: Path, name: str) -> Path:
    rel = PurePosixPath(name)
    if rel.is_absolute() or ".." in rel.parts or not rel.parts:
        raise ValueError(f"artifact name must be a relative path inside the output: {name!r}")
    return folder.joinpath(*rel.parts)


def _digest(path: Path) -> dict[str, Any]:
    sha = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            sha.update(block)
    return {"size": path.stat().st_size, "sha256": sha.hexdigest()}


def _fsync(path: Path) -> None:
    with path.open("rb") as fh:
        os.fsync(fh.fileno())


def read_manifest(folder: Path) -> dict[str, Any] | None:
    try:
        data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _carry_over(out: Path, staging: Path, replaced: set[str], written: Written) -> None:
    staging.mkdir()
    previous = read_manifest(out) if out.is_dir() else None
    if previous is None:
        return
    for entry in previous.get("files", []):
        if entry.get("output") in replaced:
            continue
        source = _inside(out, entry["path"])
        if not source.is_file():
            continue
        target = _inside(staging, entry["path"])
        target.parent.mkdir(parents=True, exist_ok=True)
        _link_or_copy(source, target)
        written.files.append({**entry, **_digest(target)})


def _link_or_copy(source: Path, target: Path) -> None:
    try:
        os.link(source, target)  # outputs are never modified in place, so sharing is safe
    except OSError:
        shutil.copy2(source, target)


def _write_manifest(staging: Path, written: Written, manifest: dict[str, Any]) -> None:
    written.files.sort(key=lambda f: f["path"])
    outputs = sorted({f["output"] for f in written.files})
    data = {**manifest, "outputs": outputs, "files": written.files}
    target = staging / MANIFEST
    with target.open("x", encoding="utf-8") as fh:
        json.dump(data, fh, ensure_ascii=False, indent=2, sort_keys=False)
        fh.write("\n")
        fh.flush()
        os.fsync(fh.fileno())
    _fsync_dir(staging)


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):  # not every platform can open a directory
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _replace(staging: Path, out: Path) -> None:
    """Put ``staging`` where ``out`` is: one atomic exchange on Linux, two renames elsewhere."""
    if not out.exists():
        staging.rename(out)
    elif _exchange(staging, out):
        shutil.rmtree(staging)  # now holds the previous outputs
    else:
        old = out.parent / f".{out.name}.old-{os.getpid()}"
        out.rename(old)
        staging.rename(out)
        shutil.rmtree(old)
    _fsync_dir(out.parent)


def _exchange(a: Path, b: Path) -> bool:
    """renameat2(RENAME_EXCHANGE): swap two folders in one step. False where unsupported."""
    libc_name = ctypes.util.find_library("c")
    if os.name != "posix" or not libc_name:
        return False
    libc = ctypes.CDLL(libc_name, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    at_fdcwd, rename_exchange = -100, 2
    result = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange)
    if result == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EPERM):
        return False
    raise OSError(err, os.strerror(err), str(b))


def _remove_leftovers(out: Path) -> None:
    """Clean up after runs that were killed (their process no longer exists).

    A staging folder is discarded. A previous output set moved aside (killed between the two
    renames of the non-Linux swap) is put back if nothing replaced it, so it is never lost.
    """
    for path in sorted(out.parent.glob(f".{out.name}.*-*")):
        kind, _, pid = path.name.rpartition("-")
        if not pid.isdigit() or _alive(int(pid)):
            continue
        if kind.endswith(".old") and not out.exists():
            path.rename(out)
        elif kind.endswith((".staging", ".old")):
            shutil.rmtree(path, ignore_errors=True)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def check_writable(out: Path) -> None:
    """Fail early, before any rendering, when the output folder's parent cannot be written."""
    parent = out.absolute().parent
    probe = parent
    while not probe.exists():
        probe = probe.parent
    if not os.access(probe, os.W_OK):
        raise DocgenError(f"无法写入输出文件夹 {parent}：没有写权限")


def write_file(target: Path, data: bytes) -> Path:
    """One file, written whole or not at all (a temporary file beside it, then renamed)."""
    target = target.absolute()
    target.parent.mkdir(parents=True, exist_ok=True)
    temp = target.parent / f".{target.name}.{os.getpid()}.tmp"
    try:
        with temp.open("xb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        temp.replace(target)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return target
