"""Inputs that are cheap to send and expensive to process are refused before the expense: each is
given to `docgen check` in a child process (tests/bounded.py), on the sample cut down to two
winners and one photo, and must exit 1 with a located Chinese message, no traceback, within
the CPU and peak-RSS bounds (about 2 s and 300 MB; a refused input costs ~100 MB)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image

from docgen import photos

from . import bombs, bounded
from .bounded import small_sample
from .conftest import MINIMAL
from .test_config_paths import docgen_home, name_in, svg_text, use_bomb

PHOTO_BOMBS: dict[str, tuple[Callable[[], bytes], str]] = {
    # name: (the file, what the message says): each was measured at 1.2–2.4 GB peak before.
    "webp.webp": (lambda: bombs.webp(16_383, 7_300), "16383×7300 像素，解码需要约 1,854 MB"),
    "png.png": (lambda: bombs.png(10_900, 10_900), "10900×10900 像素，解码需要约 498 MB"),
    "heic.heic": (lambda: bombs.heic(10_000, 10_000), "10000×10000 像素，解码需要约 469 MB"),
    "progressive.jpg": (
        lambda: bombs.jpeg(19_990, 20_000),
        "19990×20000 像素，解码需要约 1,208 MB",
    ),
    "multiscan.jpg": (
        lambda: bombs.jpeg(19_990, 20_000, progressive=False),
        "19990×20000 像素，解码需要约 1,208 MB",
    ),
}


def with_photos(folder: Path, names: list[str]) -> tuple[Path, dict[str, str]]:
    """The small sample with ``names`` as the photos of its one group; each photo's location."""
    path = small_sample(folder)
    text = path.read_text(encoding="utf-8")
    listed = "".join(f"  - photos/{name}\n" for name in names)
    text = text.replace("  - photos/01-meeting.jpg\n", listed)
    path.write_text(text, encoding="utf-8")
    lines = text.splitlines()
    where = {
        name: f"edition.yaml:{lines.index(f'  - photos/{name}') + 1}:5: photos[0].files[{i}]: "
        for i, name in enumerate(names)
    }
    return path, where


def test_photo_bombs_under_the_pixel_caps_are_refused_cheaply(tmp_path: Path) -> None:
    """Before: each was decoded (1.2–2.4 GB, 5–10 s of CPU) and `check` passed. Now the
    decoded size is judged from the header, at load, and every one is reported in one run."""
    path, where = with_photos(tmp_path / "edition", [*PHOTO_BOMBS, "pipe.jpg"])
    for name, (make, _) in PHOTO_BOMBS.items():
        (path.parent / "photos" / name).write_bytes(make())
    os.mkfifo(path.parent / "photos" / "pipe.jpg")  # no writer: open() would wait for ever
    run = bounded.docgen("check", path)
    run.assert_refused_cheaply()
    for name, (_, message) in PHOTO_BOMBS.items():
        assert f"{where[name]}{name}：照片有 {message} 内存，超过上限 256 MB" in run.text, run.text
    assert f"{where['pipe.jpg']}pipe.jpg：这是一个管道（FIFO），不是普通文件" in run.text


