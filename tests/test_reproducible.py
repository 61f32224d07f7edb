"""Reproducible outputs (hardening item 10): the sample edition generated twice, in two processes
that differ in hash seed, time zone, locale, working folder, output folder and clock (a day
apart), gives byte-identical files, every one of them; and what the documents say about
themselves (PDF info, DOCX and XLSX properties) comes from the edition, not the machine."""

from __future__ import annotations

import getpass
import hashlib
import io
import os
import re
import socket
import subprocess
import sys
import zipfile
from datetime import date
from pathlib import Path

import pikepdf
import pytest

from docgen import edition

from .conftest import SAMPLE

DAY = 86_400

# Moves the clock (time.*, datetime.now/today) by DOCGEN_TEST_CLOCK_SHIFT seconds, then runs
# `python -m docgen` (there is no libfaketime here). Prints the clock it set, so the test can see
# that the shift took effect.
LAUNCHER = """
import datetime, os, runpy, sys, time

shift = float(os.environ["DOCGEN_TEST_CLOCK_SHIFT"])
real_time, real_time_ns = time.time, time.time_ns
real_localtime, real_gmtime, real_strftime = time.localtime, time.gmtime, time.strftime
time.time = lambda: real_time() + shift
time.time_ns = lambda: real_time_ns() + int(shift * 1e9)
time.localtime = lambda secs=None: real_localtime(time.time() if secs is None else secs)
time.gmtime = lambda secs=None: real_gmtime(time.time() if secs is None else secs)
time.strftime = lambda fmt, t=None: real_strftime(fmt, time.localtime() if t is None else t)


class ShiftedDatetime(datetime.datetime):
    @classmethod
    def now(cls, tz=None):
        return super().now(tz) + datetime.timedelta(seconds=shift)

    @classmethod
    def utcnow(cls):
        return super().utcnow() + datetime.timedelta(seconds=shift)

    @classmethod
    def today(cls):
        return cls.now()


class ShiftedDate(datetime.date):
    @classmethod
    def today(cls):
        return ShiftedDatetime.now().date()


datetime.datetime, datetime.date = ShiftedDatetime, ShiftedDate
print("CLOCK", datetime.datetime.now().date().isoformat(), time.strftime("%Y-%m-%d"), file=sys.stderr)
sys.argv = ["docgen", *sys.argv[1:]]
runpy.run_module("docgen", run_name="__main__", alter_sys=True)
"""


def generate(cwd: Path, edition_arg: str, out: Path, env: dict[str, str]) -> str:
    """One `python -m docgen generate` in its own process; returns the date its clock said."""
    cwd.mkdir(parents=True)
    base = {k: v for k, v in os.environ.items() if not k.startswith(("LC_", "LANG", "TZ"))}
    run = subprocess.run(
        [sys.executable, "-c", LAUNCHER, "generate", edition_arg, "-o", str(out)],
        cwd=cwd,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert run.returncode == 0, run.stderr
    [clock] = re.findall(r"^CLOCK (\S+) (\S+)$", run.stderr, re.M)
    assert clock[0] == clock[1]  # datetime and time agree on the shifted clock
    return clock[0]


def digests(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    tmp = tmp_path_factory.mktemp("reproducible")
    a_out, b_out = tmp / "a" / "out" / "quanyibei-21", tmp / "b-elsewhere" / "其他" / "第二次"
    day_a = generate(
        tmp / "cwd-a",
        str(SAMPLE),
        a_out,
        {"PYTHONHASHSEED": "1", "TZ": "UTC", "LANG": "C", "DOCGEN_TEST_CLOCK_SHIFT": "0"},
    )
    cwd_b = tmp / "cwd-b" / "deeper"
    day_b = generate(
        cwd_b,
        os.path.relpath(SAMPLE, cwd_b),  # a relative path, from another folder
        b_out,
        {
            "PYTHONHASHSEED": "4242",
            "TZ": "Asia/Shanghai",
            "LANG": "zh_CN.UTF-8",
            "DOCGEN_TEST_CLOCK_SHIFT": str(DAY),
        },
    )
    assert date.fromisoformat(day_b) > date.fromisoformat(day_a)
    return a_out, b_out


def test_every_file_is_byte_identical(runs: tuple[Path, Path]) -> None:
    a, b = (digests(folder) for folder in runs)
    assert sorted(a) == sorted(b)
    kinds = {Path(name).suffix for name in a}
    assert {".pdf", ".docx", ".xlsx", ".csv", ".json", ".png", ".html"} <= kinds
    assert [name for name in a if a[name] != b[name]] == []


def test_manifest_is_identical_and_names_no_machine_path(runs: tuple[Path, Path]) -> None:
    a, b = ((folder / "manifest.json").read_text(encoding="utf-8") for folder in runs)
    assert a == b
    for folder in runs:
        assert str(folder) not in a and str(folder.parent) not in a
    assert str(SAMPLE.parent) not in a


def _machine_names() -> list[str]:
    names = [getpass.getuser(), socket.gethostname(), Path.home().name]
    return [n for n in names if len(n) >= 3]


def test_pdf_info_dates_come_from_the_edition_and_name_no_machine(
    runs: tuple[Path, Path],
) -> None:
    loaded = edition.load(SAMPLE)
    allowed = {loaded.edition.meeting.date.isoformat(), loaded.settings.issue_date.isoformat()}
    pdfs = sorted(runs[0].rglob("*.pdf"))
    assert len(pdfs) > 20
    for path in pdfs:
        with pikepdf.open(path) as pdf:
            info = {str(k): str(v) for k, v in pdf.docinfo.items()}
            xmp = bytes(pdf.Root.Metadata.read_bytes()) if "/Metadata" in pdf.Root else b""
        text = " ".join(info.values()) + xmp.decode("utf-8", "replace")
        for key in ("/CreationDate", "/ModDate"):
            if key in info:
                stamp = info[key].removeprefix("D:")[:8]
                assert f"{stamp[:4]}-{stamp[4:6]}-{stamp[6:]}" in allowed, (path.name, info)
        assert "python" not in text.lower(), (path.name, info)
        for name in _machine_names():
            assert name not in text, (path.name, name)


@pytest.mark.parametrize("name", ["report.docx", "certificates-register.xlsx"])
def test_office_properties_come_from_the_edition(runs: tuple[Path, Path], name: str) -> None:
    loaded = edition.load(SAMPLE)
    allowed = {loaded.edition.meeting.date.isoformat(), loaded.settings.issue_date.isoformat()}
    with zipfile.ZipFile(io.BytesIO((runs[0] / name).read_bytes())) as zf:
        core = zf.read("docProps/core.xml").decode("utf-8")
        app = (
            zf.read("docProps/app.xml").decode("utf-8")
            if "docProps/app.xml" in zf.namelist()
            else ""
        )
        stamps = {info.date_time for info in zf.infolist()}
    found = re.findall(r"<dcterms:(created|modified)[^>]*>([^<]*)<", core)
    assert found, core
    for _, value in found:
        assert value[:10] in allowed, core
    assert "python-docx" not in core and "openpyxl" not in core
    for machine in _machine_names():
        assert machine not in core + app
    assert stamps == {(1980, 1, 1, 0, 0, 0)}  # zip entries carry no clock time
