"""The output folder itself and what is in it: -o naming a file or a mount point, a folder that is a
link, links inside it, its mode, group and empty folders, and manifest.json files docgen did not
write. Each run here is refused before rendering, or replays a recorded one (writer_replay)."""

from __future__ import annotations

import errno
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from docgen import cli, disk, generate, manifest, outdir
from docgen.artifacts import Options
from docgen.errors import DocgenError, display_path

from .bounded import docgen
from .conftest import MINIMAL
from .writer_replay import Recording, assert_whole_but, record, replay, tree

FOREIGN = (
    "这个文件夹里已有文件，但没有 docgen 的 manifest.json，不是 docgen 生成的输出文件夹，"
    "其中同名的文件会被覆盖。请用 -o 指定一个新的或空的文件夹；确定要写在这里，加 --force 重新运行。"
)


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[Path, Recording]]:
    """The minimal edition generated once for real (its folder) and its artifacts for replay."""
    out = tmp_path_factory.mktemp("recorded") / "out"
    return out, {MINIMAL: record(MINIMAL, out)}


@pytest.fixture
def first(recorded: tuple[Path, dict[Path, Recording]], monkeypatch: pytest.MonkeyPatch) -> Path:
    """A docgen output folder; runs in the test replay the recorded artifacts."""
    replay(monkeypatch, recorded[1])
    return recorded[0]


def refusal(out: Path, **kwargs: Any) -> list[str]:
    """Generate into ``out`` expecting a refusal: its located messages; nothing around ``out``
    (its parent's whole tree) changed."""
    before = tree(out.parent)
    with pytest.raises(DocgenError) as info:
        generate.generate(MINIMAL, out, **kwargs)
    assert tree(out.parent) == before
    return [str(p) for p in info.value.problems] or [info.value.text]


