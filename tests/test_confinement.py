"""Fetch confinement (hardening item 3), witnessed from outside docgen: an audit hook records
every file opened, connection attempted and process spawned, and a loopback listener counts the
connections it gets. Every way HTML or CSS can name a resource outside the allowed folders is
refused with the URL in the message; photo and seal paths in edition.yaml are refused at
validation, with their line, before anything opens the target."""

from __future__ import annotations

import ast
import io
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pikepdf
import pytest
import weasyprint
from PIL import Image

from docgen import edition, fonts, pdf
from docgen.errors import DocgenError
from docgen.outputs import press

from .audit import Listener, network_or_processes, opened_outside, recorder
from .conftest import MINIMAL, ROOT

FONTS = fonts.FONTS_DIR
SRC = ROOT / "src" / "docgen"


@pytest.fixture(scope="module")
def listener() -> Iterator[Listener]:
    server = Listener()
    yield server
    server.close()


@pytest.fixture
def site(tmp_path: Path, listener: Listener) -> Path:
    """An allowed folder with a good image, and around it what must stay out of reach: a secret
    beside it, a symlink inside pointing at it, an SVG file that references the listener."""
    root = tmp_path / "allowed"
    root.mkdir()
    Image.new("RGB", (8, 8), "red").save(root / "ok.png")
    secret = tmp_path / "secret.png"
    shutil.copyfile(root / "ok.png", secret)
    (root / "link.png").symlink_to(secret)
    svg = '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">{}</svg>'
    image = '<image href="{}" width="10" height="10"/>'
    (root / "remote.svg").write_text(svg.format(image.format(f"{listener.url}/in-svg-file.png")))
    (root / "local.svg").write_text(svg.format(image.format("file:///etc/passwd")))
    return root


def render(html: str, root: Path) -> bytes:
    """docgen's one way to make a PDF: pdf.render, then pdf.write."""
    assets = pdf.Assets(roots=[root])
    document = pdf.render(html, root, assets, pdf.FontSet.for_text(html), "测试")
    return pdf.write(document, "测试")


SVG = '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="10" height="10">{}</svg>'

# name: (markup, the URL the refusal must name). {http} is the loopback listener.
PAYLOADS = {
    "img-file-url": ('<img src="file:///etc/passwd">', "file:///etc/passwd"),
    "link-attachment": (
        '<link rel="attachment" href="file:///etc/hostname">',
        "file:///etc/hostname",
    ),
    "a-attachment": ('<a rel="attachment" href="file:///etc/hostname">附件</a>', "/etc/hostname"),
    "css-import": ('<style>@import url("{http}/import.css");</style>', "{http}/import.css"),
    "css-import-file": ('<style>@import url("file:///etc/passwd");</style>', "file:///etc/passwd"),
    "css-url": ('<div style="background: url({http}/bg.png)">背景</div>', "{http}/bg.png"),
    "css-font-face": (
        "<style>@font-face { font-family: X; src: url({http}/f.woff) } p { font-family: X }</style>",
        "{http}/f.woff",
    ),
    "link-stylesheet": ('<link rel="stylesheet" href="{http}/s.css">', "{http}/s.css"),
    "img-loopback": ('<img src="{http}/x.png">', "{http}/x.png"),
    "object-loopback": ('<object data="{http}/o.png"></object>', "{http}/o.png"),
    "base-tag": ('<base href="{http}/"><img src="based.png">', "{http}/based.png"),
    "svg-inline-image": (
        SVG.format('<image href="{http}/inline.png" width="10" height="10"/>'),
        "{http}/inline.png",
    ),
    "svg-inline-xlink-file": (
        SVG.format('<image xlink:href="file:///etc/passwd" width="10" height="10"/>'),
        "file:///etc/passwd",
    ),
    "svg-inline-xml-base": (
        SVG.format('<image xml:base="{http}/" href="b.png" width="10" height="10"/>'),
        "{http}/b.png",
    ),
    "svg-file-image-loopback": ('<img src="remote.svg">', "{http}/in-svg-file.png"),
    "svg-file-image-file": ('<img src="local.svg">', "file:///etc/passwd"),
    "dot-dot": ('<img src="../secret.png">', "secret.png"),
    "dot-dot-encoded": ('<img src="%2e%2e/secret.png">', "secret.png"),
    "symlink-out": ('<img src="link.png">', "link.png"),
    "unc-host": ('<img src="file://127.0.0.2/share/x.jpg">', "file://127.0.0.2/share/x.jpg"),
    "nul-byte": ('<img src="file:///etc/passwd%00.png">', "file:///etc/passwd%00.png"),
}


