"""The recipe: load and check everything, render every output into staging, then swap it in."""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

from . import __version__, checks, edition, fonts
from .artifacts import Artifact, Options, Progress, Run, no_progress
from .edition import Loaded
from .errors import DocgenError, Problem
from .outputs import OUTPUTS
from .writer import Written, check_writable, write

DEFAULT_OUT = Path("out")


def check(edition_path: Path) -> tuple[Loaded, list[Problem]]:
    """Everything generate checks, writing nothing. Raises DocgenError on errors."""
    loaded = edition.load(edition_path)
    problems = checks.run(loaded)
    errors = [p for p in problems if p.is_error]
    if errors:
        raise DocgenError(problems)
    return loaded, problems


def generate(
    edition_path: Path,
    out: Path | None = None,
    only: Iterable[str] | None = None,
    progress: Progress = no_progress,
    options: Options | None = None,
) -> tuple[Written, list[Problem]]:
    """Generate the selected outputs of one edition into ``out`` (default out/<edition folder>)."""
    # First gather and check all data: nothing is rendered, let alone written, if anything is wrong.
    loaded, warnings = check(edition_path)
    options = options or Options()
    selected = [name for name in OUTPUTS if only is None or name in set(only)]
    if options.winner is not None:  # re-issue one certificate: everything else stays as it is
        selected = ["certificates"]
    target = out or DEFAULT_OUT / loaded.name
    check_writable(target)
    # Now render: artifacts stream into a staging folder that replaces `target` only at the end.
    with tempfile.TemporaryDirectory(prefix="docgen-") as scratch:
        run = Run(loaded, Path(scratch), progress, options)
        replaced = set() if options.winner is not None else set(selected)
        written = write(_artifacts(run, selected), target, replaced, _manifest(loaded))
    return written, warnings


def _artifacts(run: Run, selected: list[str]) -> Iterator[tuple[str, Artifact]]:
    for name in selected:
        for artifact in OUTPUTS[name](run):
            yield name, artifact


def _manifest(loaded: Loaded) -> dict[str, object]:
    e = loaded.edition
    counts = {award.name: len(award.winners) for award in e.awards}
    return {
        "docgen": __version__,
        "edition": loaded.name,
        "edition_sha256": hashlib.sha256(loaded.doc.path.read_bytes()).hexdigest(),
        "fonts_sha256": fonts.fingerprint(),
        "winners": {"total": e.winner_count, "by_award": counts},
    }
