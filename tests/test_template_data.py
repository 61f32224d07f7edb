"""Template code sees plain data only (issue 10). Every context of every template is walked; the
sandbox allows only plain.py's attributes and calls; and the three ways a Word template reached
docxtpl through a photo (img.tpl) and read or wrote files are refused, located, writing nothing."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from pathlib import Path
from typing import Any

import jinja2
import pytest
from docxtpl import DocxTemplate, InlineImage
from markupsafe import Markup

from docgen import calibrate, cli, edition, generate, plain, render_worker, templating
from docgen.certconfig import Page
from docgen.errors import DocgenError
from docgen.home import find_home
from docgen.outputs import certificates, report

from .audit import network_or_processes, recorder
from .conftest import MINIMAL, SAMPLE
from .test_sandbox import BLOCKED, template_with
from .test_stock import scan_run

PLAIN = (dict, list, tuple, str, Markup, int, float, bool, type(None), date, datetime)


def walk(value: Any, path: str) -> None:
    """This test's own idea of plain data (not plain.check's): containers of scalars."""
    assert type(value) in PLAIN, f"{path}: {type(value).__qualname__}"
    if isinstance(value, dict):
        for key, item in value.items():
            walk(item, f"{path}.{key}")
    elif isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            walk(item, f"{path}[{index}]")


def test_every_template_context_is_plain_data(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every Jinja render of check (the lint's dry run) and generate (report, press release for
    print and web, each certificate layer, proof), and of the calibration sheet, recorded at
    Jinja's own Template.render, in this process (the worker's would be lost with the child)."""
    seen: dict[str, list[Any]] = defaultdict(list)
    render = jinja2.Template.render

    def recording(self: jinja2.Template, *args: Any, **kwargs: Any) -> str:
        context = dict(*args, **kwargs)
        name = self.name or "report.docx"
        seen[f"{name}:{context.get('layer', '')}" if "layer" in context else name].append(context)
        return render(self, *args, **kwargs)

    monkeypatch.setattr(jinja2.Template, "render", recording)
    monkeypatch.setattr(render_worker, "run", lambda path, work, *args: work(*args))
    assert cli.main(["check", str(SAMPLE)]) == 0
    lint = len(seen.pop("report.docx"))
    generate.generate(SAMPLE, tmp_path / "out")
    calibrate.sheet(find_home(), Page(width_mm=297, height_mm=210), None)
    list(certificates.render(scan_run(tmp_path)))  # the one layer the sample does not make
    for name, contexts in seen.items():
        for n, context in enumerate(contexts):
            walk(context, f"{name}[{n}]")
    assert lint > 0
    assert sorted(seen) == [
        "calibrate.html.j2",
        "certificate.html.j2:design",
        "certificate.html.j2:scan",
        "certificate.html.j2:seal",
        "certificate.html.j2:text",
        "press.html.j2",
        "proof.html.j2",
        "report.docx",
    ]


# --- the allow-list -------------------------------------------------------------------------------

IDIOMS = {
    "{% for x in 'abc' %}{{ loop.index }}{{ loop.cycle('-', '+') }}{% endfor %}": "1-2+3-",
    "{% set ns = namespace(n=0) %}{% for i in range(3) %}{% set ns.n = ns.n + i %}{% endfor %}{{ ns.n }}": "3",
    "{% set c = cycler('a', 'b') %}{{ c.next() }}{{ c.next() }}{{ c.current }}": "aba",
    "{% set j = joiner('、') %}{% for x in [1, 2] %}{{ j() }}{{ x }}{% endfor %}": "1、2",
    "{% macro m(x) %}[{{ x }}{{ caller() }}]{% endmacro %}{% call m(1) %}!{% endcall %}": "[1!]",
    "{{ d.items()|list|length }}{{ d.get('a') }}{{ d.keys()|join }}": "21ab",
    "{{ s.split('，')|join('/') }} {{ s.replace('甲', '乙').strip() }} {{ '{}号'.format(3) }}": "甲/乙 乙，乙 3号",
    "{{ '%s届' % 21 }}{{ 'x'|attr('upper')() }}{{ dict(a=1).a }}{{ day.year }}": "21届X12025",
}


@pytest.mark.parametrize("source", IDIOMS)
def test_what_templates_write_still_works(source: str) -> None:
    values = {"d": {"a": 1, "b": 2}, "s": "甲，乙", "day": date(2025, 12, 10)}
    assert templating.environment().from_string(source).render(values) == IDIOMS[source]


def test_macros_imported_from_another_template_work(tmp_path: Path) -> None:
    (tmp_path / "macros.j2").write_text("{% macro b(x) %}<b>{{ x }}</b>{% endmacro %}", "utf-8")
    (tmp_path / "page.j2").write_text("{% import 'macros.j2' as m %}{{ m.b('&') }}", "utf-8")
    env = templating.environment(tmp_path)
    assert templating.render(env, "page.j2", {}) == "<b>&amp;</b>"


def _inline_image(tmp_path: Path) -> InlineImage:
    return InlineImage(DocxTemplate(str(report.TEMPLATE)), str(tmp_path / "x.png"))


