"""Run a harness of this folder under atheris (libFuzzer): `make fuzz` runs each of them."""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import Any


def fuzz(one_input: Callable[[bytes], None], **options: Any) -> None:
    """Instrument what the harness has imported, then fuzz ``one_input`` with the command line's
    libFuzzer options (``options``: atheris.Setup's, such as a custom_mutator)."""
    import atheris

    atheris.instrument_all()
    atheris.Setup(sys.argv, one_input, **options)
    atheris.Fuzz()
