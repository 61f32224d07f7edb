"""Images and printers the settings name (branding.yaml logo and seal, certificate.yaml seal,
stock.scan and stock.printer): confined to config/ like photos to the edition folder, checked when
the settings load (so `docgen check` finds them), located at their line, and rendered from the
bytes that were checked."""

from __future__ import annotations

import dataclasses
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from PIL import Image

from docgen import artwork, config, edition, svg
from docgen.errors import DocgenError

from . import bombs
from .conftest import MINIMAL, ROOT

LOADED = edition.load(MINIMAL)


def docgen_home(folder: Path) -> Path:
    """A docgen home whose config/ is a copy of the checkout's (templates/ and fonts/ linked),
    for DOCGEN_HOME or config.resolve's ``root``."""
    shutil.copytree(ROOT / "config", folder / "config", symlinks=True)
    for name in ("templates", "fonts"):
        (folder / name).symlink_to(ROOT / name)
    return folder


SETTINGS = {
    "logo": ("branding.yaml", "logo: assets/logo-sample.svg"),
    "seal": ("branding.yaml", "seal: assets/seal-sample.svg"),
    "certificate-seal": ("certificate.yaml", "seal: sample"),
}
"""Where each field is written (stock.* go into a stock: section added to certificate.yaml)."""


def name_in(home: Path, field: str, value: str) -> str:
    """Write ``value`` (quoted) as ``field`` in its settings file; the value's location."""
    file, old = SETTINGS.get(field, ("certificate.yaml", "\nstock:\n"))
    path = home / "config" / file
    text = path.read_text(encoding="utf-8")
    quoted = "'" + value.replace("'", "''") + "'"
    if field.startswith("stock."):  # the section is added last, so its keys go at the end
        text = text if old in text else text + old
        text += f"  {field.removeprefix('stock.')}: {quoted}\n"
    else:
        text = text.replace(old, f"{old.split(':')[0]}: {quoted}", 1)
    path.write_text(text, encoding="utf-8")
    line = next(i for i, t in enumerate(text.splitlines(), 1) if t.strip().endswith(quoted))
    column = text.splitlines()[line - 1].index(quoted) + 1
    return f"config/{file}:{line}:{column}: {field.removeprefix('certificate-')}: "


def problems(home: Path) -> list[str]:
    """The settings loaded from ``home``: each problem, from the config/ folder on."""
    with pytest.raises(DocgenError) as info:
        config.resolve(LOADED.edition, LOADED.doc, home)
    return [str(p).split(f"{home}/", 1)[-1] for p in info.value.problems]


def svg_text(body: str) -> str:
    return f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10">{body}</svg>'


def use_bomb(levels: int) -> str:
    """Each level draws the one below twice: 2**levels rectangles from a few hundred bytes."""
    parts = ['<g id="g0"><rect width="1" height="1"/></g>']
    parts += [
        f'<g id="g{i}"><use href="#g{i - 1}"/><use href="#g{i - 1}"/></g>' for i in range(1, levels)
    ]
    return svg_text("".join(parts) + f'<use href="#g{levels - 1}"/>')


Make = Callable[[Path, Path], str]
"""(config folder, a folder outside it) → the value to write."""


def _file(name: str, content: bytes) -> Make:
    def make(cfg: Path, outside: Path) -> str:
        (cfg / "assets" / name).write_bytes(content)
        return f"assets/{name}"

    return make


def _link(name: str, target: str) -> Make:
    def make(cfg: Path, outside: Path) -> str:
        (cfg / "assets" / name).symlink_to(target.format(outside=outside))
        return f"assets/{name}"

    return make


def _fifo(cfg: Path, outside: Path) -> str:
    os.mkfifo(cfg / "assets" / "pipe.png")  # no writer: open() would wait for ever
    return "assets/pipe.png"


def _folder(cfg: Path, outside: Path) -> str:
    (cfg / "assets" / "folder.png").mkdir()
    return "assets/folder.png"


