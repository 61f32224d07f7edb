"""userfiles.read: the one bounded path every file the office names goes through."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from docgen import userfiles
from docgen.errors import DocgenError, Location


def _message(path: Path, cap: int = 100, where: Location | None = None) -> str:
    with pytest.raises(DocgenError) as info:
        userfiles.read(path, cap, where)
    return str(info.value)


def test_a_regular_file_under_the_cap_is_read(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_bytes(b"x" * 100)
    assert userfiles.read(path, 100) == b"x" * 100


def test_a_fifo_is_refused_without_waiting(tmp_path: Path) -> None:
    fifo = tmp_path / "edition.yaml"
    os.mkfifo(fifo)  # no writer: a plain open() would block forever
    assert "管道（FIFO）" in _message(fifo)


def test_a_device_is_refused_without_reading_it() -> None:
    assert "设备文件" in _message(Path("/dev/zero"), cap=10)


def test_a_link_to_a_device_is_refused(tmp_path: Path) -> None:
    link = tmp_path / "manifest.json"
    link.symlink_to("/dev/zero")
    assert "设备文件" in _message(link)


def test_a_folder_and_a_missing_file_are_located(tmp_path: Path) -> None:
    where = Location(tmp_path / "config.yaml", 3, 7)
    assert _message(tmp_path, where=where).startswith(f"{where}: ")
    assert "文件不存在" in _message(tmp_path / "nope.png", where=where)


def test_over_the_cap_is_refused_with_both_sizes(tmp_path: Path) -> None:
    path = tmp_path / "big.bin"
    path.write_bytes(b"x" * 3 * userfiles.MB)
    assert "3.0 MB，超过上限 1.0 MB" in _message(path, cap=userfiles.MB)


def test_a_name_over_255_bytes_is_refused_on_its_text(tmp_path: Path) -> None:
    long = tmp_path / ("照" * 90 + ".jpg")  # 270 bytes in UTF-8, 94 characters
    message = _message(long)
    assert "274 字节，超过上限 255 字节" in message
