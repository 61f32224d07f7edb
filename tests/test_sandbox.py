"""Template sandbox (hardening item 8): code written into a Word or HTML template runs in Jinja's
sandbox and is stopped with a Chinese message naming the file and the part; no process is spawned
(audit hook), nothing is written, and expressions that would build gigabytes are refused before
they allocate (measured in a subprocess)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from docx.document import Document as DocumentObject

from docgen import cli, docx_lint, edition, templating
from docgen.edition import Loaded
from docgen.errors import DocgenError
from docgen.outputs import press, report

from .audit import network_or_processes, recorder
from .conftest import MINIMAL
from .docx_templates import edited

BLOCKED = "模板中有不安全的写法，已阻止："
TOO_BIG = "模板要生成的内容过大（{}）"
TYPE_INIT = "不允许访问 type 对象的属性 __init__：模板只能读取数据中的字段"

# name: (payload, what the message says after BLOCKED)
PAYLOADS = {
    "globals-popen": ("{{ cycler.__init__.__globals__.os.popen('id').read() }}", TYPE_INIT),
    "subclasses": (
        "{{ ''.__class__.__mro__[1].__subclasses__() }}",
        "不允许访问 str 对象的属性 __class__：模板只能读取数据中的字段",
    ),
    "attr-filter": ("{{ cycler|attr('__init__')|attr('__globals__') }}", TYPE_INIT),
    "attr-format": (  # CVE-2025-27516: |attr('format') skipped the sandbox's str.format check
        "{{ ('{0.__class__.__base__.__subclasses__}'|attr('format'))(1) }}",
        "不允许访问 int 对象的属性 __class__：模板只能读取数据中的字段",
    ),
    "format-map": (
        "{{ '{a.__class__}'.format_map({'a': 1}) }}",
        "不允许访问 str 对象的属性 format_map：模板只能读取数据中的字段",
    ),
    "repeat-1e9": ("{{ 'x'*10**9 }}", TOO_BIG.format("重复 1000000000 次，超过上限 100000 个字符")),
    "repeat-1e8": ("{{ 'x'*10**8 }}", TOO_BIG.format("重复 100000000 次，超过上限 100000 个字符")),
}


@pytest.fixture(scope="module")
def loaded() -> Loaded:
    return edition.load(MINIMAL)


def _body(doc: DocumentObject, payload: str) -> str:
    doc.paragraphs[0].add_run(payload)
    return "正文第 1 段"


def _odd(doc: DocumentObject) -> str:
    return "奇数页" if doc.settings.odd_and_even_pages_header_footer else ""


def _header(doc: DocumentObject, payload: str) -> str:
    doc.sections[0].header.paragraphs[0].add_run(payload)
    return f"{_odd(doc)}页眉第 1 段"


def _footer(doc: DocumentObject, payload: str) -> str:
    doc.sections[0].footer.paragraphs[0].add_run(payload)
    return f"{_odd(doc)}页脚第 1 段"


def _title(doc: DocumentObject, payload: str) -> str:
    doc.core_properties.title = payload
    return "文档属性"


PARTS: dict[str, Callable[[DocumentObject, str], str]] = {
    "body": _body,
    "header": _header,
    "footer": _footer,
    "core-properties": _title,
}


def template_with(folder: Path, part: str, payload: str) -> tuple[Path, str]:
    """A copy of report.docx with ``payload`` in ``part``, and the place lint names for it."""
    places: list[str] = []
    path = edited(folder, lambda doc: places.append(PARTS[part](doc, payload)))
    return path, places[0]


@pytest.mark.parametrize("part", PARTS)
@pytest.mark.parametrize("payload", PAYLOADS)
def test_word_template_code_is_blocked_in_every_part(
    tmp_path: Path, loaded: Loaded, part: str, payload: str
) -> None:
    text, message = PAYLOADS[payload]
    path, place = template_with(tmp_path, part, text)
    with recorder().recording() as events, docx_lint.filled(loaded) as sample:
        problems = docx_lint.lint(path, report.template_context(sample))
    assert [str(p).split("report.docx: ", 1)[1] for p in problems] == [
        f"{place}: {BLOCKED}{message}"
    ]
    assert network_or_processes(events) == []


@pytest.mark.parametrize(
    ("part", "payload"), [("body", "globals-popen"), ("core-properties", "repeat-1e9")]
)
def test_check_and_generate_exit_1_naming_file_and_part_and_write_nothing(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    part: str,
    payload: str,
) -> None:
    text, message = PAYLOADS[payload]
    path, place = template_with(tmp_path, part, text)
    monkeypatch.setattr(report, "TEMPLATE", path)
    out = tmp_path / "out"
    with recorder().recording() as events:
        assert cli.main(["check", str(MINIMAL)]) == 1
        assert cli.main(["generate", str(MINIMAL), "-o", str(out)]) == 1
    stderr = capsys.readouterr().err
    assert stderr.count(f"report.docx: {place}: {BLOCKED}{message}") == 2
    assert "没有生成任何文件" in stderr and "Traceback" not in stderr
    assert not out.exists() and list(tmp_path.iterdir()) == [path]
    assert network_or_processes(events) == []


def test_report_render_without_lint_is_still_sandboxed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, loaded: Loaded
) -> None:
    """report.render_docx renders in the same environment even if lint were skipped."""
    path, _ = template_with(tmp_path, "body", PAYLOADS["globals-popen"][0])
    monkeypatch.setattr(report, "TEMPLATE", path)
    with recorder().recording() as events, pytest.raises(DocgenError) as info:
        report.render_docx(loaded)
    assert f"{BLOCKED}{TYPE_INIT}" in str(info.value)
    assert network_or_processes(events) == []


# --- HTML templates ------------------------------------------------------------------------------

HTML_TEMPLATES = sorted(p.name for p in press.TEMPLATES.glob("*.j2"))


@pytest.fixture
def html_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "html"
    shutil.copytree(press.TEMPLATES, folder)
    return folder


def _prepend(path: Path, text: str) -> None:
    path.write_text(text + "\n" + path.read_text(encoding="utf-8"), encoding="utf-8")


@pytest.mark.parametrize("name", HTML_TEMPLATES)
@pytest.mark.parametrize("payload", PAYLOADS)
def test_html_template_code_is_blocked_and_located(
    html_copy: Path, name: str, payload: str
) -> None:
    text, message = PAYLOADS[payload]
    _prepend(html_copy / name, text)
    with recorder().recording() as events, pytest.raises(DocgenError) as info:
        templating.render(templating.environment(html_copy), name, {})
    [problem] = info.value.problems
    assert (problem.location.file, problem.location.line) == (html_copy / name, 1)
    assert problem.message == BLOCKED + message
    assert network_or_processes(events) == []


def test_generate_with_a_hostile_press_template_exits_1_and_writes_nothing(
    html_copy: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    _prepend(html_copy / "press.html.j2", PAYLOADS["globals-popen"][0])
    monkeypatch.setattr(press, "TEMPLATES", html_copy)
    out = tmp_path / "out"
    with recorder().recording() as events:
        code = cli.main(["generate", str(MINIMAL), "-o", str(out), "--only", "press"])
    assert code == 1
    stderr = capsys.readouterr().err
    assert f"press.html.j2:1: {BLOCKED}{TYPE_INIT}" in stderr
    assert not out.exists()
    assert network_or_processes(events) == []


# --- bounded: what would build gigabytes is refused before it allocates -------------------------

AMPLIFIERS = [
    "{{ 'x'*10**9 }}",
    "{{ 'x'*10**8 }}",
    "{{ ['x']*10**9 }}",
    "{{ 'x'.ljust(10**9) }}",
    "{{ 'x'.zfill(10**9) }}",
    "{{ 'x'|center(10**9) }}",
    "{{ 'x'|indent(10**9, true) }}",
    "{{ '%*s'|format(10**9, 'x') }}",
    "{{ '%01000000000d' % 1 }}",
    "{{ '{:>1000000000}'.format('x') }}",
    "{{ '{:>{}}'.format('x', 10**9) }}",
    "{{ ((((10**64)**64)**64)**64) }}",
    "{{ range(100000)|join('y'*100000) }}",
    "{{ ('x'*100000)|replace('x', 'y'*100000) }}",
    "{{ [1]|batch(10**9, 0)|list }}",
    "{{ {'a': [1]}|tojson(10**9) }}",
    "{{ range(10**9)|list }}",
    "{{ lipsum(10**5) }}",
    "{% set ns = namespace(s='xx') %}{% for i in range(40) %}{% set ns.s = ns.s + ns.s %}{% endfor %}",
]

SANDBOX_OWN = ("OverflowError: Range too big", "UndefinedError: 'lipsum' is undefined")
"""Jinja's own bound on range(), and lipsum(), which docgen's environment leaves out."""

BOUNDED = """
import json, resource, sys, time
from pathlib import Path
from docgen import cli, templating
from docgen.outputs import report
report.TEMPLATE = Path(sys.argv[1])
spawned = []
def hook(event, args):
    if event not in {
            "subprocess.Popen", "os.system", "os.exec", "os.posix_spawn", "os.spawn", "os.fork"}:
        return
    frame = sys._getframe(1)  # the render worker's own fork is docgen's, not the template's
    while frame is not None and frame.f_globals.get("__name__") != "docgen.render_worker":
        frame = frame.f_back
    if frame is None:
        spawned.append(event)
