"""Located problems (errors and warnings) and the one exception the CLI prints for users."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum
from pathlib import Path


class Severity(Enum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, order=True)
class Location:
    """Where a problem is: a file and, when known, a 1-based line and column."""

    file: Path
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        text = display_path(self.file)
        if self.line is not None:
            text += f":{self.line}"
            if self.column is not None:
                text += f":{self.column}"
        return text


@dataclass(frozen=True)
class Problem:
    """One thing the user must fix (error) or should look at (warning)."""

    location: Location
    field: str
    message: str
    severity: Severity = Severity.ERROR

    def __str__(self) -> str:
        prefix = "" if self.severity is Severity.ERROR else "警告："
        where = f"{self.location}: "
        field = f"{self.field}: " if self.field else ""
        return f"{where}{field}{prefix}{self.message}"

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR


class DocgenError(Exception):
    """An input problem the user can fix; the CLI prints it and exits 1.

    Any other exception escaping docgen is a bug and shows its traceback.
    """

    def __init__(self, problems: Iterable[Problem] | str) -> None:
        if isinstance(problems, str):
            self.problems: tuple[Problem, ...] = ()
            self.text = problems
        else:
            self.problems = tuple(problems)
            self.text = "\n".join(str(p) for p in self.problems)
        super().__init__(self.text)


def display_path(path: Path) -> str:
    """Path as the user should read it: relative to the working folder when inside it."""
    try:
        return os.path.relpath(path) if path.is_absolute() and _inside_cwd(path) else str(path)
    except ValueError:  # another drive on Windows
        return str(path)


def _inside_cwd(path: Path) -> bool:
    return path.resolve().is_relative_to(Path.cwd().resolve())


def raise_if_errors(problems: Iterable[Problem]) -> None:
    """Raise one DocgenError carrying every error (warnings are left to the caller)."""
    errors = [p for p in problems if p.is_error]
    if errors:
        raise DocgenError(errors)