PNG_BOMB = bombs.png(10_900, 10_900)
SVG_25MB = svg_text('<rect width="1" height="1"/>' * 900_000).encode()

CASES: dict[str, tuple[Make, str]] = {
    "absolute": (lambda c, o: str(o / "secret.png"), "请写相对于 config 文件夹的路径"),
    "parent": (lambda c, o: "../../secret.png", "路径不能包含“..”"),
    "symlink-out": (_link("out.png", "{outside}/secret.png"), "在 config 文件夹之外，不能使用"),
    "dev-zero": (_link("zero.png", "/dev/zero"), "在 config 文件夹之外，不能使用"),
    "http": (
        lambda c, o: "http://127.0.0.1:9/seal.png",
        "只能是 config 文件夹中的文件，不能是网址",
    ),
    "missing": (lambda c, o: "assets/none.png", "文件不存在"),
    "fifo": (_fifo, "这是一个管道（FIFO），不是普通文件，已拒绝读取"),
    "folder": (_folder, "这是一个文件夹"),
    "long-name": (lambda c, o: "a" * 300 + ".png", "超过上限 255 字节"),
    "gif": (lambda c, o: "assets/logo.gif", "只能是 SVG、PNG 或 JPG 文件"),
    "not-an-image": (_file("text.png", b"hello"), "不是可识别的 PNG 图片"),
    "jpeg-named-png": (
        _file("photo.png", (MINIMAL.parent / "photos" / "meeting.jpg").read_bytes()),
        "文件内容是 JPEG 图片，与扩展名不符",
    ),
    "png-bomb": (_file("bomb.png", PNG_BOMB), "解码需要约 453 MB 内存，超过上限 256 MB"),
    "svg-25mb": (_file("big.svg", SVG_25MB), "超过上限 1.0 MB"),
    "svg-use-bomb": (_file("use.svg", use_bomb(30).encode()), "展开 <use> 后有 超过 50,000 个元素"),
    "svg-elements": (_file("many.svg", svg_text("<rect/>" * 6000).encode()), "有 6,001 个元素"),
    "svg-use-cycle": (
        _file("loop.svg", svg_text('<g id="a"><use href="#a"/></g>').encode()),
        "引用了自己",
    ),
    "svg-external": (
        _file("ext.svg", svg_text('<image href="file:///etc/passwd"/>').encode()),
        "引用了文件之外的资源“file:///etc/passwd”",
    ),
    "svg-css-url": (
        _file("css.svg", svg_text('<rect fill="url(http://x/y)"/>').encode()),
        "fill 引用了文件之外的资源",
    ),
    "svg-entity": (
        _file("ent.svg", b'<!DOCTYPE svg [<!ENTITY a "b">]>' + svg_text("&a;").encode()),
        "DOCTYPE",
    ),
    "svg-broken": (_file("cut.svg", svg_text("<rect/>").encode()[:-3]), "不是有效的 SVG 文件"),
    "svg-not-svg": (_file("html.svg", b"<html/>"), "最外层不是 <svg> 元素"),
}
FIELDS = ("logo", "seal", "certificate-seal", "stock.scan")


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    folder = tmp_path / "outside"
    folder.mkdir()
    Image.new("RGB", (600, 600), "red").save(folder / "secret.png")
    return folder


@pytest.mark.parametrize("field", FIELDS)
@pytest.mark.parametrize("case", CASES)
def test_every_image_the_settings_name_is_checked_at_load(
    case: str, field: str, tmp_path: Path, outside: Path
) -> None:
    """Before: a path outside config/ was embedded in the PDFs and copied into the website; a
    missing file or a URL passed `check` and crashed the render (FileNotFoundError); a non-image
    crashed `check` (PhotoError); /dev/zero, a FIFO and a 25 MB SVG ran away."""
    home = docgen_home(tmp_path / "home")
    make, message = CASES[case]
    where = name_in(home, field, make(home / "config", outside))
    [found] = problems(home)
    assert found.startswith(where), found
    assert message in found.removeprefix(where), found