@pytest.mark.parametrize("name", PAYLOADS)
def test_every_way_out_is_refused_naming_the_url(name: str, site: Path, listener: Listener) -> None:
    markup, url = (part.replace("{http}", listener.url) for part in PAYLOADS[name])
    html = f"<html><body><p>正文</p>{markup}</body></html>"
    before = listener.connections()
    with recorder().recording() as events, pytest.raises(DocgenError) as info:
        render(html, site)
    assert url in str(info.value)
    assert listener.connections() == before
    assert network_or_processes(events) == []
    assert opened_outside(events, [site, FONTS]) == []


def test_what_is_allowed_still_renders_and_nothing_is_embedded(
    site: Path, listener: Listener
) -> None:
    """The control: an image in the folder renders; a link is printed, never fetched."""
    html = (
        '<html><body><p>正文</p><img src="ok.png"><img src="docgen-asset:mem.png">'
        f'<p><a href="{listener.url}/link">链接</a></p></body></html>'
    )
    assets = pdf.Assets(roots=[site])
    assets.add("mem.png", (site / "ok.png").read_bytes())
    before = listener.connections()
    with recorder().recording() as events:
        document = pdf.render(html, site, assets, pdf.FontSet.for_text(html), "测试")
        data = pdf.write(document, "测试")
    assert listener.connections() == before
    assert network_or_processes(events) == []
    assert opened_outside(events, [site, FONTS]) == []
    assert any(str(site / "ok.png") in str(args[0]) for event, args in events if event == "open")
    with pikepdf.open(io.BytesIO(data)) as doc:
        assert len(doc.attachments) == 0
        assert "/EmbeddedFiles" not in doc.Root.get("/Names", {})
        assert len(doc.pages[0].get_images()) >= 1


# --- the same through the press release's own template pipeline ---------------------------------

PRESS_PAYLOADS: dict[str, tuple[str, str, str]] = {
    # name: (file in templates/html, what to add, the URL the refusal must name)
    "template-img": ("press.html.j2", '<img src="{http}/press.png">', "{http}/press.png"),
    "template-attachment": (
        "press.html.j2",
        '<link rel="attachment" href="file:///etc/hostname">',
        "file:///etc/hostname",
    ),
    "template-svg": (
        "press.html.j2",
        SVG.format('<image href="{http}/press-svg.png" width="9" height="9"/>'),
        "{http}/press-svg.png",
    ),
    "stylesheet-import": ("press.css", '@import url("{http}/more.css");', "{http}/more.css"),
    "stylesheet-url": ("press.css", "body { background: url({http}/bg.png) }", "{http}/bg.png"),
    "stylesheet-file": (
        "press.css",
        "body { background: url(../../../../../../etc/passwd) }",
        "/etc/passwd",
    ),
}


@pytest.fixture
def templates_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "html"
    shutil.copytree(press.TEMPLATES, folder)
    monkeypatch.setattr(press, "TEMPLATES", folder)
    return folder


@pytest.mark.parametrize("name", PRESS_PAYLOADS)
def test_press_template_and_stylesheet_cannot_reach_out(
    name: str, templates_copy: Path, listener: Listener
) -> None:
    file, addition, url = (p.replace("{http}", listener.url) for p in PRESS_PAYLOADS[name])
    target = templates_copy / file
    text = target.read_text(encoding="utf-8")
    if file.endswith(".css"):
        text = (addition + "\n" + text) if "@import" in addition else (text + "\n" + addition)
    else:
        text = text.replace("</body>", addition + "\n</body>")
    target.write_text(text, encoding="utf-8")
    loaded = edition.load(MINIMAL)
    before = listener.connections()
    with recorder().recording() as events, pytest.raises(DocgenError) as info:
        press.render_pdf(loaded)
    assert url in str(info.value)
    assert str(info.value).startswith("新闻稿 PDF：")
    assert listener.connections() == before
    assert network_or_processes(events) == []
    allowed = [templates_copy, *loaded.settings.home.layers("config"), MINIMAL.parent, FONTS]
    assert opened_outside(events, allowed) == []


# --- guards against regressions: WeasyPrint's version and every call site -------------------------


def test_weasyprint_is_70_or_later() -> None:
    """CVE-2026-55073: before 70, write_pdf(stylesheets=…/xmp_metadata=…) bypassed the fetcher."""
    assert int(weasyprint.__version__.split(".")[0]) >= 70


def _calls(path: Path) -> Iterator[ast.Call]:
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call):
            yield node


def _name(call: ast.Call) -> str:
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


def test_every_weasyprint_document_and_stylesheet_gets_docgen_s_fetcher() -> None:
    """HTML( and CSS( without url_fetcher= would get WeasyPrint's default fetcher (file, http);
    write_pdf( may not take attachments, XMP or stylesheet URLs; only pdf.py calls WeasyPrint."""
    seen = 0
    for path in SRC.rglob("*.py"):
        for call in _calls(path):
            keywords = {k.arg for k in call.keywords}
            if _name(call) in ("HTML", "CSS", "_MinimalHTML", "kind"):
                assert "url_fetcher" in keywords, f"{path.name}:{call.lineno}"
                assert path.name == "pdf.py", f"{path.name}:{call.lineno} renders outside pdf.py"
                seen += 1
            if _name(call) == "write_pdf":
                assert not keywords & {"attachments", "xmp_metadata", "stylesheets"}
    assert seen >= 3


