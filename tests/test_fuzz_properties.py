"""Fuzzing in the normal suite (hardening item 12): random text and bytes through the edition loader,
mutated Word templates through the pre-flight and lint, and random template code through the
render worker, where only DocgenError (or a list of problems) may come out; the atheris
harnesses' seed corpus and crash inputs replayed; and the crashes atheris found, as regression
tests. `make fuzz` runs the harnesses themselves."""

from __future__ import annotations

import importlib.util
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from docgen import docx_template, edition, source
from docgen.errors import DocgenError
from docgen.outputs import report

from .conftest import MINIMAL, ROOT
from .docx_templates import rewritten

FUZZ = ROOT / "fuzz"
NOT_DOCX = docx_template.NOT_DOCX
FAST = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def harness(name: str) -> ModuleType:
    """fuzz/<name>.py, imported without atheris (only its main() needs it)."""
    spec = importlib.util.spec_from_file_location(f"fuzz_{name}", FUZZ / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def only_docgen_errors(call: Callable[[], object]) -> None:
    try:
        call()
    except DocgenError as exc:
        assert exc.problems or exc.text  # a message for the user, never an empty one


# YAML-significant pieces and office-typed text, so random strings look like broken editions.
TOKENS = [
    "\n", "  ", "- ", ": ", "：", "#", "&a ", "*a", "!!python/object ", "<<: ", "{", "}", "[", "]",
    "'", '"', "\\", "\t", "\u3000", "\ufeff", "\x0b", "NO", "010", "1:20", "2025-13-01", "~",
    "---", "...", "|", ">", "awards:", "winners:", "unit: ", "photos/meeting.jpg", "../x.jpg",
    "甲单位工会", "“权益杯”", "🎉", "\U00020000", "\u202e",
]  # fmt: skip
yaml_like = st.lists(st.one_of(st.sampled_from(TOKENS), st.text(max_size=8)), max_size=40).map(
    "".join
)


@FAST
@given(st.one_of(yaml_like, st.text()))
def test_any_text_reads_or_fails_with_a_docgen_error(text: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "edition.yaml"
        path.write_text(text, encoding="utf-8", errors="surrogatepass")
        only_docgen_errors(lambda: source.read(path))


@FAST
@given(st.binary(max_size=2000))
def test_any_bytes_read_or_fail_with_a_docgen_error(data: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "edition.yaml"
        path.write_bytes(data)
        only_docgen_errors(lambda: source.read(path))


MINIMAL_TEXT = MINIMAL.read_text(encoding="utf-8")
EDITION_HARNESS = harness("edition")


@settings(max_examples=100, deadline=None)
@given(st.integers(0, len(MINIMAL_TEXT)), st.integers(0, 40), yaml_like)
def test_a_damaged_edition_loads_or_fails_with_a_docgen_error(
    start: int, length: int, insert: str
) -> None:
    """The minimal edition with a random span replaced: through validation and cross-checks."""
    text = MINIMAL_TEXT[:start] + insert + MINIMAL_TEXT[start + length :]
    EDITION_HARNESS.one_input(text.encode("utf-8", "surrogatepass"))  # source.read + edition.load


TEMPLATE = report.TEMPLATE.read_bytes()


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, len(TEMPLATE) - 1), st.binary(max_size=4)), max_size=4))
def test_a_damaged_template_is_refused_with_problems_never_a_traceback(
    edits: list[tuple[int, bytes]],
) -> None:
    data = bytearray(TEMPLATE)
    for at, new in edits:
        data[at : at + len(new)] = new
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "report.docx"
        path.write_bytes(bytes(data))
        if not docx_template.preflight(path):
            only_docgen_errors(lambda: docx_template.read(path))


RENDER_HARNESS = harness("render")
template_code = st.lists(
    st.one_of(st.sampled_from(RENDER_HARNESS.TOKENS), st.text(max_size=6)), max_size=30
).map("".join)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(template_code)
def test_any_word_template_code_renders_or_is_refused_with_located_problems(text: str) -> None:
    """Through the render worker, as fuzz/render.py does: lint's dry run, then the report."""
    RENDER_HARNESS.render(text)


# --- the harnesses' corpora, replayed: seeds and every crash input saved there ------------------


@pytest.mark.parametrize("name", ["edition", "template", "render"])
def test_fuzz_corpus_replays_cleanly(name: str) -> None:
    module = harness(name)
    inputs = sorted((FUZZ / "corpus" / name).iterdir())
    assert inputs
    for path in inputs:
        module.one_input(path.read_bytes())


# --- crashes atheris found (fuzz/template.py), now regression tests -------------------------------


def _foreign_rels(path: Path) -> Path:
    """_rels/.rels in another namespace: python-docx raised AttributeError (Relationship_lst)."""
    package = b"http://schemas.openxmlformats.org/package/2006/relationships"
    return rewritten(path, {"_rels/.rels": lambda d: d.replace(package, b"urn:x-other")})


def _settings_of_another_type(path: Path) -> Path:
    """word/settings.xml declared as plain XML: python-docx raised AttributeError (settings)."""
    kind = b"application/vnd.openxmlformats-officedocument.wordprocessingml.settings+xml"
    return rewritten(path, {"[Content_Types].xml": lambda d: d.replace(kind, b"application/xml")})


def _name_not_utf8(path: Path) -> Path:
    """A member name flagged UTF-8 that is not: zipfile raised UnicodeDecodeError in pre-flight."""
    rewritten(path, add={"word/\u00e9.xml": b"<x/>"})
    path.write_bytes(path.read_bytes().replace("word/\u00e9.xml".encode(), b"word/\xc3\x28.xml"))
    return path


@pytest.mark.parametrize("damage", [_foreign_rels, _settings_of_another_type, _name_not_utf8])
def test_damaged_packages_found_by_fuzzing_are_refused_as_not_docx(
    tmp_path: Path, damage: Callable[[Path], Path]
) -> None:
    path = damage(tmp_path / "report.docx")
    problems = docx_template.preflight(path)
    if not problems:
        with pytest.raises(DocgenError) as info:
            docx_template.read(path)
        problems = list(info.value.problems)
    [problem] = problems
    assert problem.message.startswith(NOT_DOCX)
    assert zipfile.is_zipfile(path)  # damaged inside, not a plain broken zip


# --- crashes atheris found (fuzz/edition.py), now regression tests --------------------------------

ALLOWED_KEYS = (
    "schema_version、organiser、series、number、year、meeting、story、photos、awards、press、"
    "report、certificates"
)


@pytest.mark.parametrize(
    ("key", "hint"), [("introduction", "。"), ("str", "，是不是“story”？"), ("int", "。")]
)
def test_a_misspelt_key_that_looks_like_a_pydantic_branch_is_named(
    edition_copy: Callable[..., Path], key: str, hint: str
) -> None:
    """pydantic's loc mixes data keys with branch tags (str, int-…); a key starting like one was
    dropped from the path and the message for it raised IndexError instead of naming the key."""
    path = edition_copy()
    line = path.read_text(encoding="utf-8").count("\n") + 1
    with path.open("a", encoding="utf-8") as fh:
        fh.write(f"{key}: x\n")
    with pytest.raises(DocgenError) as info:
        edition.load(path)
    assert [str(p).split("edition.yaml:", 1)[1] for p in info.value.problems] == [
        f"{line}:1: {key}: 没有“{key}”这一项{hint}这里可以写：{ALLOWED_KEYS}"
    ]