REFUSED = {
    "{{ img.tpl }}": "不允许访问 InlineImage 对象的属性 tpl",
    "{{ tpl.save('victim.txt') }}": "不允许访问 DocxTemplate 对象的属性 save",
    "{{ tpl|attr('write_xml') }}": "不允许访问 DocxTemplate 对象的属性 write_xml",
    "{{ tpl['replace_zipname'] }}": "不允许访问 DocxTemplate 对象的属性 replace_zipname",
    "{{ path.read_text() }}": "不允许访问 PosixPath 对象的属性 read_text",
    "{{ 'x'.translate({120: 'y' * 99}) }}": "不允许访问 str 对象的属性 translate",
    "{{ 'x'.encode() }}": "不允许访问 str 对象的属性 encode",
    "{{ d.items().mapping }}": "不允许访问 dict_items 对象的属性 mapping",
    "{{ d.pop('a') }}": "不允许访问 dict 对象的属性 pop",
}


@pytest.mark.parametrize("source", REFUSED)
def test_anything_else_is_refused_even_if_a_context_held_it(tmp_path: Path, source: str) -> None:
    """The second line of defence: were a rich object to reach a context again (plain.check would
    stop it first), none of its methods could be reached."""
    image = _inline_image(tmp_path)
    values = {"img": image, "tpl": image.tpl, "path": tmp_path, "d": {"a": 1}}
    with pytest.raises(DocgenError) as info:
        try:
            templating.environment().from_string(source).render(values)
        except Exception as exc:
            raise templating.template_error(exc, Path("t.j2")) from None
    assert info.value.problems[0].message.startswith(BLOCKED + REFUSED[source])


@pytest.mark.parametrize(
    "value", ["InlineImage", "DocxTemplate", "Path", "bytes", "set", "function"]
)
def test_plain_check_refuses_rich_values(tmp_path: Path, value: str) -> None:
    image = _inline_image(tmp_path)
    rich = {
        "InlineImage": image,
        "DocxTemplate": image.tpl,
        "Path": tmp_path,
        "bytes": b"x",
        "set": {1},
        "function": len,
    }[value]
    with pytest.raises(TypeError, match=r"context\.figures\[0\]\.images: .* is not plain data"):
        plain.check({"figures": [{"images": rich}]})


# --- the three attacks the issue saw, end to end --------------------------------------------------

PHOTOS = (
    "{%% for f in figures.intro %%}{%% for img in f.images %%}{{ %s }}{%% endfor %%}{%% endfor %%}"
)
NO_TPL = "模板用到了数据中没有的字段：'str object' has no attribute 'tpl'"


def attacks(tmp_path: Path) -> dict[str, tuple[str, Path]]:
    """Payload, and the file it would read into the report or write, by attack. The issue's
    write_xml went to site-packages (code run at the next Python start); here a folder stands
    in for it, so that a run against vulnerable code leaves the real one alone."""
    site = tmp_path / "site-packages"
    site.mkdir()
    (tmp_path / "victim.txt").write_text("会议记录", encoding="utf-8")
    return {
        "replace_zipname": (
            "img.tpl.replace_zipname('docProps/thumbnail.jpeg', '/etc/passwd')",
            Path("/etc/passwd"),
        ),
        "save": (f"img.tpl.save('{tmp_path / 'victim.txt'}')", tmp_path / "victim.txt"),
        "write_xml": (f"img.tpl.write_xml('{site / 'docgen.pth'}')", site / "docgen.pth"),
    }


@pytest.mark.parametrize("command", ["check", "generate"])
@pytest.mark.parametrize("attack", ["replace_zipname", "save", "write_xml"])
def test_a_template_cannot_reach_docxtpl_through_a_photo(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    attack: str,
    command: str,
) -> None:
    """Before: check and generate exited 0; /etc/passwd was the report's thumbnail, victim.txt
    was overwritten with the template, and a .pth file appeared in site-packages."""
    payload, target = attacks(tmp_path)[attack]
    path, place = template_with(tmp_path, "body", PHOTOS % payload)
    monkeypatch.setattr(report, "TEMPLATE", path)
    before = target.read_bytes() if target.exists() else None
    out = tmp_path / "out"
    args = (
        ["check", str(MINIMAL)]
        if command == "check"
        else ["generate", str(MINIMAL), "-o", str(out)]
    )
    with recorder().recording() as events:
        assert cli.main(args) == 1
    assert f"report.docx: {place}: {NO_TPL}" in capsys.readouterr().err
    assert (target.read_bytes() if target.exists() else None) == before
    assert not out.exists()
    assert network_or_processes(events) == []


def test_the_report_render_alone_never_hands_template_code_an_object(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    payload, target = attacks(tmp_path)["save"]
    path, _ = template_with(tmp_path, "body", PHOTOS % payload)
    monkeypatch.setattr(report, "TEMPLATE", path)
    with pytest.raises(DocgenError) as info:
        report.render_docx(edition.load(MINIMAL))
    assert NO_TPL in str(info.value)
    assert target.read_text(encoding="utf-8") == "会议记录"
