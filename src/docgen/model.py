"""The edition file's schema: one pydantic model per noun, a docstring per field (shown in editors)."""

from __future__ import annotations

import re
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    StringConstraints,
    WithJsonSchema,
    field_validator,
)

from . import zh
from .serials import SerialPattern

SCHEMA_VERSION = 1


class Strict(BaseModel):
    """Base of every model: unknown keys are errors, values never change after loading, and a
    number is finite (YAML's ``.inf`` and ``nan`` would otherwise pass every bound)."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        use_attribute_docstrings=True,
        str_strip_whitespace=False,
        allow_inf_nan=False,
    )


MAX_MM = 1200
"""Largest length docgen accepts on paper, in mm: a poster side, far above any certificate."""
MAX_PEOPLE = 100_000
"""Largest count of people or units: far above any meeting, far below a typing slip of digits."""


Text = Annotated[str, StringConstraints(min_length=1)]
"""Non-empty text, printed exactly as written."""

Code = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9]{1,6}$")]


def _iso_date(value: Any) -> Any:
    if isinstance(value, str) and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise ValueError("date_format")
    return value


IsoDate = Annotated[
    date,
    BeforeValidator(_iso_date),
    WithJsonSchema({"type": "string", "format": "date", "pattern": r"^\d{4}-\d{2}-\d{2}$"}),
]
"""A date typed as YYYY-MM-DD (2025-12-10); nothing else is guessed."""

PartOfDay = Literal["上午", "中午", "下午", "晚上", "全天"]
StoryPart = Literal["intro", "features", "comments", "results", "closing"]
STORY_PARTS: tuple[str, ...] = ("intro", "features", "comments", "results", "closing")


class Headcount(Strict):
    """A number of people that may be approximate: written `70余人`, `70人` or `70`."""

    count: int = Field(ge=0, le=MAX_PEOPLE)
    """人数。"""
    approximate: bool = False
    """是否为约数（印作“70余人”）。"""

    def __str__(self) -> str:
        return f"{self.count}{'余' if self.approximate else ''}人"


def _headcount(value: Any) -> Any:
    if isinstance(value, str):
        match = re.fullmatch(r"(\d+)\s*(余)?\s*人?", value.strip())
        if not match:
            raise ValueError("headcount")
        return {"count": match[1], "approximate": bool(match[2])}
    return value


HeadcountText = Annotated[
    Headcount,
    BeforeValidator(_headcount),
    PlainSerializer(str),
    WithJsonSchema(
        {"anyOf": [{"type": "string", "pattern": r"^\d+\s*余?\s*人?$"}, {"type": "integer"}]}
    ),
]


class Organiser(Strict):
    name: Text
    """主办单位全称，如“北京大学医学部工会”。"""
    short_name: Text
    """主办单位简称，如“医学部工会”，用于正文和落款。"""


class Series(Strict):
    name: Text
    """评选活动的品牌名，印刷时加引号，如：权益杯。"""
    kind: Text
    """评选的类别，如：精品活动评选（与品牌名合起来印作“权益杯”精品活动评选）。"""
    scope: Text
    """参评范围，如：医学部工会系统。"""


class Person(Strict):
    name: Text
    """姓名。"""
    title: Text | None = None
    """单位和职务，如：医学部党委宣传部副部长。"""


class Judges(Strict):
    description: Text | None = None
    """担任评委的是哪些人（不列姓名时），如：院级单位的代表。"""
    members: list[Person] = []
    """评委名单（需要列出姓名时）。"""
    guests: list[Person] = []
    """特邀嘉宾评委，每人写姓名和职务。"""


class Meeting(Strict):
    date: IsoDate
    """评选会日期，写作 2025-12-10。"""
    part_of_day: PartOfDay | None = None
    """时段：上午、中午、下午、晚上或全天。"""
    venue: Text | None = None
    """会议地点（可不写）。"""
    host: Person
    """主持人。"""
    participating_units: int = Field(ge=1, le=MAX_PEOPLE)
    """参评单位数，如 14（“14家单位”）。"""
    attendee_roles: list[Text] = []
    """参会人员的身份，如：工会主席、常务副主席、副主席、教职工代表。"""
    attendance: HeadcountText
    """参会人数，可写约数：70余人。"""
    presenters: int | None = Field(default=None, ge=1, le=MAX_PEOPLE)
    """汇报人数，如 23。"""
    judges: Judges
    """评委。"""


class Comment(Strict):
    speaker: Person
    """点评人（姓名和职务）。"""
    text: Text
    """点评内容，按原文印出。"""


class Story(Strict):
    features: Text
    """本届活动特点的段落，按原文印出。"""
    comments: list[Comment] = []
    """评委点评，按顺序。"""
    comments_note: Text | None = None
    """点评之后的补充句（可不写）。"""
    results_note: Text | None = None
    """公布结果之后的补充句，如：与会领导为获奖单位颁发奖杯、奖牌。"""
    closing: Text | None = None
    """结尾段落。"""


class PhotoGroup(Strict):
    after: StoryPart
    """放在哪一部分之后：intro（会议概况）、features（活动特点）、comments（点评）、results（评选结果）、closing（结尾）。"""
    caption: Text | None = None
    """图片说明（可不写）。一组的多张照片共用一个说明。"""
    files: list[Text] = Field(min_length=1)
    """照片文件，相对于本届文件夹，如 photos/01-meeting.jpg。"""


class Winner(Strict):
    unit: Text
    """获奖单位，按证书上的写法，如：肿瘤医院工会。"""
    activity: Text
    """活动名称（活动内容），按申报原文。"""
    certificate_activity: Text | None = None
    """证书上使用的活动名称（原名过长需要简写时填写）。"""
    serial: Text | None = None
    """固定的证书编号。已发出的证书在名单调整后仍保持原编号时填写。"""

    @property
    def activity_on_certificate(self) -> str:
        return self.certificate_activity or self.activity


class Award(Strict):
    name: Text
    """奖项名称，如：精品活动奖、一等奖。"""
    short_name: Text | None = None
    """统计时的说法，如“精品活动”（评选出精品活动10项）；不写则用奖项名称。"""
    code: Code
    """奖项代码（字母或数字），用于证书编号，如 J。"""
    winners: list[Winner] = Field(min_length=1)
    """获奖名单，按名次顺序。"""

    @property
    def counted_as(self) -> str:
        return self.short_name or self.name


class CertificateOptions(Strict):
    """Certificate settings; each one left out comes from config/certificate.yaml."""

    issuer: Text | None = None
    """落款单位；不写则用主办单位全称。"""
    issue_date: IsoDate | None = None
    """颁发日期；不写则用评选会日期。"""
    serial_pattern: SerialPattern | None = None
    """证书编号格式，可用 {year} {number} {award} {rank}，如 QYB-{year}-{number}-{award}{rank:02d}。"""
    seal: Text | None = None
    """印章：sample（示例印章）、none（不印，留待手工盖章）或图片路径。"""


class Press(Strict):
    title: Text
    """新闻稿标题。"""
    column: Text = "新闻综述"
    """栏目名。"""
    published: IsoDate | None = None
    """发布日期；不写则用评选会日期。"""


class Report(Strict):
    title: Text | None = None
    """报告标题；不写则为：关于〈范围〉第N届“品牌”〈类别〉情况的报告。"""


class Edition(Strict):
    """一届评选的全部数据。"""

    schema_version: int
    """本文件格式的版本，目前为 1。"""
    organiser: Organiser | None = None
    """主办单位；不写则用 config/branding.yaml 中的 organiser。"""
    series: Series
    """评选活动。"""
    number: int = Field(ge=1, le=999)
    """届次，如 21（印作“第二十一届”）。"""
    year: int = Field(ge=1990, le=2200)
    """年度，如 2025。"""
    meeting: Meeting
    """评选会。"""
    story: Story
    """工作人员撰写的段落。"""
    photos: list[PhotoGroup] = []
    """照片，按出现顺序分组。"""
    awards: list[Award] = Field(min_length=1)
    """奖项，按等级从高到低，每项有获奖名单。"""
    press: Press
    """新闻稿。"""
    report: Report = Report()
    """会议报告。"""
    certificates: CertificateOptions = CertificateOptions()
    """本届证书设置（覆盖 config/certificate.yaml）。"""

    @field_validator("schema_version")
    @classmethod
    def _known_version(cls, value: int) -> int:
        if value != SCHEMA_VERSION:
            raise ValueError("schema_version")
        return value

    @property
    def ordinal(self) -> str:
        """第二十一届."""
        return zh.edition_ordinal(self.number)

    @property
    def winner_count(self) -> int:
        return sum(len(a.winners) for a in self.awards)