def test_special_files_named_in_the_settings_are_refused_cheaply(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Before: `check` passed all four; generate then waited for ever on each FIFO and read
    /dev/zero until it held gigabytes."""
    home = docgen_home(tmp_path / "home")
    assets, printers = home / "config" / "assets", home / "config" / "printers"
    os.mkfifo(assets / "logo.png")
    (assets / "zero.png").symlink_to("/dev/zero")
    os.mkfifo(assets / "scan.jpg")
    os.mkfifo(printers / "pipe.yaml")
    expected = {
        name_in(home, "logo", "assets/logo.png"): "这是一个管道（FIFO），不是普通文件",
        name_in(home, "seal", "assets/zero.png"): "在 config 文件夹之外，不能使用",
        name_in(home, "stock.scan", "assets/scan.jpg"): "这是一个管道（FIFO），不是普通文件",
        name_in(home, "stock.printer", "pipe"): "config/printers/pipe.yaml：这是一个管道（FIFO）",
    }
    _assert_refused_at(home, expected, tmp_path, monkeypatch)


def test_expensive_images_named_in_the_settings_are_refused_cheaply(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Before: a 25 MB SVG logo passed `check` and kept WeasyPrint busy for minutes; a PNG bomb
    as a seal or scan was decoded whole by WeasyPrint."""
    home = docgen_home(tmp_path / "home")
    assets = home / "config" / "assets"
    (assets / "big.svg").write_text(svg_text('<rect width="1" height="1"/>' * 900_000))
    (assets / "use.svg").write_text(use_bomb(40))
    (assets / "bomb.png").write_bytes(bombs.png(10_900, 10_900))
    expected = {
        name_in(home, "logo", "assets/big.svg"): "超过上限 1.0 MB",
        name_in(home, "seal", "assets/use.svg"): "展开 <use> 后有 超过 50,000 个元素",
        name_in(home, "stock.scan", "assets/bomb.png"): "解码需要约 453 MB 内存",
    }
    _assert_refused_at(home, expected, tmp_path, monkeypatch)


def _assert_refused_at(
    home: Path, expected: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DOCGEN_HOME", str(home))
    run = bounded.docgen("check", small_sample(tmp_path / "edition"))
    run.assert_refused_cheaply()
    for where, message in expected.items():
        lines = [line for line in run.text.splitlines() if f"{where}" in line]
        assert lines and message in lines[0], (where, message, run.text)


@pytest.mark.parametrize(
    ("printer", "message"),
    [
        ("../../branding", "只能是 config/printers/ 中的文件名（不含 .yaml），不能是路径"),
        ("/etc/passwd", "不能是路径"),
        ("nope", "config/printers/nope.yaml：文件不存在；已有的打印机：example"),
    ],
)
def test_the_printer_option_names_a_profile_not_a_path(
    printer: str, message: str, tmp_path: Path
) -> None:
    """Before: --printer was joined into a path and read as YAML wherever it led."""
    path = small_sample(tmp_path / "edition")
    run = bounded.docgen(
        "generate", path, "-o", tmp_path / "out", "--stock", "preprinted", "--printer", printer
    )
    run.assert_refused_cheaply(code=2)
    assert "docgen generate：错误：参数 --printer：" in run.err and message in run.err, run.err
    assert not (tmp_path / "out").exists()


def unprivileged() -> list[str]:
    """A command prefix that makes file permissions apply: as root (CI), drop the capabilities
    that let root read anything (Python lives under /root, so switching to nobody cannot work)."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    assert setpriv, "setpriv (util-linux) is needed to test permissions as root"
    return [setpriv, "--bounding-set=-dac_override,-dac_read_search", "--"]


def test_an_unreadable_photos_folder_is_a_located_error(tmp_path: Path) -> None:
    """Before: a PermissionError traceback from the photo check."""
    folder = tmp_path / "edition"
    shutil.copytree(MINIMAL.parent, folder)
    (folder / "photos").chmod(0)
    try:
        done = subprocess.run(
            [*unprivileged(), sys.executable, "-m", "docgen", "check", str(folder)],
            capture_output=True,
            text=True,
            env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
        )
    finally:
        (folder / "photos").chmod(0o755)
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
    assert (
        "edition.yaml:23:13: photos[0].files[0]: 没有权限读取文件夹 photos：请检查这个文件夹的权限"
        in done.stderr
    ), done.stderr


def test_a_large_photo_is_held_once_while_decoding(tmp_path: Path) -> None:
    """The decoded image is the one full-size copy: conversion, turning and shrinking work on
    bands and on the reduced result, so a decode holds no more than photos.cost admits for it.
    Before, a 6000×6000 transparent PNG (137 MB decoded) grew the process by 588 MB and a HEIC
    of that size by 522 MB: the whole picture copied for the EXIF turn, RGBA, a white page and
    the paste, and a HEIC first copied whole from libheif into Pillow."""
    for name, data in (
        ("rgba.png", bombs.png(6_000, 6_000)),
        ("grid.heic", bombs.heic(6_000, 6_000)),
    ):
        (tmp_path / name).write_bytes(data)
        admitted = photos.cost(data, photos.MASTER_PX) / 2**20
        grown = _peak_growth_mb(tmp_path / name)
        assert grown < 1.1 * admitted, (name, grown, admitted)
        assert admitted < 300, admitted


# The high-water mark of this process alone: ru_maxrss would include the pytest process this
# child was forked from (Linux keeps it across exec).
_MEASURE = r"""
import sys
from pathlib import Path
from docgen import photos
def peak():
    status = Path("/proc/self/status").read_text()
    return int(next(l for l in status.splitlines() if l.startswith("VmHWM:")).split()[1])
before = peak()
photos.prepare(Path(sys.argv[1]), 256)
print((peak() - before) / 1024)
"""


def _peak_growth_mb(path: Path) -> float:
    done = subprocess.run(
        [sys.executable, "-c", _MEASURE, str(path)], capture_output=True, text=True, check=True
    )
    return float(done.stdout)


def test_a_200_megapixel_jpeg_still_decodes_small(tmp_path: Path) -> None:
    """The control for the bound: a baseline JPEG is drafted to 1/4 (about 50 MB)."""
    Image.new("L", (16_384, 12_288), 128).save(tmp_path / "big.jpg", quality=60)
    assert _peak_growth_mb(tmp_path / "big.jpg") < 120