def test_the_shipped_artwork_and_good_images_load(tmp_path: Path) -> None:
    """The control: SVG and PNG samples, a JPEG scan; the bytes kept are the file's."""
    home = docgen_home(tmp_path / "home")
    Image.new("RGB", (1188, 840), (250, 240, 215)).save(home / "config" / "scan.jpg")
    name_in(home, "stock.scan", "scan.jpg")
    name_in(home, "seal", "assets/seal-sample.png")
    settings = config.resolve(LOADED.edition, LOADED.doc, home)
    assert (
        settings.logo
        and settings.logo.data == (home / "config/assets/logo-sample.svg").read_bytes()
    )
    assert settings.seal and settings.seal.width_px and settings.seal.suffix == ".png"
    assert settings.scan and settings.scan.width_px == 1188


def test_the_render_uses_the_bytes_checked_at_load(tmp_path: Path) -> None:
    """Replacing the file after the check changes nothing: the outputs never reopen it."""
    from docgen.outputs import press

    home = docgen_home(tmp_path / "home")
    settings = config.resolve(LOADED.edition, LOADED.doc, home)
    (home / "config" / "assets" / "logo-sample.svg").write_bytes(b"changed")
    _, assets = press.print_html(dataclasses.replace(LOADED, settings=settings))
    assert settings.logo and assets.memory["logo.svg"] == settings.logo.data != b"changed"


PRINTERS: dict[str, tuple[Make, str]] = {
    "path": (
        lambda c, o: "../branding",
        "只能是 config/printers/ 中的文件名（不含 .yaml），不能是路径",
    ),
    "absolute": (lambda c, o: str(o / "p"), "不能是路径"),
    "missing": (
        lambda c, o: "nope",
        "config/printers/nope.yaml：文件不存在；已有的打印机：example",
    ),
    "fifo": (
        lambda c, o: (os.mkfifo(c / "printers" / "pipe.yaml"), "pipe")[1],
        "这是一个管道（FIFO），不是普通文件",
    ),
    "symlink-out": (
        lambda c, o: ((c / "printers" / "out.yaml").symlink_to(o / "p.yaml"), "out")[1],
        "在 config/printers/ 之外",
    ),
    "url": (lambda c, o: "http://x/p", "只能是 config/printers/ 中的文件名"),
}


@pytest.mark.parametrize("case", PRINTERS)
def test_stock_printer_is_a_profile_name_in_config_printers(
    case: str, tmp_path: Path, outside: Path
) -> None:
    """Before: stock.printer was joined into a path and read from wherever it led, mid-run."""
    home = docgen_home(tmp_path / "home")
    (outside / "p.yaml").write_text((home / "config/printers/example.yaml").read_text("utf-8"))
    make, message = PRINTERS[case]
    where = name_in(home, "stock.printer", make(home / "config", outside))
    [found] = problems(home)
    assert found.startswith(where) and message in found, found


def test_a_broken_printer_profile_is_found_by_check(tmp_path: Path) -> None:
    home = docgen_home(tmp_path / "home")
    (home / "config" / "printers" / "bad.yaml").write_text("page_width_mm: wide\n", "utf-8")
    name_in(home, "stock.printer", "bad")
    found = problems(home)
    assert found and all(p.startswith("config/printers/bad.yaml") for p in found), found


def test_svg_limits_are_what_the_messages_say() -> None:
    assert svg.problem(use_bomb(12).encode()) is not None  # 4,096 copies: 10 s in WeasyPrint
    assert svg.problem(use_bomb(6).encode()) is None  # some reuse is fine
    assert svg.problem(svg_text("<g>" * 70 + "</g>" * 70).encode()) is not None
    assert svg.problem(svg_text('<rect fill="url(#grad)"/>').encode()) is None
    assert artwork.KINDS[".svg"] == "SVG"
