"""Fuzz the edition loader: any bytes, as edition.yaml, through source.read and edition.load.

Only DocgenError may escape; anything else (a traceback, a hang, a crash) is a bug. Inputs are
written into a copy of tests/data/minimal, so mutations of a good edition reach the photo and
cross checks. Run with `make fuzz`, or by hand:

    python fuzz/edition.py out/fuzz/edition fuzz/corpus/edition -max_total_time=60

tests/test_fuzz_properties.py replays fuzz/corpus/edition/ through one_input() in the normal
suite, so a crash input saved there stays a regression test.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from functools import cache
from pathlib import Path

from docgen import edition, source
from docgen.errors import DocgenError

MINIMAL = Path(__file__).resolve().parents[1] / "tests" / "data" / "minimal"


@cache
def _target() -> Path:
    folder = Path(tempfile.mkdtemp(prefix="docgen-fuzz-edition-"))
    atexit.register(shutil.rmtree, folder, True)
    shutil.copytree(MINIMAL, folder, dirs_exist_ok=True)
    return folder / "edition.yaml"


def one_input(data: bytes) -> None:
    path = _target()
    path.write_bytes(data)
    try:
        source.read(path)
        edition.load(path)
    except DocgenError:
        pass


if __name__ == "__main__":
    from libfuzzer import fuzz  # fuzz/ is sys.path[0] when a harness runs as a script

    fuzz(one_input)