# --- photo and seal paths in edition.yaml: refused at validation, the target never opened -------

Make = Callable[[Path, Path], str]
"""(edition folder, a folder outside it) → what to write in the YAML."""

PHOTO_PATH = {
    "url": "照片只能是本届文件夹中的文件，不能是网址",
    "absolute": "请写相对于本届文件夹的路径（如 photos/01.jpg），不能写绝对路径",
    "dotdot": "路径不能包含“..”：照片必须放在本届文件夹之内",
    "outside": "这个文件（或它的链接目标）在本届文件夹之外，不能使用",
    "colon": "文件名中不能有冒号“:”",
}


def _symlink_out(folder: Path, outside: Path) -> str:
    (folder / "photos" / "link.jpg").symlink_to(outside / "secret.jpg")
    return "photos/link.jpg"


PHOTO_CASES: dict[str, tuple[Make, str]] = {
    "parent": (lambda f, o: "../secret.jpg", PHOTO_PATH["dotdot"]),
    "parent-inside-photos": (lambda f, o: "photos/../../secret.jpg", PHOTO_PATH["dotdot"]),
    "backslash-parent": (lambda f, o: "photos\\..\\..\\secret.jpg", PHOTO_PATH["dotdot"]),
    "absolute": (lambda f, o: str(o / "secret.jpg"), PHOTO_PATH["absolute"]),
    "drive": (lambda f, o: "C:\\Windows\\win.ini", PHOTO_PATH["absolute"]),
    "drive-relative": (lambda f, o: "C:secret.jpg", PHOTO_PATH["absolute"]),
    "unc": (lambda f, o: "\\\\host\\share\\p.jpg", PHOTO_PATH["absolute"]),
    "file-url": (lambda f, o: (o / "secret.jpg").as_uri(), PHOTO_PATH["url"]),
    "http-url": (lambda f, o: "{http}/p.jpg", PHOTO_PATH["url"]),
    "alternate-stream": (lambda f, o: "photos/meeting.jpg:ads", PHOTO_PATH["colon"]),
    "symlink-out": (_symlink_out, PHOTO_PATH["outside"]),
    "device-name": (
        lambda f, o: "photos/CON.jpg",
        "“CON.jpg”是 Windows 保留的设备名，不能用作文件名，请改名",
    ),
}


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    folder = tmp_path / "outside"
    folder.mkdir()
    shutil.copyfile(MINIMAL.parent / "photos" / "meeting.jpg", folder / "secret.jpg")
    return folder


def _load_refused(path: Path, listener: Listener, allowed: list[Path]) -> list[str]:
    """edition.load under the audit hook: the problems, after checking nothing reached out."""
    before = listener.connections()
    with recorder().recording() as events, pytest.raises(DocgenError) as info:
        edition.load(path)
    assert listener.connections() == before
    assert network_or_processes(events) == []
    assert opened_outside(events, allowed) == []
    return [str(p).split("edition.yaml:", 1)[1] for p in info.value.problems]


@pytest.mark.parametrize("case", PHOTO_CASES)
def test_photo_paths_leading_out_are_refused_at_validation(
    case: str, edition_copy: Callable[..., Path], outside: Path, listener: Listener
) -> None:
    make, message = PHOTO_CASES[case]
    path = edition_copy()
    value = make(path.parent, outside).replace("{http}", listener.url)
    text = path.read_text(encoding="utf-8").replace("photos/meeting.jpg", f"'{value}'")
    path.write_text(text, encoding="utf-8")
    assert _load_refused(path, listener, [path.parent]) == [f"23:13: photos[0].files[0]: {message}"]


SEAL_CASES = {
    "absolute": ("/etc/passwd", "请写相对于 config 文件夹的路径（如 seal.png），不能写绝对路径"),
    "parent": ("../../../../etc/passwd", "路径不能包含“..”：印章图片必须放在 config 文件夹之内"),
    "url": ("{http}/seal.png", "印章图片只能是 config 文件夹中的文件，不能是网址"),
}


@pytest.mark.parametrize("case", SEAL_CASES)
def test_seal_path_leading_out_of_config_is_refused(
    case: str, edition_copy: Callable[..., Path], listener: Listener
) -> None:
    """certificates.seal names an image in config/; it used to be read from wherever it led."""
    value, message = SEAL_CASES[case]
    path = edition_copy()
    text = path.read_text(encoding="utf-8")
    line = text.count("\n") + 2
    value = value.replace("{http}", listener.url)
    path.write_text(f"{text}certificates:\n  seal: '{value}'\n", encoding="utf-8")
    assert _load_refused(path, listener, [path.parent]) == [
        f"{line}:9: certificates.seal: {message}"
    ]
