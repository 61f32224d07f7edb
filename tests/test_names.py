"""Output file names: valid on Windows, no invisible or bidi characters, never colliding."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pathvalidate import validate_filename

from docgen import certificate, edition, names
from docgen.errors import DocgenError
from docgen.userfiles import NAME_MAX

AWKWARD = st.text(
    alphabet=st.sampled_from(
        [
            *'<>:"/\\|?*. \u3000\u202e\u200b\t化学物理联合分工会CONPRNAUXNULCOMLPTcom1',
            *"\x00é\u0301𠮷𡈽😀",  # combining accent; four-byte characters
        ]
    ),
    min_size=0,
    max_size=160,
)


@settings(max_examples=300)
@given(unit=AWKWARD, award=AWKWARD, count=st.integers(1, 10**9))
def test_every_certificate_name_is_valid_on_windows(unit: str, award: str, count: int) -> None:
    name = names.certificate(count, count, unit, award)
    validate_filename(name, platform="windows")
    assert not any(unicodedata.category(c) in ("Cc", "Cf") for c in name)
    assert len(name) <= len(str(count)) + 2 * names.MAX_PART + 6
    assert len(name.encode()) <= NAME_MAX  # ext4 and most others count UTF-8 bytes
    assert len(name.encode("utf-16-le")) // 2 <= NAME_MAX  # NTFS counts UTF-16 units


def test_certificate_file_names_fit_in_255_bytes_however_long_the_names(
    edition_copy: Callable[..., Path],
) -> None:
    """Before: the cap counted 60 characters per part, and a Chinese character is 3 bytes of
    UTF-8, so this name had 367 bytes and generating it failed with ENAMETOOLONG."""
    path = edition_copy(
        ("unit: 甲单位工会", "unit: " + "工会" * 40), ("name: 一等奖", "name: " + "奖" * 70)
    )
    files = [c.filename for c in certificate.build(edition.load(path))]
    assert max(len(f.encode()) for f in files) <= NAME_MAX
    assert files[0] == f"1-{'工会' * 20}工-{'奖' * 41}.pdf"  # cut between characters


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