def usage_error(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    """The CLI's exit 2 and its message, without a traceback."""
    with pytest.raises(SystemExit) as info:
        cli.main(["generate", str(MINIMAL), *args])
    assert info.value.code == 2
    return "".join(capsys.readouterr().err.split())


# --- -o: a file, below a file, a mount point --------------------------------------------------------


@pytest.mark.usefixtures("no_render")
def test_o_naming_a_file_is_a_usage_error_and_the_file_is_untouched(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """It was swapped away as .<name>.staging-<pid>, and the next run deleted it."""
    target = tmp_path / "成绩.xlsx"
    target.write_bytes(b"the office's spreadsheet")
    before = tree(tmp_path)
    message = f"{display_path(target)}:{outdir.IS_FILE}"
    assert message.replace(" ", "") in usage_error(capsys, "-o", str(target))
    assert refusal(target) == [f"{display_path(target)}: {outdir.IS_FILE}"]
    assert tree(tmp_path) == before


@pytest.mark.usefixtures("no_render")
def test_o_below_a_file_is_located_at_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """It was a NotADirectoryError traceback after the checks."""
    file = tmp_path / "report.docx"
    file.write_bytes(b"docx")
    out = file / "out" / "quanyibei"
    shown = f"{display_path(file)}: {outdir.BELOW_FILE.format(name='quanyibei')}"
    assert shown.replace(" ", "") in usage_error(capsys, "-o", str(out))
    assert refusal(out) == [shown]


@pytest.mark.usefixtures("no_render")
def test_a_mount_point_is_refused_before_rendering(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Simulated as the kernel has it: ismount says so, and renaming it fails with EBUSY (it was a
    traceback after the whole render). test_a_real_mount_point… does it with a real mount."""
    out = tmp_path / "share"
    out.mkdir()
    real_ismount = os.path.ismount
    monkeypatch.setattr(os.path, "ismount", lambda p: Path(p) == out or real_ismount(p))
    monkeypatch.setattr(disk, "exchange", busy(out))
    monkeypatch.setattr(os, "rename", busy(out, os.rename))
    shown = f"{display_path(out)}: {outdir.MOUNT.format(example=out / 'docgen')}"
    assert shown.replace(" ", "") in usage_error(capsys, "-o", str(out))
    assert refusal(out) == [shown]


def busy(mount: Path, real: Any = None) -> Any:
    def call(a: Any, b: Any, *args: Any) -> Any:
        if mount in (Path(a), Path(b)):
            raise OSError(errno.EBUSY, os.strerror(errno.EBUSY), str(b))
        return real(a, b, *args) if real else False

    return call


def test_a_bind_mount_ismount_cannot_see_is_refused_at_the_swap(
    first: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A bind mount of a folder on the same disk: if even mountinfo missed it, the swap's EBUSY
    is the same located message, and nothing changed."""
    out = tmp_path / "out"
    shutil.copytree(first, out)
    monkeypatch.setattr(disk, "exchange", busy(out))
    monkeypatch.setattr(os, "rename", busy(out, os.rename))
    before = tree(tmp_path)
    with pytest.raises(DocgenError) as info:
        generate.generate(MINIMAL, out)
    assert info.value.text == f"{display_path(out)}: {outdir.MOUNT.format(example=out / 'docgen')}"
    assert tree(tmp_path) == before


MOUNT_SCRIPT = """
set -e
mkdir -p "$2"
case "$1" in
  tmpfs) mount -t tmpfs none "$2" ;;
  bind) mkdir -p "$3" && mount --bind "$3" "$2" ;;
esac
touch "$2/办公室的文件.txt"
set +e
"$4" -m docgen generate "$5" -o "$2" --only report
echo "exit=$?"
ls -A "$2"
"""


@pytest.mark.parametrize("kind", ["tmpfs", "bind"])
def test_a_real_mount_point_is_refused_with_a_message(tmp_path: Path, kind: str) -> None:
    """In a private mount namespace (root; CI runs as root): a tmpfs, and a bind mount that
    os.path.ismount cannot see (same device)."""
    if subprocess.run(["unshare", "-m", "true"], capture_output=True).returncode != 0:
        pytest.skip("no mount namespaces here; test_a_mount_point_is_refused… simulates it")
    share = tmp_path / "share"
    script = ["sh", "-c", MOUNT_SCRIPT, "sh", kind, str(share), str(tmp_path / "src")]
    done = subprocess.run(
        ["unshare", "-m", *script, sys.executable, str(MINIMAL)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert "Traceback" not in done.stderr, done.stderr
    assert "exit=2" in done.stdout, done.stdout + done.stderr
    assert "这是一个挂载点" in done.stderr
    assert done.stdout.split("exit=2")[1].split() == ["办公室的文件.txt"]


# --- the output folder as a link, its mode, group and empty folders ---------------------------------


def test_an_output_folder_that_is_a_link_is_written_through(
    first: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """It was replaced by a local folder: the share kept stale outputs and the link was gone."""
    share = tmp_path / "share" / "quanyibei"
    shutil.copytree(first, share)
    (share / "report.docx").unlink()  # stale: the run must bring it back, on the share
    link = tmp_path / "local" / "out"
    link.parent.mkdir()
    link.symlink_to(share)
    swaps: list[tuple[Path, Path]] = []
    real_swap = disk.swap
    monkeypatch.setattr(disk, "swap", lambda a, b: swaps.append((a, b)) or real_swap(a, b))
    generate.generate(MINIMAL, link)
    assert link.is_symlink() and link.readlink() == share
    assert (share / "report.docx").read_bytes() == (first / "report.docx").read_bytes()
    assert [(a.parent, b) for a, b in swaps] == [(share.parent, share)]  # staged beside the target
    assert sorted(p.name for p in tmp_path.rglob("*") if p.name.startswith(".")) == []


@pytest.mark.usefixtures("no_render")
def test_an_output_folder_that_is_a_link_to_nowhere_is_refused(tmp_path: Path) -> None:
    link = tmp_path / "out"
    link.symlink_to(tmp_path / "share" / "gone")
    assert refusal(link) == [f"{display_path(link)}: {outdir.BROKEN_LINK}"]


def test_mode_group_and_empty_folders_are_kept(first: Path, tmp_path: Path) -> None:
    """A private 2770 group folder became world-readable 755 and root's; empty folders vanished."""
    out = tmp_path / "out"
    shutil.copytree(first, out)
    (out / "待整理" / "空的").mkdir(parents=True)
    (out / "空文件夹").mkdir()
    os.chown(out, -1, 1)
    out.chmod(0o2770)  # the office's private group folder
    os.chown(out / "certificates", -1, 1)
    (out / "certificates").chmod(0o2750)
    generate.generate(MINIMAL, out)
    kept = {p: (out / p).stat() for p in ("", "certificates")}
    mode = {p: (info.st_mode & 0o7777, info.st_gid) for p, info in kept.items()}
    assert mode == {"": (0o2770, 1), "certificates": (0o2750, 1)}
    assert (out / "待整理" / "空的").is_dir() and (out / "空文件夹").is_dir()
    written = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["files"]
    groups = {(out / f["path"]).stat().st_gid for f in [*written, {"path": "manifest.json"}]}
    assert groups == {1}  # every file docgen wrote took the folder's group, as the office's do
    assert_whole_but(out)


def test_a_read_only_folder_and_sub_folder_keep_their_modes_for_a_normal_user(
    first: Path, tmp_path: Path
) -> None:
    """Without root's right to write anywhere (the office's case): the folder's mode must not
    stop docgen from filling its replacement, and the read-only modes come back at the end."""
    out = tmp_path / "out"
    shutil.copytree(first, out)
    (out / "归档").mkdir()
    (out / "归档" / "去年.docx").write_bytes(b"archived")
    for folder in (out / "归档", out):
        folder.chmod(0o555)
    unprivileged = ["setpriv", "--bounding-set=-dac_override,-dac_read_search,-fowner"]
    command = ["-m", "docgen", "generate", str(MINIMAL), "-o", str(out), "--only", "report"]
    run = subprocess.run(
        [*unprivileged, sys.executable, *command],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr
    assert [(out / p).stat().st_mode & 0o7777 for p in ("", "归档")] == [0o555, 0o555]
    assert (out / "归档" / "去年.docx").read_bytes() == b"archived"
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


def test_a_folder_whose_group_this_user_cannot_give_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    os.chown(out, -1, 1)
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    monkeypatch.setattr(os, "getegid", lambda: 1000)
    monkeypatch.setattr(os, "getgroups", lambda: [1000])
    assert refusal(out) == [f"{display_path(out)}: {outdir.GROUP.format(gid=1)}"]


def test_a_file_with_a_backslash_in_its_name_is_carried(first: Path, tmp_path: Path) -> None:
    """It was a ValueError traceback (the name was judged as if docgen had made it)."""
    out = tmp_path / "out"
    shutil.copytree(first, out)
    (out / "备份\\旧报告.docx").write_bytes(b"kept")
    generate.generate(MINIMAL, out)
    assert (out / "备份\\旧报告.docx").read_bytes() == b"kept"
    assert_whole_but(out, "备份\\旧报告.docx")


# --- links inside the output folder -------------------------------------------------------------------


def linked_certificates(first: Path, tmp_path: Path) -> tuple[Path, Path]:
    """The office moved certificates/ to their archive and left a link in its place."""
    out = tmp_path / "work" / "out"
    shutil.copytree(first, out)
    elsewhere = tmp_path / "档案" / "证书"
    shutil.copytree(out / "certificates", elsewhere)
    (elsewhere / "其他.txt").write_text("别处的文件", encoding="utf-8")
    shutil.rmtree(out / "certificates")
    (out / "certificates").symlink_to(elsewhere)
    return out, elsewhere


def untouched(folder: Path) -> dict[str, tuple[int, bytes | None]]:
    """Each file's inode and bytes: a file deleted and written again with the same bytes differs."""
    return {k: ((folder / k).stat().st_ino, v) for k, v in tree(folder).items()}


def test_a_linked_sub_folder_is_refused_and_nothing_outside_changes(
    first: Path, tmp_path: Path
) -> None:
    """docgen deleted and wrote the files the link pointed at, before the swap, without --force."""
    out, elsewhere = linked_certificates(first, tmp_path)
    outside = untouched(elsewhere.parent)
    refused = refusal(out)
    assert untouched(elsewhere.parent) == outside
    assert refusal(out, only=["report"]) == refused  # not followed even where nothing is written
    assert refused == [guard_linked(out / "certificates", elsewhere)]


def test_force_replaces_a_linked_sub_folder_with_a_real_one(first: Path, tmp_path: Path) -> None:
    out, elsewhere = linked_certificates(first, tmp_path)
    outside = untouched(elsewhere.parent)
    generate.generate(MINIMAL, out, options=Options(force=True))
    assert not (out / "certificates").is_symlink()
    assert_whole_but(out)
    assert untouched(elsewhere.parent) == outside


def guard_linked(link: Path, target: Path) -> str:
    from docgen.guard import LINKED

    return f"{display_path(link)}: {LINKED.format(target=target)}"


# --- manifest.json files docgen did not write --------------------------------------------------------

PWA = {"name": "工会网站", "short_name": "工会", "start_url": "/", "icons": [], "files": []}


@pytest.mark.usefixtures("no_render")
def test_a_web_sites_manifest_does_not_make_a_folder_docgens(tmp_path: Path) -> None:
    """A website folder with a PWA manifest had its report.docx and manifest.json replaced."""
    out = tmp_path / "网站"
    out.mkdir()
    (out / "manifest.json").write_text(json.dumps(PWA), encoding="utf-8")
    (out / "report.docx").write_bytes(b"the site's own report")
    assert refusal(out) == [f"{display_path(out)}: {FOREIGN}"]


def near_misses(real: dict[str, Any]) -> dict[str, Any]:
    entry = real["files"][0]
    return {
        "another format": {**real, "format": "docgen-manifest/2"},
        "an extra key": {**real, "scope": "/"},
        "a key missing": {k: v for k, v in real.items() if k != "winners"},
        "an entry without sha256": {**real, "files": [{**entry, "sha256": None}]},
        "an entry outside the folder": {**real, "files": [{**entry, "path": "../x.pdf"}]},
        "a size as text": {**real, "files": [{**entry, "size": str(entry["size"])}]},
        "a list": [real],
    }


def test_only_docgens_exact_manifest_is_recognised(first: Path) -> None:
    real = json.loads((first / "manifest.json").read_text(encoding="utf-8"))
    assert real["format"] == manifest.FORMAT and manifest.recognised(real)
    legacy = {k: v for k, v in real.items() if k != "format"}  # docgen 0.1.0 wrote no marker
    assert manifest.recognised(legacy)
    for why, data in near_misses(real).items():
        assert not manifest.recognised(data), why


@pytest.mark.usefixtures("no_render")
@pytest.mark.parametrize("kind", ["link to /dev/zero", "FIFO", "sparse 100 MB", "link to ours"])
def test_a_manifest_that_is_no_regular_file_is_foreign_and_not_read(
    first: Path, tmp_path: Path, kind: str
) -> None:
    """A manifest.json linked to /dev/zero was read without bound; a FIFO hung the run."""
    out = tmp_path / "out"
    shutil.copytree(first, out)
    path = out / "manifest.json"
    path.rename(tmp_path / "ours.json")
    if kind == "link to /dev/zero":
        path.symlink_to("/dev/zero")
    elif kind == "FIFO":
        os.mkfifo(path)
    elif kind == "sparse 100 MB":
        with path.open("wb") as fh:
            fh.truncate(100 * 1024 * 1024)
    else:
        path.symlink_to(tmp_path / "ours.json")  # docgen never writes a link: not followed
    assert manifest.read(out) is None
    assert refusal(out) == [f"{display_path(out)}: {FOREIGN}"]


def test_a_manifest_linked_to_dev_zero_is_refused_cheaply(first: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    shutil.copytree(first, out)
    (out / "manifest.json").unlink()
    (out / "manifest.json").symlink_to("/dev/zero")
    run = docgen("generate", MINIMAL, "-o", out, "--only", "report", cpu_limit=10)
    run.assert_refused_cheaply()
    assert FOREIGN.replace(" ", "") in "".join(run.err.split())
