"""What every template receives: the edition's values formatted and ready to print.

Wording lives in the templates (the office edits it there); everything computed — Chinese dates,
届次, joined name lists, tier titles, counts — is computed here, once, for all outputs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from . import photos, zh
from .edition import Loaded, PhotoFile
from .errors import DocgenError, Problem
from .model import STORY_PARTS, Edition, Person
from .source import field_name


@dataclass(frozen=True)
class PhotoGroupView:
    """A caption and its photos, placed after one part of the story."""

    after: str
    caption: str | None
    photos: tuple[PhotoFile, ...]
    sizes: tuple[tuple[int, int], ...]
    """Upright pixel size of each photo (EXIF orientation applied)."""


def person(p: Person) -> str:
    """武慧媛 with title → 医学部党委宣传部副部长武慧媛 (title first, as Chinese news writes it)."""
    return f"{p.title or ''}{p.name}"


def edition_title(e: Edition) -> str:
    """医学部工会系统第二十一届“权益杯”精品活动评选."""
    return f"{e.series.scope}{e.ordinal}“{e.series.name}”{e.series.kind}"


def report_title(e: Edition) -> str:
    return e.report.title or f"关于{edition_title(e)}情况的报告"


def award_title(e: Edition, award_name: str) -> str:
    """2025年医学部工会系统第二十一届“权益杯”精品活动奖."""
    return f"{e.year}年{e.series.scope}{e.ordinal}“{e.series.name}”{award_name}"


def prepare_photo(loaded: Loaded, photo: PhotoFile, longest_px: int) -> photos.Prepared:
    """The photo through the shared pipeline; a bad photo is an error located at its YAML line."""
    try:
        return photos.prepare(photo.path, longest_px)
    except photos.PhotoError as exc:
        raise located_photo_error(loaded, photo, exc) from None


def photo_size(loaded: Loaded, photo: PhotoFile) -> tuple[int, int]:
    try:
        return photos.size(photo.path)
    except photos.PhotoError as exc:
        raise located_photo_error(loaded, photo, exc) from None


def located_photo_error(loaded: Loaded, photo: PhotoFile, exc: Exception) -> DocgenError:
    where = loaded.doc.locate(photo.field)
    return DocgenError([Problem(where, field_name(photo.field), f"{photo.path.name}：{exc}")])


def photo_groups(loaded: Loaded) -> list[PhotoGroupView]:
    groups = []
    for g, group in enumerate(loaded.edition.photos):
        files = tuple(loaded.photo(g, i) for i in range(len(group.files)))
        sizes = tuple(photo_size(loaded, f) for f in files)
        groups.append(PhotoGroupView(group.after, group.caption, files, sizes))
    return groups


def base(loaded: Loaded) -> dict[str, Any]:
    """Values shared by every output's templates."""
    e, s = loaded.edition, loaded.settings
    return {
        "organiser": {"name": s.organiser.name, "short_name": s.organiser.short_name},
        "edition": {
            "number": e.number,
            "ordinal": e.ordinal,
            "year": e.year,
            "title": edition_title(e),
            "series": e.series.name,
            "kind": e.series.kind,
            "scope": e.series.scope,
        },
        "meeting": _meeting(e),
        "story": _story(e),
        "awards": _awards(e, loaded.serials()),
        "report": {"title": report_title(e)},
        "press": {
            "title": e.press.title,
            "column": e.press.column,
            "date": zh.date_arabic(e.press.published or e.meeting.date),
        },
        "signature": {"organiser": s.organiser.name, "date": zh.date_arabic(e.meeting.date)},
    }


def _meeting(e: Edition) -> dict[str, Any]:
    m = e.meeting
    return {
        "date": zh.date_arabic(m.date),
        "iso_date": m.date.isoformat(),
        "when": zh.date_arabic(m.date) + (m.part_of_day or ""),
        "venue": m.venue,
        "host": person(m.host),
        "units": m.participating_units,
        "attendee_roles": zh.enumerate_cn(list(m.attendee_roles)),
        "attendance": str(m.attendance),
        "presenters": m.presenters,
        "judges": m.judges.description,
        "judge_members": zh.enumerate_cn([person(p) for p in m.judges.members]),
        "guests": zh.enumerate_cn([person(p) for p in m.judges.guests]),
    }


def _story(e: Edition) -> dict[str, Any]:
    s = e.story
    return {
        "features": s.features,
        "comments": [{"speaker": person(c.speaker), "text": c.text} for c in s.comments],
        "commenters": zh.enumerate_cn([person(c.speaker) for c in s.comments]),
        "comments_note": s.comments_note,
        "results": "，".join(f"{a.counted_as}{len(a.winners)}项" for a in e.awards),
        "results_note": s.results_note,
        "closing": s.closing,
        "parts": list(STORY_PARTS),
    }


def _awards(e: Edition, serials: list[str]) -> list[dict[str, Any]]:
    result, n = [], 0
    for award in e.awards:
        winners = []
        for rank, w in enumerate(award.winners, start=1):
            winners.append(
                {
                    "rank": rank,
                    "unit": w.unit,
                    "activity": w.activity,
                    "certificate_activity": w.activity_on_certificate,
                    "serial": serials[n],
                }
            )
            n += 1
        result.append({"name": award.name, "title": award_title(e, award.name), "winners": winners})
    return result
