"""Record kinds: their columns, allowed values and row rules (docs/records.md).

Each kind is plain data (:class:`Kind`): the columns with their type, whether
they are required, the allowed values of categorical columns (with the Chinese
labels accepted on input), and the row rules checked by :mod:`.read` — an end
date before its start date, a status without its date. Validation is lazy, in
the manner of pandera: every bad row of every rule is reported at once.

Breach records (政务失信记录) follow docs/records.md exactly. Their sources are
the four record sources named by 沪发改信〔2018〕5号 (``004_eb7a51c6d53126fb.txt``
§一.1: 司法判决、行政处罚、纪律处分、问责处理) plus audit, petition and other; the
categories are the eight government breach behaviours of
``003_…`` §一 (1 untruthful or missing disclosure, 2 unkept service
commitments, 3 falsified fiscal accounts, 4 illegal approvals, 5 breach in
expropriation, 6 undelivered promised projects, 7 litigation / reconsideration
lost or petitions corrected due to government breach, 8 other).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ..errors import problem_error, suggest

__all__ = ["CATEGORIES", "KINDS", "Column", "Kind", "get_kind"]

TYPES = ("text", "date", "bool", "category", "int", "number")


@dataclass(frozen=True)
class Column:
    """One record column: ``type`` one of :data:`TYPES`; ``allowed`` maps each
    accepted input spelling (English code or Chinese label) to its code."""

    name: str
    type: str
    required: bool = False
    allowed: Mapping[str, str] | None = None
    low: float | None = None  # inclusive lower bound (int/number)
    high: float | None = None  # inclusive upper bound
    low_open: bool = False  # lower bound excluded, e.g. mitigation in (0, 1]
    zh: str = ""

    @property
    def codes(self) -> list[str]:
        return sorted(set((self.allowed or {}).values()))


@dataclass(frozen=True)
class Kind:
    """A record kind: columns, row rules and the date that places a record in time."""

    name: str
    zh: str
    columns: tuple[Column, ...]
    # (start, end): end must not be before start
    order: tuple[tuple[str, str], ...] = ()
    # (status column, date column, condition): the status needs its date
    needs_date: tuple[tuple[str, str, str], ...] = ()
    time_column: str = ""  # the record's first date: the default span of indicators()

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]


def _codes(*pairs: tuple[str, str]) -> dict[str, str]:
    """Accepted spellings: each code itself and its Chinese label."""
    out: dict[str, str] = {}
    for code, zh in pairs:
        out[code] = code
        for label in zh.split("|"):
            out[label] = code
    return out


SOURCES = _codes(
    ("court", "司法判决|法院|司法"),
    ("penalty", "行政处罚|处罚"),
    ("discipline", "纪律处分|处分"),
    ("accountability", "问责处理|问责"),
    ("audit", "审计"),
    ("petition", "信访"),
    ("other", "其他"),
)
SEVERITIES = _codes(("general", "一般"), ("serious", "严重"))
# The eight government breach behaviours of 003_01131af63e5da6d9.txt §一.一是 (the
# ``category`` of a breach record), (zh, en): the Chinese names as the source words them.
CATEGORIES: dict[int, tuple[str, str]] = {
    1: ("政府信息公开不真实、该主动公开的不公开", "untruthful or missing information disclosure"),
    2: ("政府服务承诺不兑现", "service commitments not kept"),
    3: ("财政收支中弄虚作假", "falsified fiscal revenue and spending"),
    4: ("行政审批中违规审批", "illegal administrative approvals"),
    5: ("行政征收征用中政府失信", "government breach in expropriation"),
    6: ("政府承诺的重大实事工程不落实", "promised major public projects not delivered"),
    7: (
        "因政府部门失信导致行政复议、行政诉讼败诉或信访复核复查纠错",
        "reconsideration or litigation lost, or petition reviews corrected, due to a "
        "government breach",
    ),
    8: ("其他反映政府不诚实守信的信息", "other evidence of government dishonesty"),
}

_ID = (
    Column("record_id", "text", True, zh="记录编号"),
    Column("uCode", "text", True, zh="单位代码"),
)

BREACH = Kind(
    name="breach",
    zh="政务失信记录",
    columns=(
        *_ID,
        Column("decided", "date", True, zh="认定日期"),
        Column("source", "category", True, SOURCES, zh="来源"),
        Column("category", "int", True, low=1, high=8, zh="失信行为类别"),
        Column("severity", "category", True, SEVERITIES, zh="严重程度"),
        Column("exempt", "bool", zh="容错免责"),
        Column("objection_filed", "date", zh="异议提出日期"),
        Column("objection_closed", "date", zh="异议办结日期"),
        Column("objection_upheld", "bool", zh="异议成立"),
        Column("repaired", "date", zh="信用修复日期"),
        Column("mitigation", "number", low=0, high=1, low_open=True, zh="从轻系数"),
        Column("domain", "text", zh="领域"),
        Column("amount", "number", low=0, zh="涉及金额"),
    ),
    order=(
        ("decided", "objection_filed"),
        ("objection_filed", "objection_closed"),
        ("decided", "repaired"),
    ),
    needs_date=(
        ("objection_closed", "objection_filed", "IS NOT NULL"),
        ("objection_upheld", "objection_closed", "= TRUE"),
    ),
    time_column="decided",
)

COMMITMENT = Kind(
    name="commitment",
    zh="政务承诺",
    columns=(
        *_ID,
        Column(
            "type",
            "category",
            True,
            _codes(
                ("service_quality", "服务质量承诺"),
                ("time_limit", "服务期限承诺|期限承诺"),
                ("guarantee", "保障承诺"),
                ("investment", "招商引资承诺"),
                ("project", "实事项目|重大项目"),
                ("public", "公开承诺"),
                ("contract", "合同|协议"),
                ("other", "其他"),
            ),
            zh="承诺类型",
        ),
        Column("made", "date", True, zh="承诺日期"),
        Column("due", "date", True, zh="兑现期限"),
        Column("kept", "bool", zh="是否兑现"),
        Column("kept_date", "date", zh="兑现日期"),
        Column("amount", "number", low=0, zh="涉及金额"),
    ),
    order=(("made", "due"), ("made", "kept_date")),
    needs_date=(("kept", "kept_date", "= TRUE"),),
    time_column="made",
)

TICKET = Kind(
    name="ticket",
    zh="热线及企业服务工单",
    columns=(
        *_ID,
        Column(
            "channel",
            "category",
            True,
            _codes(
                ("12345", "12345热线|热线"),
                ("enterprise", "企业服务"),
                ("online", "网上政务服务|一网通办"),
                ("other", "其他"),
            ),
            zh="渠道",
        ),
        Column(
            "topic",
            "category",
            False,
            _codes(
                ("request", "诉求|咨询"),
                ("complaint", "投诉"),
                ("integrity_complaint", "政务失信投诉|失信投诉"),
                ("other", "其他"),
            ),
            zh="类型",
        ),
        Column("opened", "date", True, zh="受理日期"),
        Column("due", "date", True, zh="办理期限"),
        Column("closed", "date", zh="办结日期"),
        Column("resolved", "bool", zh="是否解决"),
        Column("satisfied", "bool", zh="回访满意"),
    ),
    order=(("opened", "due"), ("opened", "closed")),
    needs_date=(("resolved", "closed", "IS NOT NULL"), ("satisfied", "closed", "IS NOT NULL")),
    time_column="opened",
)

CASE = Kind(
    name="case",
    zh="行政诉讼、复议和信访复查案件",
    columns=(
        *_ID,
        Column(
            "type",
            "category",
            True,
            _codes(
                ("litigation", "行政诉讼|诉讼"),
                ("reconsideration", "行政复议|复议"),
                ("petition_review", "信访复查复核|信访复查"),
            ),
            zh="案件类型",
        ),
        Column("filed", "date", zh="立案日期"),
        Column("concluded", "date", True, zh="审结日期"),
        Column(
            "outcome",
            "category",
            True,
            _codes(
                ("lost", "败诉"),
                ("corrected", "纠错|撤销|变更"),
                ("won", "胜诉"),
                ("maintained", "维持"),
                ("withdrawn", "撤诉|撤回"),
                ("other", "其他"),
            ),
            zh="结果",
        ),
    ),
    order=(("filed", "concluded"),),
    time_column="concluded",
)

PROPOSAL = Kind(
    name="proposal",
    zh="人大代表建议和政协委员提案",
    columns=(
        *_ID,
        Column(
            "type",
            "category",
            True,
            _codes(("npc", "人大代表建议|建议"), ("cppcc", "政协提案|提案")),
            zh="类型",
        ),
        Column("received", "date", True, zh="交办日期"),
        Column("due", "date", True, zh="办理期限"),
        Column("handled", "date", zh="办结日期"),
        Column(
            "satisfaction",
            "category",
            False,
            _codes(("satisfied", "满意"), ("basic", "基本满意"), ("dissatisfied", "不满意")),
            zh="代表委员评价",
        ),
    ),
    order=(("received", "due"), ("received", "handled")),
    needs_date=(("satisfaction", "handled", "IS NOT NULL"),),
    time_column="received",
)

KINDS: dict[str, Kind] = {k.name: k for k in (BREACH, COMMITMENT, TICKET, CASE, PROPOSAL)}


def get_kind(name: str) -> Kind:
    """The :class:`Kind` called ``name`` (a ValueError names the known kinds)."""
    try:
        return KINDS[name]
    except KeyError:
        raise problem_error(
            f"未知的记录类型；应为 {sorted(KINDS)} 之一 / "
            f"unknown record kind; expected one of {sorted(KINDS)}",
            "invalid option",
            source="kind",
            value=suggest(name, KINDS),
        ) from None