sys.addaudithook(hook)
result = {"seconds": {}, "errors": {}}
start = time.monotonic()
result["check"] = cli.main(["check", sys.argv[2]])
result["seconds"]["check"] = time.monotonic() - start
env = templating.environment()
for source in json.loads(sys.argv[3]):
    start = time.monotonic()
    try:
        env.from_string(source).render()
        result["errors"][source] = None
    except Exception as exc:
        result["errors"][source] = type(exc).__name__ + ": " + str(exc)
    result["seconds"][source] = time.monotonic() - start
# The peak of this process's own memory, and of its render workers. Not getrusage(RUSAGE_SELF):
# Linux carries ru_maxrss over from the parent across fork and exec, so under pytest it reports
# the test runner's size. The workers are forks of this process: their peaks are their own.
status = Path("/proc/self/status").read_text()
workers = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024
result["maxrss_mb"] = max(int(status.split("VmHWM:")[1].split()[0]) // 1024, workers)
result["spawned"] = spawned
print(json.dumps(result, ensure_ascii=False))
"""


def test_gigabyte_expressions_are_refused_fast_and_small(tmp_path: Path) -> None:
    """Jinja's sandbox folds 'x'*10**8 at compile time (7.7 s, 400 MB measured) and lets
    'x'.ljust(10**9) through; here each is refused before it allocates. The bounds (5 s, 300 MB)
    are generous limits, not timings: the whole process, docgen check included, is ~200 MB."""
    path, _ = template_with(tmp_path, "body", "{{ 'x'*10**9 }}")
    run = subprocess.run(
        [sys.executable, "-c", BOUNDED, str(path), str(MINIMAL), json.dumps(AMPLIFIERS)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout.splitlines()[-1])
    assert result["check"] == 1
    repeat = TOO_BIG.format("重复 1000000000 次，超过上限 100000 个字符")
    assert f"report.docx: 正文第 1 段: {BLOCKED}{repeat}" in run.stderr
    for source, error in result["errors"].items():
        assert error is not None, f"{source} rendered"
        assert error.startswith(("SecurityError: 模板要生成的内容过大", *SANDBOX_OWN)), error
    assert max(result["seconds"].values()) < 5, result["seconds"]
    assert result["maxrss_mb"] < 300
    assert result["spawned"] == []
