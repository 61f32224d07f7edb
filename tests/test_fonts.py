"""The bundled fonts: coverage of each role's chain, size budget, licences, hermetic rendering."""

from __future__ import annotations

import unicodedata

import pytest

from docgen import config, fonts

RANGES = {
    "CJK Unified Ideographs": (0x4E00, 0x9FFF),
    "Extension A": (0x3400, 0x4DBF),
    "CJK punctuation": (0x3000, 0x303F),
    "full-width forms": (0xFF00, 0xFFEF),
}
CHAINS = fonts.chains(config.load_branding())


@pytest.mark.parametrize("role", sorted(CHAINS))
@pytest.mark.parametrize("block", sorted(RANGES))
def test_each_chain_covers_every_assigned_character(role: str, block: str) -> None:
    lo, hi = RANGES[block]
    missing = [
        f"U+{c:04X}"
        for c in range(lo, hi + 1)
        if unicodedata.category(chr(c)) != "Cn" and c not in CHAINS[role].unicodes
    ]
    assert missing == []


def test_no_bundled_face_has_the_rare_extension_b_character() -> None:
    assert all(0x2A6D6 not in f.unicodes for f in fonts.faces())


def test_lxgw_wenkai_lacks_some_extension_a_so_its_chain_falls_back() -> None:
    kai = CHAINS["kai"]
    assert kai.face_for("\u4db6") is not None and kai.face_for("\u4db6").family == "LXGW WenKai"
    assert kai.face_for("\u3400").family == "Noto Serif CJK SC"  # not in LXGW WenKai


def test_chinese_quotes_are_always_full_width() -> None:
    for chain in CHAINS.values():
        for quote in "“”‘’":
            assert chain.face_for(quote).family.startswith("Noto"), (chain.role, quote)


def test_fonts_folder_budget_and_licences() -> None:
    folder = fonts.FONTS_DIR
    assert not list(folder.glob("*.ttc")), "no font collections at run time"
    assert sum(p.stat().st_size for p in folder.iterdir()) < 60 * 1024 * 1024
    for name in ("LICENSE-NotoCJK.txt", "LICENSE-LXGWWenKai.txt", "README.md"):
        assert (folder / name).is_file()
    assert {f.family for f in fonts.faces()} == {
        "Noto Serif CJK SC",
        "Noto Sans CJK SC",
        "LXGW WenKai",
    }


def test_subsets_hold_only_the_characters_asked_for() -> None:
    subsets = fonts.subset_all("荣誉证书")
    assert all(len(s.data) < 60_000 for s in subsets)
    assert {s.family for s in subsets} == {f.family for f in fonts.faces()}


def test_weasyprint_sees_no_system_font() -> None:
    from docgen import pdf  # configures fontconfig before WeasyPrint loads it

    conf = fonts.configure_fontconfig().read_text(encoding="utf-8")
    assert "/usr/share/fonts" not in conf and "<include" not in conf
    assert pdf.weasyprint is not None
