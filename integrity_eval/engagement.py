"""Engagements: one evaluation an agency delivers (评价项目), described by ``engagement.yaml``.

An engagement names the framework, the collected data, the optional spec, rating scheme,
``missing`` policy and corrections ledger, and what every report's cover says: the title,
the evaluation period (评价期), the client (委托方), the agency (评价机构), the status
(``draft`` → 征求意见稿 on every page; ``final`` → 正式稿) and where the grade edges come from.
Paths in the file are relative to it. :func:`init_engagement` writes a new engagement
folder (``engagement.yaml`` with the fields to fill marked, the data-collection workbook
with a 评价期 column, a README of the steps); :func:`load_engagement` reads one back.

The user guide is ``docs/engagement.md``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from .errors import Problem, ProblemList, ValidationError
from .io import atomic_write_text, load_yaml

__all__ = [
    "ENGAGEMENT_FILE",
    "ENGAGEMENT_KEYS",
    "STATUSES",
    "Engagement",
    "bilingual_text",
    "check_period",
    "init_engagement",
    "load_engagement",
]

ENGAGEMENT_FILE = "engagement.yaml"
ENGAGEMENT_KEYS = (
    "title",
    "period",
    "client",
    "agency",
    "framework",
    "data",
    "spec",
    "rating",
    "missing",
    "edges_source",
    "corrections",
    "status",
    "citations",
    "citations_en",
)
STATUSES = {"draft": ("征求意见稿", "Draft for comment"), "final": ("正式稿", "Final")}
#: 评价期: a year, a half year, a quarter, a month, or a range of months.
_PERIOD = re.compile(r"^\d{4}(-H[12]|-Q[1-4]|-(0[1-9]|1[0-2])(/\d{4}-(0[1-9]|1[0-2]))?)?$")
_FILL = "待填写"  # the marker of a field init leaves for the agency to fill
_BILINGUAL = ("title", "client", "agency", "edges_source")
_PATHS = ("data", "spec", "corrections")


@dataclass(frozen=True)
class Engagement:
    """An engagement file, read and checked (:func:`load_engagement`).

    Bilingual fields (``title``, ``client``, ``agency``, ``edges_source``) are
    ``{"zh": …, "en": …}`` (or None); ``data``, ``spec`` and ``corrections`` are paths
    resolved against the file's folder; ``framework`` and ``rating`` are a shipped name or
    a resolved path.
    """

    folder: Path
    title: dict[str, str] | None = None
    period: str | None = None
    client: dict[str, str] | None = None
    agency: dict[str, str] | None = None
    framework: str | None = None
    data: Path | None = None
    spec: Path | None = None
    rating: str | None = None
    missing: str | None = None
    edges_source: dict[str, str] | None = None
    corrections: Path | None = None
    status: str = "draft"
    citations: dict[str, str] = field(default_factory=dict)
    citations_en: dict[str, str] = field(default_factory=dict)

    def cover(self) -> dict[str, Any]:
        """What every report's cover and header show: ``title``, ``period``, ``client``,
        ``status`` and ``edges_source`` (the agency is the report's own argument)."""
        return {
            "title": self.title,
            "period": self.period,
            "client": self.client,
            "status": self.status,
            "edges_source": self.edges_source,
            "citations": dict(self.citations),
            "citations_en": dict(self.citations_en),
        }


def bilingual_text(value: Any) -> dict[str, str] | None:
    """``{"zh": …, "en": …}`` from a mapping, or from one text — ``"中文 / English"`` is
    split at its first slash between spaces; other text is used for both languages."""
    if value is None or value == "":
        return None
    if isinstance(value, Mapping):
        zh, en = str(value.get("zh") or ""), str(value.get("en") or "")
        return {"zh": zh or en, "en": en or zh}
    text = str(value).strip()
    zh, sep, en = text.partition(" / ")
    return {"zh": zh.strip(), "en": en.strip()} if sep else {"zh": text, "en": text}


def check_period(period: Any, source: str) -> str:
    """The 评价期 as text, refused unless it is ``YYYY``, ``YYYY-H1``/``H2``, ``YYYY-Qn``,
    ``YYYY-MM`` or ``YYYY-MM/YYYY-MM`` (docs/engagement.md)."""
    text = str(period).strip()
    if not _PERIOD.match(text):
        raise ValidationError(
            [
                Problem(
                    "评价期应为 YYYY、YYYY-H1、YYYY-Qn、YYYY-MM 或 YYYY-MM/YYYY-MM（如 2024、"
                    "2024-H1、2024-Q3、2024-01/2024-06）/ the period must be YYYY, YYYY-H1, "
                    "YYYY-Qn, YYYY-MM or YYYY-MM/YYYY-MM (e.g. 2024, 2024-H1, 2024-Q3, "
                    "2024-01/2024-06)",
                    source=source,
                    column="period",
                    value=text,
                )
            ],
            title="评价期有误 / invalid period",
        )
    return text


def load_engagement(path: str | Path) -> Engagement:
    """Read ``engagement.yaml`` (or the folder holding it) and check every field at once.

    Refused with a :class:`ValidationError` naming the file and the field: unknown keys,
    fields still marked 待填写, a period that is not a period, a status other than
    ``draft``/``final``, files that do not exist, a ``missing`` policy that is not one of
    ``worst``/``impute``/``skip``.
    """
    from .spec import MISSING_POLICIES

    p = Path(path)
    if p.is_dir():
        p = p / ENGAGEMENT_FILE
    source = str(p)
    if not p.is_file():
        raise ValidationError(
            [
                Problem(
                    "评价项目文件不存在；可用 integrity-eval init 新建 / the engagement file does "
                    "not exist; create one with integrity-eval init",
                    source=source,
                )
            ],
            title="找不到评价项目 / engagement not found",
        )
    raw = _read_yaml(p)
    problems = ProblemList()
    for key in raw:
        if key not in ENGAGEMENT_KEYS:
            problems.add(
                f"未知字段；可用字段：{', '.join(ENGAGEMENT_KEYS)} / unknown field; known "
                f"fields: {', '.join(ENGAGEMENT_KEYS)}",
                source=source,
                column=str(key),
            )
    for key, value in raw.items():
        if _FILL in str(value):
            problems.add(
                f"此字段尚未填写（{_FILL}）/ this field is still to be filled in",
                source=source,
                column=str(key),
                value=str(value),
            )
    values: dict[str, Any] = {"folder": p.parent}
    for key in _BILINGUAL:
        values[key] = bilingual_text(raw.get(key))
    if raw.get("period") is not None:
        try:
            values["period"] = check_period(raw["period"], source)
        except ValidationError as exc:
            problems.extend(exc.problems)
    status = str(raw.get("status") or "draft")
    if status not in STATUSES:
        problems.add(
            "status 须为 draft（征求意见稿）或 final（正式稿）/ status must be draft or final",
            source=source,
            column="status",
            value=status,
        )
    values["status"] = status
    missing = raw.get("missing")
    if missing is not None and missing not in MISSING_POLICIES:
        problems.add(
            f"missing 须为 {', '.join(MISSING_POLICIES)} 之一 / missing must be one of "
            f"{', '.join(MISSING_POLICIES)}",
            source=source,
            column="missing",
            value=str(missing),
        )
    values["missing"] = missing
    for key in _PATHS:
        if raw.get(key):
            target = p.parent / str(raw[key])
            if not target.is_file():
                problems.add(
                    "文件不存在（路径相对于评价项目文件）/ file does not exist (paths are "
                    "relative to the engagement file)",
                    source=source,
                    column=key,
                    value=str(raw[key]),
                )
            values[key] = target
    for key in ("framework", "rating"):
        if raw.get(key):
            values[key] = _name_or_path(str(raw[key]), p.parent)
    for key in ("citations", "citations_en"):
        titles = raw.get(key) or {}
        if not isinstance(titles, Mapping):
            problems.add(
                f"{key} 应为“文件 → 文件标题与文号”的映射 / {key} must map a document to "
                "its title and number",
                source=source,
                column=key,
            )
            titles = {}
        values[key] = {str(k): str(v) for k, v in titles.items()}
    problems.raise_if_any("评价项目文件有误 / invalid engagement file")
    return Engagement(**values)


def _read_yaml(p: Path) -> dict[str, Any]:
    title = "评价项目文件有误 / invalid engagement file"
    raw = load_yaml(p, title=title)
    if raw is None:
        raw = {}
    if not isinstance(raw, Mapping):
        raise ValidationError(
            [Problem("应为字段映射 / must be a mapping of fields", source=str(p))], title=title
        )
    return dict(raw)


def _name_or_path(value: str, folder: Path) -> str:
    """A shipped name stays a name; anything that exists relative to ``folder`` is a path."""
    candidate = folder / value
    return str(candidate) if candidate.exists() else value


def init_engagement(
    folder: str | Path, framework: str, *, units: pd.DataFrame | None = None
) -> list[Path]:
    """Write a new engagement folder: ``engagement.yaml`` (the fields to fill marked
    待填写), the data-collection workbook ``collected.xlsx`` (with a 评价期 column) and
    ``README.md`` with the steps. Refuses a folder that already holds an engagement.
    Returns the files written."""
    from .framework import load_framework
    from .template import write_template

    out = Path(folder)
    target = out / ENGAGEMENT_FILE
    if target.exists():
        raise ValidationError(
            [
                Problem(
                    "此文件夹已有评价项目，不会覆盖；请换一个文件夹 / this folder already holds "
                    "an engagement and it is not overwritten; choose another folder",
                    source=str(target),
                )
            ],
            title="评价项目已存在 / engagement exists",
        )
    fw = load_framework(framework)
    out.mkdir(parents=True, exist_ok=True)
    workbook = write_template(fw, out / "collected.xlsx", units=units, overwrite=False)
    readme = atomic_write_text(out / "README.md", _readme_text(fw))
    # a framework file is named relative to the engagement, never by an absolute path
    fw_ref = os.path.relpath(framework, out) if Path(framework).exists() else framework
    yaml_path = atomic_write_text(target, _engagement_text(fw, fw_ref))  # last: marks done
    return [yaml_path, workbook, readme]


def _engagement_text(fw: Any, fw_ref: str) -> str:
    lines = [
        "# 评价项目 / engagement — integrity-eval run --engagement .",
        "# 标有“待填写”的字段须填写后才能运行 / fields marked 待填写 must be filled in "
        "before a run",
        f"title: {{zh: {_FILL}（如：某市区级政务诚信评价（2024年度））, en: {_FILL}}}",
        f'period: "{_FILL}"  # 评价期 / period: YYYY, YYYY-H1, YYYY-Qn, YYYY-MM/YYYY-MM',
        f"client: {{zh: {_FILL}（委托方）, en: {_FILL}}}",
        f"agency: {{zh: {_FILL}（评价机构）, en: {_FILL}}}",
        f"framework: {fw_ref}",
        "data: collected.xlsx           # 收回的填报表 / the returned workbook",
        "# spec: spec.yaml              # 可选，叠加在框架默认参数上 / optional, laid over the"
        " framework's default",
        "# rating: four-grade           # 可选；框架的否决规则保留 / optional; the framework's"
        " vetoes stay",
        "# missing: worst               # 可选：worst | impute | skip / optional",
        "# edges_source: {zh: 委托方评价方案第五条, en: Clause 5 of the client's plan}",
        "# corrections: corrections.csv # 可选：复核更正 uCode,iCode,value,reason / optional",
        "status: draft                  # draft 征求意见稿 | final 正式稿",
    ]
    for key in ("citations", "citations_en"):
        titles = getattr(fw, key, None) or {}
        if titles:
            lines.append(f"{key}:")
            lines += [f"  {k}: {_yaml_scalar(v)}" for k, v in titles.items()]
    return "\n".join(lines) + "\n"


def _yaml_scalar(value: Any) -> str:
    return yaml.safe_dump(value, allow_unicode=True, default_style='"').strip()


def _readme_text(fw: Any) -> str:
    title = fw.title_zh or fw.name
    return f"""# 评价项目 / Engagement: {title}

## 步骤

1. 填写 `engagement.yaml` 中标有“待填写”的字段：标题、评价期、委托方、评价机构。
2. 将 `collected.xlsx` 分发给各填报单位；收回后合并为一个工作簿，仍名为 `collected.xlsx`
   （或在 `engagement.yaml` 的 `data:` 中写明文件名）。“评价期”列可留空。
3. 检查数据：`integrity-eval validate --engagement .`
4. 生成征求意见稿：`integrity-eval run --engagement . --out reports`
5. 复核更正：把更正写入 `corrections.csv`（列 uCode,iCode,value,reason，可加 evidence,by,date），
   在 `engagement.yaml` 中加上 `corrections: corrections.csv`，再运行第 4 步。
6. 定稿：把 `status` 改为 `final`，再运行第 4 步。

## Steps

1. Fill in the fields of `engagement.yaml` marked 待填写: title, period, client, agency.
2. Send `collected.xlsx` to the reporting units; merge the returned sheets into one
   workbook named `collected.xlsx` (or name it under `data:`). The period column may stay blank.
3. Check the data: `integrity-eval validate --engagement .`
4. Draft reports: `integrity-eval run --engagement . --out reports`
5. Corrections: write them to `corrections.csv` (columns uCode,iCode,value,reason; optional
   evidence,by,date), add `corrections: corrections.csv` to `engagement.yaml`, run step 4 again.
6. Final: set `status: final` and run step 4 again.
"""
