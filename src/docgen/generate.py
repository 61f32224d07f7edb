"""The recipe: load and check everything, render every output into staging, then swap it in."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from pathlib import Path

from . import __version__, checks, edition, fonts, writer
from .artifacts import Artifact, Options, Progress, Run, no_progress
from .edition import Loaded
from .errors import DocgenError, Problem
from .outputs import OUTPUTS
from .writer import Written

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
    # Then hold the output folder (one run at a time) and make sure the outputs can be written
    # without losing the user's work: no file they edited or have open in Word would be replaced.
    # Now render: artifacts stream into a staging folder that replaces `folder` at the end.
    with (
        writer.disk_full_explained(target),
        writer.session(target, options.force) as folder,
        writer.scratch_folder(folder) as scratch,
    ):
        run = Run(loaded, scratch, progress, options)
        replaced = set() if options.winner is not None else set(selected)
        artifacts = _artifacts(run, selected)
        written = writer.write(artifacts, folder, replaced, _manifest(loaded), options.force)
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
