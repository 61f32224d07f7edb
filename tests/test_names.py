"""Output file names: valid on Windows, no invisible or bidi characters, never colliding."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pathvalidate import validate_filename

from docgen import names
from docgen.errors import DocgenError

AWKWARD = st.text(
    alphabet=st.sampled_from(
        [*'<>:"/\\|?*. \u3000\u202e\u200b\t化学物理联合分工会CONPRNAUXNULCOMLPTcom1', "\x00"]
    ),
    min_size=0,
    max_size=120,
)


@settings(max_examples=300)
@given(unit=AWKWARD, award=AWKWARD)
def test_every_certificate_name_is_valid_on_windows(unit: str, award: str) -> None:
    name = f"{names.numbered(7, 240)}-{names.part(unit)}-{names.part(award)}.pdf"
    validate_filename(name, platform="windows")
    assert not any(unicodedata.category(c) in ("Cc", "Cf") for c in name)
    assert len(name) <= 4 + 2 * names.MAX_PART + 5


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("化学/物理联合分工会", "化学／物理联合分工会"),
        ('A<B>:"C"|D?*', "A＜B＞：＂C＂｜D？＊"),
        ("名称末尾有点.", "名称末尾有点"),
        ("CON", "CON_"),
        ("工会\u202e小组", "工会小组"),
        ("", "_"),
    ],
)
def test_parts(text: str, expected: str) -> None:
    assert names.part(text) == expected


def test_names_that_collide_after_folding_are_refused() -> None:
    assert names.part("化学/物理联合分工会") != names.part("化学物理联合分工会")
    with pytest.raises(DocgenError, match="两个输出文件的名字相同"):
        names.ensure_unique(["01-Abc.pdf", "01-aBC.pdf"])
    with pytest.raises(DocgenError):
        names.ensure_unique(["01-\u00e9.pdf", "01-e\u0301.pdf"])  # é composed and decomposed


def test_numbering_width_follows_the_count() -> None:
    assert [names.numbered(1, n) for n in (9, 24, 240, 10_000)] == ["1", "01", "001", "00001"]
