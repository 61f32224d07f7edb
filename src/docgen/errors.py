"""Located problems (errors and warnings) and the one exception the CLI prints for users."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import ParamSpec

P = ParamSpec("P")

MAX_PROBLEMS = 100
"""Problems listed in one run; the rest are only counted (还有 N 个问题未列出). A file with
500,000 duplicate keys would otherwise print 69 MB, and nobody fixes more than 100 at a time."""
QUOTE_CHARS = 30
"""Longest piece of the user's own text quoted in a message."""


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

    At most MAX_PROBLEMS problems are kept, in the order given; ``omitted`` counts the rest
    (errors passed in as ``omitted`` were found but never made into messages).
    Any other exception escaping docgen is a bug and shows its traceback.
    """

    def __init__(self, problems: Iterable[Problem] | str, omitted: int = 0) -> None:
        if isinstance(problems, str):
            self.problems: tuple[Problem, ...] = ()
            self.omitted = self.errors = self.warnings = 0
            self.text = problems
        else:
            given = tuple(problems)
            self.problems = _first(given)
            self.omitted = omitted + len(given) - len(self.problems)
            self.errors = omitted + sum(1 for p in given if p.is_error)
            self.warnings = len(given) + omitted - self.errors
            lines = [str(p) for p in self.problems]
            self.text = "\n".join([*lines, not_listed(self.omitted)] if self.omitted else lines)
        super().__init__(self.text)


def _first(given: tuple[Problem, ...]) -> tuple[Problem, ...]:
    """The first MAX_PROBLEMS, in the order given, errors before warnings: 500 typography
    warnings must not hide the one error that stops the run."""
    errors = sum(1 for p in given if p.is_error)
    room = {True: MAX_PROBLEMS, False: MAX_PROBLEMS - min(errors, MAX_PROBLEMS)}
    kept = []
    for problem in given:
        if room[problem.is_error] > 0:
            room[problem.is_error] -= 1
            kept.append(problem)
    return tuple(kept)


class Collector:
    """Problems up to MAX_PROBLEMS; past that they are only counted, and their messages (which
    may cost a search or a location lookup each) are never made."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.omitted = 0

    def add(self, make: Callable[P, Problem], *args: P.args, **kwargs: P.kwargs) -> None:
        """The problem ``make(*args, **kwargs)``, made only while the list has room."""
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(make(*args, **kwargs))
        else:
            self.omitted += 1


def not_listed(omitted: int) -> str:
    """The line that ends a list cut at MAX_PROBLEMS."""
    return f"还有 {omitted} 个问题未列出"


def quote(text: str, limit: int = QUOTE_CHARS) -> str:
    """The user's text as a message quotes it: cut after ``limit`` characters, with its length,
    so that a 1 MB value cannot flood the screen."""
    return text if len(text) <= limit else f"{text[:limit]}…（共 {len(text)} 个字符）"


def display_path(path: Path) -> str:
    """Path as the user should read it: relative to the working folder when inside it."""
    try:
        return os.path.relpath(path) if path.is_absolute() and _inside_cwd(path) else str(path)
    except ValueError:  # another drive on Windows
        return str(path)


def _inside_cwd(path: Path) -> bool:
    return path.resolve().is_relative_to(Path.cwd().resolve())


def raise_if_errors(problems: Iterable[Problem], omitted: int = 0) -> None:
    """Raise one DocgenError carrying every error (warnings are left to the caller)."""
    errors = [p for p in problems if p.is_error]
    if errors or omitted:
        raise DocgenError(errors, omitted)
