"""Template work bounded by construction (issue 10): every render runs in render_worker's forked
child with a CPU-time limit, a memory limit and a wall timeout. A nested loop or a doubling
string in the Word template or an HTML template ends in a located message and exit 1, within
seconds of CPU and a few hundred MB (measured in a subprocess by tests/bounded.py)."""

from __future__ import annotations

import shutil
import time
from functools import partial
from pathlib import Path

import pytest

from docgen import edition, render_worker, templating
from docgen.errors import DocgenError, Location, Problem
from docgen.outputs import press, report

from . import bounded
from .conftest import MINIMAL
from .docx_templates import related, rewritten
from .test_sandbox import template_with

RUNAWAYS = {
    "doubling": "{% set ns = namespace(s='x') %}{% for i in range(60) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}",
    "nested-loop": "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",
}
STOPPED = {"doubling": render_worker.TOO_BIG, "nested-loop": render_worker.TOO_SLOW}
MAX_RSS_MB = 400
"""docgen check of the minimal edition peaks at ~180 MB; the worker may add MEMORY_MB more."""
MAX_CPU_S = render_worker.CPU_SECONDS + 2 * bounded.MAX_CPU_S
"""Beyond the session's cheapest refusal (bounded.baseline_cpu): the worker's CPU limit, and
what the rest of a check costs (the edition, the checks, the lint), with room to spare."""

PATCHED = """
import sys
from pathlib import Path
from docgen import cli
from docgen.outputs import press, report
report.TEMPLATE, press.TEMPLATES = Path(sys.argv[1]), Path(sys.argv[2])
sys.exit(cli.main(sys.argv[3:]))
"""


WITHOUT_PREFLIGHT = """
from docgen import docx_lint
docx_lint.preflight = lambda path: []
"""
"""The pre-flight refuses oversized templates first; switched off, the worker must still stop
whatever the pre-flight lets through (two independent bounds, each tested alone)."""


def docgen_with(docx: Path, html: Path, *args: str | Path, preflight: bool = True) -> bounded.Run:
    """docgen ARGS in a measured child, with ``docx`` as the report template and the press
    release's templates from ``html``."""
    script = PATCHED if preflight else WITHOUT_PREFLIGHT + PATCHED
    return bounded.python("-c", script, docx, html, *args)


def assert_stopped(run: bounded.Run, where: str, message: str) -> None:
    assert run.code == 1, run.text[-2000:]
    assert f"{where}: {message}" in run.err, run.err[-2000:]
    assert "Traceback" not in run.text
    assert run.rss_mb < MAX_RSS_MB, f"peak RSS {run.rss_mb:.0f} MB"
    limit = bounded.baseline_cpu() + MAX_CPU_S
    assert run.cpu_s < limit, f"CPU {run.cpu_s:.1f} s, bound {limit:.1f} s"


@pytest.mark.parametrize("runaway", RUNAWAYS)
def test_a_runaway_word_template_is_stopped_at_its_paragraph(tmp_path: Path, runaway: str) -> None:
    """`docgen check` (the lint's dry run); without the worker the doubling loop reached 9 GB."""
    path, place = template_with(tmp_path, "body", RUNAWAYS[runaway])
    run = docgen_with(path, press.TEMPLATES, "check", MINIMAL)
    assert_stopped(run, f"report.docx: {place}", STOPPED[runaway])


@pytest.mark.parametrize("runaway", RUNAWAYS)
def test_a_runaway_html_template_is_stopped_at_its_line(tmp_path: Path, runaway: str) -> None:
    html = tmp_path / "html"
    shutil.copytree(press.TEMPLATES, html)
    page = html / press.TEMPLATE
    page.write_text(RUNAWAYS[runaway] + "\n" + page.read_text(encoding="utf-8"), encoding="utf-8")
    out = tmp_path / "out"
    run = docgen_with(report.TEMPLATE, html, "generate", MINIMAL, "-o", out, "--only", "press")
    assert_stopped(run, f"{press.TEMPLATE}:1", STOPPED[runaway])
    assert not out.exists()


@pytest.mark.parametrize("runaway", RUNAWAYS)
def test_the_report_render_alone_is_bounded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, runaway: str
) -> None:
    """report.render_docx without the lint before it: its own render runs in the worker too."""
    path, _ = template_with(tmp_path, "body", RUNAWAYS[runaway])
    monkeypatch.setattr(report, "TEMPLATE", path)
    with pytest.raises(DocgenError) as info:
        report.render_docx(edition.load(MINIMAL))
    [problem] = info.value.problems
    assert (problem.location.file, problem.message) == (path, STOPPED[runaway])


