"""Fuzz the Word template rendered through the render worker: any text, as template code in the
report template's body, linted (the dry run) and, when lint passes, rendered by
report.render_docx for the minimal edition, as `docgen generate` does.

Only problems, a report or a DocgenError may come out, each problem located at the template: a
runaway loop, a doubling string, an escape attempt or a syntax error each ends in a message, and
nothing else escapes the worker.
The render runs in a forked child, whose coverage libFuzzer does not see; a mutator that splices
in Jinja pieces (TOKENS) keeps most inputs templates rather than noise. Run with `make fuzz`, or:

    python fuzz/render.py out/fuzz/render fuzz/corpus/render -max_total_time=60 -timeout=60
"""

from __future__ import annotations

import atexit
import random
import shutil
import tempfile
import zipfile
from functools import cache
from pathlib import Path
from xml.sax.saxutils import escape

from docgen import docx_lint, edition
from docgen.errors import DocgenError, Problem
from docgen.outputs import report

MINIMAL = Path(__file__).resolve().parents[1] / "tests" / "data" / "minimal" / "edition.yaml"
SHIPPED = report.TEMPLATE
DOCUMENT = "word/document.xml"
TOKENS = [
    "{{ ", " }}", "{% ", " %}", "{# ", " #}", "for x in ", "range(", "100000", ")", "endfor",
    "if ", "else", "endif", "set ", "ns", " = ", "namespace(s='x')", "ns.s", " ~ ", " + ", " * ",
    "**", "|join", "|replace('x', 'xx')", "|list", "|length", ".format(", ".ljust(", "loop.index",
    "report.title", "figures.intro", "f.images", "img", ".tpl", ".save('x')", "cycler", "joiner",
    "macro m()", "endmacro", "m()", "caller()", "'x'", "[1]", "dict(a=1)", ".__class__", "|attr(",
    "lipsum", "self", "super()", "\u201c", "{%p ", "{%tr ", "\n", "<", "&",
]  # fmt: skip


@cache
def _target() -> tuple[Path, edition.Loaded]:
    folder = Path(tempfile.mkdtemp(prefix="docgen-fuzz-render-"))
    atexit.register(shutil.rmtree, folder, True)
    return folder / "report.docx", edition.load(MINIMAL)


def template(text: str, path: Path) -> Path:
    """The shipped report template with ``text`` where its title tag was."""
    code = escape(text).encode("utf-8", "surrogatepass")
    with zipfile.ZipFile(SHIPPED) as src, zipfile.ZipFile(path, "w") as dst:
        for info in src.infolist():
            data = src.read(info)
            dst.writestr(
                info,
                data.replace(b"{{ report.title }}", code, 1) if info.filename == DOCUMENT else data,
            )
    return path


def render(text: str) -> bytes | None:
    """The report with ``text`` as template code, or None when it is refused with problems."""
    path, loaded = _target()
    template(text, path)
    with docx_lint.filled(loaded) as sample:
        problems = docx_lint.lint(path, report.template_context(sample))
    if any(p.is_error for p in problems):
        return _located(problems, path)
    report.TEMPLATE = path
    try:
        return report.render_docx(loaded)
    except DocgenError as exc:
        return _located(exc.problems, path)
    finally:
        report.TEMPLATE = SHIPPED


def _located(problems: tuple[Problem, ...] | list[Problem], path: Path) -> None:
    assert problems and all(p.location.file == path for p in problems), problems  # noqa: S101


def one_input(data: bytes) -> None:
    render(data.decode("utf-8", "replace"))


def mutate(data: bytes, max_size: int, seed: int) -> bytes:
    import atheris

    rng = random.Random(seed)  # noqa: S311 - picks where and what to splice; nothing secret
    if rng.random() < 0.3:
        return bytes(atheris.Mutate(data, max_size))
    text = data.decode("utf-8", "replace")
    at = rng.randrange(len(text) + 1)
    out = (text[:at] + rng.choice(TOKENS) + text[at:]).encode("utf-8", "replace")
    return out[:max_size]


if __name__ == "__main__":
    from libfuzzer import fuzz  # fuzz/ is sys.path[0] when a harness runs as a script

    fuzz(one_input, custom_mutator=mutate)
