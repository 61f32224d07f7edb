"""The office folder (issue 11): found like git finds a repository, its own files over the packaged
defaults file by file, made by `docgen init`, and compared with newer defaults by --compare."""

from __future__ import annotations

import errno
import hashlib
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from docgen import __version__, cli, edition, office, stock
from docgen.errors import DocgenError
from docgen.home import DEFAULTS, MARKER, Home, find_home
from docgen.outputs import certificate_page, press

from .conftest import MINIMAL, ROOT, pdftotext, squash


def make_office(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / MARKER).write_text("office: 测试办公室\n", encoding="utf-8")
    return folder


def tree(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` with its SHA-256 (what "writes nothing" compares)."""
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


# --- finding the office ----------------------------------------------------------------------


@pytest.fixture
def offices(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Path]:
    """Three offices: one holding an edition (deep inside), one the current folder, one named by
    DOCGEN_HOME (set by the tests that want it); and an edition in no office at all."""
    found = {
        "edition": make_office(tmp_path / "甲办公室"),
        "cwd": make_office(tmp_path / "乙办公室"),
        "named": make_office(tmp_path / "丙办公室"),
    }
    found["deep"] = found["edition"] / "editions" / "第3届"
    found["deep"].mkdir(parents=True)
    found["lone"] = tmp_path / "散落" / "第4届"
    found["lone"].mkdir(parents=True)
    monkeypatch.chdir(found["cwd"])
    monkeypatch.delenv("DOCGEN_HOME", raising=False)
    return found


def test_docgen_home_comes_first_then_the_edition_s_folder_then_the_current_one(
    offices: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert find_home(offices["deep"]) == Home(offices["edition"])
    assert find_home(offices["lone"]) == Home(offices["cwd"])
    assert find_home() == Home(offices["cwd"])
    monkeypatch.setenv("DOCGEN_HOME", str(offices["named"]))
    assert find_home(offices["deep"]) == Home(offices["named"])
    assert find_home() == Home(offices["named"])


def test_no_office_anywhere_means_the_packaged_defaults_alone(
    offices: dict[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(offices["lone"])
    home = find_home(offices["lone"])
    assert home == Home(None)
    assert home.file("config/branding.yaml") == DEFAULTS / "config" / "branding.yaml"


def test_a_docgen_home_that_is_no_folder_is_a_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DOCGEN_HOME", str(tmp_path / "没有这个文件夹"))
    with pytest.raises(DocgenError, match=r"环境变量 DOCGEN_HOME 指向的 .* 不是文件夹"):
        find_home()


def test_an_edition_in_an_office_uses_that_office_s_config(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Found from the edition's own path, not from where docgen was started."""
    monkeypatch.delenv("DOCGEN_HOME", raising=False)
    folder = make_office(tmp_path / "办公室")
    (folder / "config").mkdir()
    branding = (DEFAULTS / "config" / "branding.yaml").read_text(encoding="utf-8")
    branding = branding.replace("北京大学医学部工会", "某某大学工会")
    (folder / "config" / "branding.yaml").write_text(branding, encoding="utf-8")
    shutil.copytree(MINIMAL.parent, folder / "editions" / "minimal")
    monkeypatch.chdir(ROOT)  # itself an office, with the packaged branding
    loaded = edition.load(folder / "editions" / "minimal" / "edition.yaml")
    assert loaded.settings.home == Home(folder)
    assert loaded.settings.branding.organiser.name == "某某大学工会"
    # certificate.yaml and the artwork were not copied: the packaged ones fill in.
    assert loaded.settings.logo
    assert loaded.settings.logo.path == DEFAULTS / "config" / "assets" / "logo-sample.svg"
    assert loaded.settings.home.file("config/certificate.yaml").is_relative_to(DEFAULTS)


# --- the office's own files over the defaults --------------------------------------------------


@pytest.fixture
def office_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = make_office(tmp_path / "办公室")
    (folder / "templates" / "html").mkdir(parents=True)
    monkeypatch.setenv("DOCGEN_HOME", str(folder))
    return folder


def _copy_template(office_folder: Path, name: str, change: Callable[[str], str]) -> None:
    text = (press.TEMPLATES / name).read_text(encoding="utf-8")
    (office_folder / "templates" / "html" / name).write_text(change(text), encoding="utf-8")


@pytest.mark.slow
def test_the_office_s_stylesheet_is_used_and_the_default_template_links_it(
    office_home: Path,
) -> None:
    _copy_template(
        office_home, "press.css", lambda t: t + '\nh1::before { content: "样式来自办公室" }\n'
    )
    text = squash(_press_text(office_home))
    assert "样式来自办公室" in text


@pytest.mark.slow
def test_the_office_s_template_is_used_and_a_stylesheet_it_lacks_comes_from_the_defaults(
    office_home: Path,
) -> None:
    _copy_template(
        office_home, "press.html.j2", lambda t: t.replace("</h1>", "（办公室模板）</h1>")
    )
    text = squash(_press_text(office_home))
    assert "（办公室模板）" in text
    # press.css (not copied) still styled the page: the packaged one, fetched in its place,
    # puts the page numbers in the footer.
    assert not (office_home / "templates" / "html" / "press.css").exists()
    assert "第1页/共" in text


def _press_text(office_home: Path) -> str:
    loaded = edition.load(MINIMAL)
    assert loaded.settings.home == Home(office_home)
    path = office_home / "press.pdf"
    path.write_bytes(press.render_pdf(loaded))
    return pdftotext(path)


def test_templates_a_check_reads_are_the_office_s_where_it_has_them(office_home: Path) -> None:
    _copy_template(office_home, "certificate.css", lambda t: t)
    loaded = edition.load(MINIMAL)
    files = loaded.settings.home.files("templates/html", press.TEMPLATES)
    assert [p.name for p in files] == sorted(p.name for p in press.TEMPLATES.iterdir())
    assert [p for p in files if p.is_relative_to(office_home)] == [
        office_home / "templates" / "html" / "certificate.css"
    ]
    assert certificate_page.css_text(loaded) == (press.TEMPLATES / "certificate.css").read_text(
        encoding="utf-8"
    )


def test_a_seal_the_office_links_to_outside_its_config_is_refused(
    office_home: Path, edition_copy: Callable[..., Path], tmp_path: Path
) -> None:
    """The seal path stays confined to config/: the office's, or the packaged one for a file the
    office has not copied, whichever holds it."""
    secret = tmp_path / "secret.png"
    shutil.copyfile(DEFAULTS / "config" / "assets" / "seal-sample.png", secret)
    (office_home / "config").mkdir()
    (office_home / "config" / "seal.png").symlink_to(secret)
    path = edition_copy()
    text = path.read_text(encoding="utf-8")
    path.write_text(text + "certificates:\n  seal: seal.png\n", encoding="utf-8")
    with pytest.raises(DocgenError) as info:
        edition.load(path)
    assert "certificates.seal: 这个文件（或它的链接目标）在 config 文件夹之外，不能使用" in str(
        info.value
    )
    path.write_text(text + "certificates:\n  seal: assets/seal-sample.png\n", encoding="utf-8")
    seal = edition.load(path).settings.seal
    assert seal and seal.path == DEFAULTS / "config/assets/seal-sample.png"


def test_a_printer_or_image_comes_from_the_config_folder_that_holds_it(
    office_home: Path, tmp_path: Path
) -> None:
    """Issue 10's confinement over issue 11's layers: a profile the office has not copied is the
    packaged one; a name the office does hold is judged there, a link out refused (never quietly
    replaced by the default of that name), a dangling link too."""
    home, name = Home(office_home), "config/printers/example.yaml"
    assert stock.profile_path(home, "example") == DEFAULTS / name
    assert stock.printer_problem(home, "example") is None
    outside = tmp_path / "p.yaml"
    shutil.copyfile(DEFAULTS / name, outside)
    (office_home / "config" / "printers").mkdir(parents=True)
    (office_home / name).symlink_to(outside)
    assert "在 config/printers/ 之外" in str(stock.printer_problem(home, "example"))
    (office_home / name).unlink()
    (office_home / name).symlink_to(office_home / "config" / "printers" / "gone.yaml")
    assert "文件不存在" in str(stock.printer_problem(home, "example"))
    assert stock.profile_path(home, "example") == office_home / name


class Reached(Exception):
    """generate.generate was called: every usage check passed."""


def test_the_printer_option_is_looked_up_in_the_edition_s_office(
    offices: dict[str, Path], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """--printer names a profile of the office the edition is in, not of the current folder's
    (where a check at argument parsing would look)."""
    from docgen import generate

    def reached(*args: object) -> None:
        raise Reached

    monkeypatch.setattr(generate, "generate", reached)
    shutil.copytree(MINIMAL.parent, offices["deep"] / "minimal")
    printers = offices["edition"] / "config" / "printers"
    printers.mkdir(parents=True)
    shutil.copyfile(DEFAULTS / "config/printers/example.yaml", printers / "办公室打印机.yaml")
    run = ["generate", str(offices["deep"] / "minimal"), "--stock", "preprinted", "--printer"]
    with pytest.raises(Reached):
        cli.main([*run, "办公室打印机"])
    with pytest.raises(SystemExit) as info:
        cli.main([*run, "别处的打印机"])
    assert info.value.code == 2
    assert "已有的打印机：example、办公室打印机" in capsys.readouterr().err


# --- docgen init -------------------------------------------------------------------------------


@pytest.fixture
def new_office(tmp_path: Path) -> Path:
    return office.init(tmp_path / "我的办公室", "某某大学工会")


def test_init_makes_the_office_folder_from_the_packaged_defaults(new_office: Path) -> None:
    marker = office.read_marker(new_office)
    assert (marker.office, marker.docgen) == ("某某大学工会", __version__)
    files = tree(new_office)
    copied = {k: v for k, v in files.items() if not k.startswith((".docgen/", MARKER))}
    assert copied == marker.copied
    for rel in (
        "config/branding.yaml",
        "config/certificate.yaml",
        "config/printers/example.yaml",
        "config/assets/logo-sample.svg",
        "config/assets/seal-sample.svg",
        "templates/docx/report.docx",
        "templates/html/press.html.j2",
        "templates/html/certificate.css",
        "editions/quanyibei-21/edition.yaml",
        "editions/quanyibei-21/photos/01-meeting.jpg",
        "schema/edition.schema.json",
    ):
        assert rel in copied, rel
    assert files["config/branding.yaml"] == _sha(DEFAULTS / "config" / "branding.yaml")
    assert files["editions/quanyibei-21/edition.yaml"] == _sha(
        ROOT / "editions" / "quanyibei-21" / "edition.yaml"
    )
    assert files["schema/edition.schema.json"] == _sha(ROOT / "schema" / "edition.schema.json")


def test_the_new_office_is_found_and_its_paths_point_into_it(
    new_office: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DOCGEN_HOME", raising=False)
    sample = new_office / "editions" / "quanyibei-21" / "edition.yaml"
    loaded = edition.load(sample)
    assert loaded.settings.home == Home(new_office.resolve())
    logo, seal = loaded.settings.logo, loaded.settings.seal
    assert logo and logo.path == new_office.resolve() / "config/assets/logo-sample.svg"
    assert seal and seal.path == new_office.resolve() / "config/assets/seal-sample.svg"


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_init_refuses_an_office_folder_and_writes_nothing(new_office: Path) -> None:
    before = tree(new_office)
    with pytest.raises(DocgenError) as info:
        office.init(new_office)
    [problem] = info.value.problems
    assert problem.location.file == new_office / MARKER
    assert "这里已经是办公室文件夹，docgen init 不覆盖任何文件" in problem.message
    assert tree(new_office) == before


@pytest.mark.parametrize(
    "existing",
    ["config/branding.yaml", "templates", "editions/quanyibei-21/photos", ".docgen/copied"],
)
def test_init_refuses_a_folder_with_something_in_the_way(tmp_path: Path, existing: str) -> None:
    """A file where init would write one, or a file where it needs a folder: nothing written."""
    folder = tmp_path / "已有"
    (folder / existing).parent.mkdir(parents=True)
    (folder / existing).write_text("办公室自己的", encoding="utf-8")
    (folder / "editions" / "第1届").mkdir(parents=True)  # its own editions are no obstacle
    before = tree(folder)
    with pytest.raises(DocgenError) as info:
        office.init(folder)
    assert info.value.problems[0].location.file == folder / existing
    assert "已经存在；docgen init 不覆盖任何文件" in info.value.problems[0].message
    assert tree(folder) == before
    assert sorted(p.name for p in folder.iterdir()) == sorted({existing.split("/")[0], "editions"})


def test_init_fills_an_empty_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert cli.main(["init", "."]) == 0
    assert office.read_marker(tmp_path).office == tmp_path.name


def test_init_that_fails_half_way_leaves_nothing_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "半途"
    folder.mkdir()
    (folder / "editions").mkdir()
    real, written = office._write, []

    def disk_fills(path: Path, data: bytes) -> None:
        if len(written) == 12:
            raise OSError(errno.ENOSPC, "No space left on device", str(path))
        written.append(path)
        real(path, data)

    monkeypatch.setattr(office, "_write", disk_fills)
    with pytest.raises(OSError):
        office.init(folder)
    assert sorted(p.name for p in folder.iterdir()) == ["editions"]
    assert list((folder / "editions").iterdir()) == []


def test_init_without_a_folder_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        cli.main(["init"])
    assert info.value.code == 2
    assert "缺少参数：要新建的文件夹" in capsys.readouterr().err


# --- docgen init --compare ---------------------------------------------------------------------


def compare_cli(folder: Path, capsys: pytest.CaptureFixture[str]) -> str:
    assert cli.main(["init", "--compare", str(folder)]) == 0
    return capsys.readouterr().out


def test_compare_right_after_init_finds_nothing(
    new_office: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert f"自带的默认文件与 docgen {__version__} 复制时相同，没有变化" in compare_cli(
        new_office, capsys
    )


def _as_if_copied_from_an_older_docgen(folder: Path) -> None:
    """Rewrite what init recorded as if an older docgen had copied different defaults: an older
    press.css (the office's copy unedited), an older report.docx, a file that is new since, and
    one that is gone since."""
    old_css = (DEFAULTS / "templates/html/press.css").read_text(encoding="utf-8")
    old_css = old_css.replace("@page", "/* 旧版的注释 */\n@page", 1)
    for place in (folder, folder / office.ORIGINALS):
        (place / "templates/html/press.css").write_text(old_css, encoding="utf-8")
    marker = (folder / MARKER).read_text(encoding="utf-8")
    marker = _record(
        marker, "templates/html/press.css", hashlib.sha256(old_css.encode()).hexdigest()
    )
    marker = _record(marker, "templates/docx/report.docx", "0" * 64)
    marker = re.sub(r'  "templates/html/proof.html.j2": \w+\n', "", marker)
    marker += f'  "templates/html/old.css": {"1" * 64}\n'
    (folder / MARKER).write_text(marker, encoding="utf-8")


def _record(marker: str, rel: str, sha: str) -> str:
    return re.sub(rf'(  "{re.escape(rel)}": )\w+', rf"\g<1>{sha}", marker)


def test_compare_shows_what_changed_in_the_defaults_and_writes_nothing(
    new_office: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _as_if_copied_from_an_older_docgen(new_office)
    (new_office / "templates/docx/report.docx").write_bytes(b"the office's own report")
    before = tree(new_office)
    text = compare_cli(new_office, capsys)
    assert tree(new_office) == before
    lines = text.splitlines()
    assert lines[0] == f"docgen {__version__} 自带的默认文件与 docgen {__version__} 复制时相比："
    assert (
        "已更改：templates/html/press.css（你的副本与复制时相同：删去它，docgen 就改用新的默认文件）"
        in lines
    )
    assert "--- templates/html/press.css（复制时）" in lines
    assert "-/* 旧版的注释 */" in lines
    assert (
        "已更改：templates/docx/report.docx（二进制文件，不显示差异；你改过自己的副本：请对照差异手工修改）"
        in lines
    )
    assert "新增：templates/html/proof.html.j2（复制时还没有这个文件）" in lines
    assert "已删除：templates/html/old.css（docgen 不再自带这个文件；你的副本照常使用）" in lines
    assert lines[-1].startswith("共 4 个文件有变化。")


def test_compare_finds_the_office_from_the_current_folder(
    new_office: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("DOCGEN_HOME", raising=False)
    monkeypatch.chdir(new_office / "editions")
    assert cli.main(["init", "--compare"]) == 0
    assert "没有变化" in capsys.readouterr().out


def test_compare_in_an_office_that_copied_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    """The repository's root: an office folder using the packaged defaults as they are."""
    assert "没有复制过默认文件" in compare_cli(ROOT, capsys)


def test_compare_of_a_folder_that_is_no_office_is_a_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["init", "--compare", str(tmp_path)]) == 1
    assert "这不是办公室文件夹：其中没有 docgen.yaml" in capsys.readouterr().err