def big_headers(path: Path, parts: int = 10) -> Path:
    """The template with ``parts`` more header parts, each of paragraphs just under 1 MiB."""
    rels = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    kind = "application/vnd.openxmlformats-officedocument.wordprocessingml.header+xml"
    paragraph = "<w:p><w:r><w:t>页眉文字</w:t></w:r></w:p>"
    body = paragraph * ((2**20 - 300) // len(paragraph.encode()))
    w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    header = f'<?xml version="1.0" encoding="UTF-8"?><w:hdr {w}>{body}</w:hdr>'.encode()
    assert len(header) < 2**20
    names = [f"header9{i}.xml" for i in range(parts)]
    links = [
        f'<Relationship Id="rId9{i}" Type="{rels}/header" Target="{n}"/>'
        for i, n in enumerate(names)
    ]
    types = "".join(f'<Override PartName="/word/{n}" ContentType="{kind}"/>' for n in names)
    return rewritten(
        path,
        {
            "word/_rels/document.xml.rels": related(*(link.encode() for link in links)),
            "[Content_Types].xml": lambda d: d.replace(b"</Types>", types.encode() + b"</Types>"),
        },
        add={f"word/{n}": header for n in names},
    )


def test_ten_header_parts_of_a_mebibyte_are_stopped_in_seconds(tmp_path: Path) -> None:
    """A 79 KB .docx whose lint took 55 s (over 110 s here) before it ran in the worker."""
    path = big_headers(tmp_path / "report.docx")
    run = docgen_with(path, press.TEMPLATES, "check", MINIMAL, preflight=False)
    assert_stopped(run, "report.docx", render_worker.TOO_SLOW)
    refused_first = docgen_with(path, press.TEMPLATES, "check", MINIMAL)
    assert_stopped(refused_first, "report.docx: word/header90.xml", "页眉解压后有 1023 KB")


# --- the worker itself ----------------------------------------------------------------------------

HERE = Path("template.j2")


def _problems() -> None:
    raise DocgenError([Problem(Location(HERE, 3), "field", "消息")])


def _bug() -> None:
    raise ValueError("a bug in docgen")


def test_results_problems_and_bugs_come_back_from_the_child() -> None:
    assert render_worker.run(HERE, bytes, 3) == b"\0\0\0"
    with pytest.raises(DocgenError) as info:
        render_worker.run(HERE, _problems)
    assert info.value.problems == (Problem(Location(HERE, 3), "field", "消息"),)
    with pytest.raises(RuntimeError, match="ValueError: a bug in docgen"):
        render_worker.run(HERE, _bug)


def _spin() -> None:
    while True:
        pass


def _grow() -> None:
    blocks = []
    while True:
        blocks.append(bytearray(2**24))


BOUNDS = {
    "cpu": (_spin, render_worker.TOO_SLOW),
    "memory": (_grow, render_worker.TOO_BIG),
    "wall": (partial(time.sleep, 60), render_worker.STUCK),  # blocked: spends no CPU
}


@pytest.mark.parametrize("bound", BOUNDS)
def test_each_bound_stops_the_child_with_a_located_message(
    monkeypatch: pytest.MonkeyPatch, bound: str
) -> None:
    render, message = BOUNDS[bound]
    monkeypatch.setattr(render_worker, "CPU_SECONDS", 1)
    monkeypatch.setattr(render_worker, "WALL_SECONDS", 2 if bound == "wall" else 60)
    with pytest.raises(DocgenError) as info:
        render_worker.run(HERE, render)
    assert [(p.location, p.message) for p in info.value.problems] == [(Location(HERE), message)]


def test_html_render_is_located_at_the_template_line(tmp_path: Path) -> None:
    (tmp_path / "page.j2").write_text("第一行\n{{ 1 / 0 }}\n", encoding="utf-8")
    with pytest.raises(DocgenError) as info:
        templating.render(templating.environment(tmp_path), "page.j2", {})
    [problem] = info.value.problems
    assert (problem.location.file, problem.location.line) == (tmp_path / "page.j2", 2)
    assert problem.message == "模板出错：ZeroDivisionError: division by zero"


def test_a_template_compiles_once_and_again_when_edited(tmp_path: Path) -> None:
    """The worker hands the bytecode back; the next worker loads it, unless the file changed."""
    page = tmp_path / "page.j2"
    page.write_text("甲{{ x }}", encoding="utf-8")
    env = templating.environment(tmp_path)
    assert templating.render(env, "page.j2", {"x": 1}) == "甲1"
    cache = templating._cache(env)
    [first] = cache.codes.values()
    assert templating.render(env, "page.j2", {"x": 2}) == "甲2"
    page.write_text("乙{{ x }}", encoding="utf-8")
    assert templating.render(env, "page.j2", {"x": 3}) == "乙3"
    [second] = cache.codes.values()  # the same key: the bytecode of the new source
    assert second != first
