"""The Best–Worst Method (BWM) for expert weights, and its Excel questionnaire.

The expert names the best (most important) and the worst (least important) element,
then rates the best over every element and every element over the worst on a 1–9
scale (Rezaei 2015, *Omega* 53: 49–57, §3). :func:`bwm` solves Rezaei's linear model
(Rezaei 2016, *Omega* 64: 126–130, model (8)) with SciPy's HiGHS and reports the
consistency ratio of Rezaei (2015, §3, Table 3). :func:`bwm_template` writes one sheet
per aggregate; :func:`read_bwm` reads a filled workbook back, listing every problem at
once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import ProblemList, ValidationError
from ..framework import Framework, load_framework
from ..io import write_cell
from .questionnaire import (
    _parents,
    aggregate_sheets,
    open_questionnaire,
    save_reproducible,
    write_readme,
)
from .result import WeightResult

__all__ = [
    "BwmResponses",
    "bwm",
    "bwm_consistency_index",
    "bwm_group",
    "bwm_template",
    "bwm_weights",
    "from_bwm_questionnaires",
    "read_bwm",
]

SOURCE = (
    "Rezaei (2016) Omega 64: 126–130 (linear model); Rezaei (2015) Omega 53: 49–57 "
    "(consistency ratio, Table 3)"
)


def bwm_consistency_index(a_bw: float) -> float:
    """Rezaei's (2015, §3, Eq. 9 and Table 3) consistency index for a best-over-worst
    judgement ``a_BW``: the smaller root of ``ξ² − (1 + 2a_BW) ξ + (a_BW² − a_BW) = 0``,
    the largest ξ the model can reach (0.00, 0.44, 1.00, 1.63, 2.30, 3.00, 3.73, 4.47,
    5.23 for a_BW = 1 … 9)."""
    return float((1 + 2 * a_bw - np.sqrt(8 * a_bw + 1)) / 2)


def _xi_nonlinear(a_b: np.ndarray, a_w: np.ndarray, b: int, w: int) -> float:
    """The optimum ξ* of Rezaei's (2015) non-linear model (2), in closed form.

    With positive weights, ``|w_B/w_j − a_Bj| ≤ ξ`` and ``|w_j/w_W − a_jW| ≤ ξ`` hold for
    some weights iff the ratio ``D = w_B/w_W`` lies in every interval ``[(a_Bj − ξ)(a_jW −
    ξ), (a_Bj + ξ)(a_jW + ξ)]`` (j ≠ B, W; a negative lower end counts as 0) and in
    ``[a_BW − ξ, a_BW + ξ]``. Intervals on a line have a common point iff every two
    overlap (Helly), so ξ* is the largest ξ at which a lower end, falling with ξ, meets an
    upper end, rising with ξ; each meeting point is the root of a linear or quadratic
    equation. With ``a_Bj = a_jW = a_BW`` the first one is Rezaei's Eq. (9) for the CI.
    """
    a_bw = a_b[w]
    pairs = [(a_b[j], a_w[j]) for j in range(len(a_b)) if j not in (b, w)]
    xi = 0.0
    for lo1, lo2 in pairs:
        s = lo1 + lo2 + 1
        if lo1 * lo2 > a_bw:  # (a_Bj − ξ)(a_jW − ξ) = a_BW + ξ
            xi = max(xi, (s - np.sqrt(s * s - 4 * (lo1 * lo2 - a_bw))) / 2)
        if a_bw > lo1 * lo2:  # a_BW − ξ = (a_Bj + ξ)(a_jW + ξ)
            xi = max(xi, (np.sqrt(s * s + 4 * (a_bw - lo1 * lo2)) - s) / 2)
        for hi1, hi2 in pairs:  # (a_Bj − ξ)(a_jW − ξ) = (a_Bk + ξ)(a_kW + ξ): ξ² cancels
            if lo1 * lo2 > hi1 * hi2:
                xi = max(xi, (lo1 * lo2 - hi1 * hi2) / (lo1 + lo2 + hi1 + hi2))
    return float(xi)


def _check_vectors(
    best_to_others: pd.Series,
    others_to_worst: pd.Series,
    best: str | None,
    worst: str | None,
    source: str,
) -> tuple[str, str, ProblemList]:
    problems = ProblemList()
    codes = best_to_others.index
    for c in codes.symmetric_difference(others_to_worst.index):
        problems.add(
            "两组比较须覆盖相同的要素 / both comparison vectors must cover the same elements",
            source=source,
            column=c,
        )
    for name, vec in (("best_to_others", best_to_others), ("others_to_worst", others_to_worst)):
        for c, v in vec.items():
            if not (np.isfinite(v) and v >= 1):
                problems.add(
                    f"{name} 的判断须为不小于 1 的数（1–9 标度） / {name} judgements must be "
                    "numbers ≥ 1 (the 1–9 scale)",
                    source=source,
                    column=c,
                    value=v,
                )
    if len(codes) < 2:
        problems.add("至少需要 2 个要素 / at least 2 elements are needed", source=source)
    problems.raise_if_any(f"invalid input for {source}")
    best = _extreme(best_to_others, best, "best", source, problems)
    worst = _extreme(others_to_worst, worst, "worst", source, problems)
    if best is not None and worst is not None:
        if best == worst:
            problems.add(
                "最重要与最不重要的要素须不同 / the best and the worst element must differ",
                source=source,
                value=best,
            )
        elif best_to_others[worst] != others_to_worst[best]:
            problems.add(
                "最重要对最不重要的判断在两组中须相同（a_BW） / the best-over-worst judgement "
                "a_BW must be the same in both vectors",
                source=source,
                column=f"{best}/{worst}",
                value=f"{best_to_others[worst]:g} ≠ {others_to_worst[best]:g}",
            )
    problems.raise_if_any(f"invalid input for {source}")
    return best, worst, problems


def _extreme(
    vec: pd.Series, given: str | None, which: str, source: str, problems: ProblemList
) -> str | None:
    """The best (worst) element: ``given``, or the only element rated 1 against itself."""
    ones = list(vec.index[vec == 1])
    if given is not None:
        if given not in vec.index or vec[given] != 1:
            problems.add(
                f"{which} 须为比较中的要素且其自身比较为 1 / {which} must be one of the "
                f"elements, compared with itself as 1",
                source=source,
                column=which,
                value=given,
            )
            return None
        return given
    if len(ones) != 1:
        problems.add(
            f"无法确定 {which} 要素：恰好一个要素的判断应为 1，或给出 {which}= / cannot tell the "
            f"{which} element: exactly one judgement should be 1, or pass {which}=",
            source=source,
            column=which,
            value=", ".join(map(str, ones)),
        )
        return None
    return ones[0]


def bwm(
    best_to_others: Mapping[str, float] | pd.Series,
    others_to_worst: Mapping[str, float] | pd.Series,
    *,
    best: str | None = None,
    worst: str | None = None,
) -> WeightResult:
    """Best–Worst Method weights from one expert's two comparison vectors.

    ``best_to_others``: code → how much more important the best element is than each
    element (``a_Bj``, 1–9; 1 for the best itself); ``others_to_worst``: code → how much
    more important each element is than the worst (``a_jW``; 1 for the worst itself).
    ``best``/``worst`` name the elements when more than one is rated 1.

    Weights: Rezaei's (2016) linear model ``min ξᴸ`` s.t. ``|w_B − a_Bj w_j| ≤ ξᴸ``,
    ``|w_j − a_jW w_W| ≤ ξᴸ``, ``Σ w = 1``, ``w ≥ 0`` (one solution; HiGHS). Diagnostics:
    ``xi_linear`` (ξᴸ, 0 = fully consistent), ``xi`` (ξ* of the non-linear model of
    Rezaei 2015, in closed form), ``ci`` (the consistency index of a_BW, Rezaei 2015 Table
    3) and ``cr = ξ*/ci`` (Rezaei 2015 §3: closer to 0 = more consistent; the paper sets no
    threshold). Conventions: any scale with judgements ≥ 1; ``a_BW`` must agree in both
    vectors.
    """
    source = "bwm"
    a_b = pd.Series(best_to_others, dtype=float)
    a_w = pd.Series(others_to_worst, dtype=float).reindex(a_b.index)
    b_code, w_code, _ = _check_vectors(
        a_b, pd.Series(others_to_worst, dtype=float), best, worst, source
    )
    codes = list(a_b.index)
    n = len(codes)
    b, w = codes.index(b_code), codes.index(w_code)
    # variables (w_1 … w_n, ξ); each |·| ≤ ξ as two rows ±(·) − ξ ≤ 0
    rows = []
    for j in range(n):
        if j != b:
            r = np.zeros(n + 1)
            r[b], r[j] = 1.0, -a_b.iloc[j]
            rows.append(r)
        if j != w:
            r = np.zeros(n + 1)
            r[j], r[w] = 1.0, -a_w.iloc[j]
            rows.append(r)
    from scipy.optimize import linprog  # imported when a BWM is solved, not by build

    lhs = np.array(rows)
    a_ub = np.vstack([lhs, -lhs])
    a_ub[:, n] = -1.0
    res = linprog(
        np.r_[np.zeros(n), 1.0],
        A_ub=a_ub,
        b_ub=np.zeros(len(a_ub)),
        A_eq=np.r_[np.ones(n), 0.0][None, :],
        b_eq=[1.0],
        bounds=[(0, None)] * (n + 1),
        method="highs",
    )
    weights = pd.Series(res.x[:n], index=pd.Index(codes, name="iCode"))
    xi = _xi_nonlinear(a_b.to_numpy(), a_w.to_numpy(), b, w)
    ci = bwm_consistency_index(a_b.iloc[w])
    cr = xi / ci if ci > 0 else 0.0
    table = pd.DataFrame({"best_to_others": a_b, "others_to_worst": a_w, "weight": weights})
    return WeightResult(
        weights,
        method="bwm",
        source=SOURCE,
        conventions="linear model (unique weights); CR = ξ*/CI with ξ* of the non-linear model",
        tables={"BWM": table},
        best=b_code,
        worst=w_code,
        xi_linear=float(res.x[n]),
        xi=xi,
        ci=ci,
        cr=cr,
    )


def bwm_group(results: Mapping[str, WeightResult]) -> WeightResult:
    """Several experts' BWM weights for one set of elements: their arithmetic mean
    (aggregation of individual priorities; Forman & Peniwati 1998, EJOR 108: 165–169),
    with every expert's ``cr`` in ``crs``."""
    frame = pd.DataFrame({e: r.weights for e, r in results.items()})
    crs = pd.Series({e: r.cr for e, r in results.items()}, name="cr")
    mean = frame.mean(axis=1)
    return WeightResult(
        mean / mean.sum(),
        method="bwm (group)",
        source=SOURCE + "; Forman & Peniwati (1998) EJOR 108: 165–169",
        conventions="arithmetic mean of the experts' weights",
        tables={"experts / 专家": frame.assign(mean=mean)},
        crs=crs,
        max_cr=float(crs.max()),
    )


# ------------------------------------------------------------------ the questionnaire
HEADER = [
    "代码 / code",
    "要素 / element",
    "最重要要素比它重要多少 / best over this (1–9)",
    "它比最不重要要素重要多少 / this over worst (1–9)",
    "备注 / comment",
]
BEST_ROW, WORST_ROW, FIRST_ROW = 3, 4, 7  # best/worst choices in column B; elements from 7
SCALE = {
    1: "同等重要 / equally important",
    3: "稍微重要 / moderately more important",
    5: "明显重要 / strongly more important",
    7: "强烈重要 / very strongly more important",
    9: "极端重要 / extremely more important",
}


def bwm_template(
    framework: Framework | str,
    level: int | Sequence[int],
    path: str | Path,
    *,
    parents: Sequence[str] | None = None,
    expert: str = "",
) -> Path:
    """Write the BWM questionnaire for the elements at ``level`` (1 = indicators).

    One sheet per aggregate whose children are at ``level`` (restricted to ``parents``):
    the expert picks the best and the worst element (Excel lists), then rates the best
    over each element and each element over the worst (whole numbers 1–9, Excel data
    validation). Written atomically and reproducibly, with the framework's name and hash.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    fw = load_framework(framework)
    found = _parents(fw, level, parents, source="bwm_template", max_children=None)
    wb = Workbook()
    bold = Font(bold=True)
    how = (
        "每个工作表对应一个上级要素。先在 B3、B4 选出最重要和最不重要的下级要素，再对每个要素"
        "填写：最重要要素比它重要多少（1–9，对自身填 1），它比最不重要要素重要多少（1–9，对自身"
        "填 1）。两处“最重要比最不重要”的判断须相同。 / Each sheet is one aggregate. Pick the "
        "most and the least important element in B3 and B4, then for every element rate how "
        "much more important the best is than it (1–9; 1 for the best itself) and how much "
        "more important it is than the worst (1–9; 1 for the worst itself). The best-over-"
        "worst judgement must be the same in both columns."
    )
    write_readme(
        wb,
        "最优最劣法专家问卷 / Best–Worst Method expert questionnaire",
        fw,
        expert,
        how,
        ("标度 / scale", "含义 / meaning (Rezaei 2015; 2, 4, 6, 8 in between)"),
        SCALE,
    )
    fill = PatternFill("solid", fgColor="FFF2CC")
    for parent in found:
        sh = wb.create_sheet(parent[:31])
        node = fw[parent]
        kids = fw.children[parent]
        write_cell(sh, 1, 1, f"{parent}: {node.name_zh} / {node.name_en}").font = bold
        write_cell(sh, BEST_ROW, 1, "最重要 / best").font = bold
        write_cell(sh, WORST_ROW, 1, "最不重要 / worst").font = bold
        choice = DataValidation(type="list", formula1='"' + ",".join(kids) + '"')
        choice.error = "请选择本表列出的代码 / choose one of the codes listed below"
        choice.showErrorMessage = True
        sh.add_data_validation(choice)
        for r in (BEST_ROW, WORST_ROW):
            sh.cell(r, 2).fill = fill
            choice.add(f"B{r}")
        for j, h in enumerate(HEADER, start=1):
            write_cell(sh, FIRST_ROW - 1, j, h).font = bold
        for k, code in enumerate(kids):
            r = FIRST_ROW + k
            write_cell(sh, r, 1, code)
            write_cell(sh, r, 2, fw[code].name_zh or fw[code].name_en)
            sh.cell(r, 3).fill = fill
            sh.cell(r, 4).fill = fill
        last = FIRST_ROW + len(kids) - 1
        scale = DataValidation(type="whole", operator="between", formula1="1", formula2="9")
        scale.error = "请填写 1–9 的整数 / enter a whole number from 1 to 9"
        scale.showErrorMessage = True
        sh.add_data_validation(scale)
        scale.add(f"C{FIRST_ROW}:D{last}")
        for col, width in zip("ABCDE", (14, 30, 26, 26, 30), strict=True):
            sh.column_dimensions[col].width = width
    return save_reproducible(wb, path)


@dataclass
class BwmResponses:
    """One expert's filled BWM questionnaire: per aggregate, the best and worst element
    and the two comparison vectors (``comparisons``: code → DataFrame with columns
    ``best_to_others``, ``others_to_worst``; ``best``/``worst``: code → element)."""

    expert: str
    comparisons: dict[str, pd.DataFrame]
    best: dict[str, str]
    worst: dict[str, str]
    source: str = ""
    framework: str = ""
    comments: dict[str, list[str]] = field(default_factory=dict)

    def weights(self) -> dict[str, WeightResult]:
        """:func:`bwm` on every aggregate."""
        return {
            p: bwm(
                c["best_to_others"],
                c["others_to_worst"],
                best=self.best[p],
                worst=self.worst[p],
            )
            for p, c in self.comparisons.items()
        }

    def __repr__(self) -> str:
        return f"<BwmResponses {self.expert or '(no name)'}: {', '.join(self.comparisons)}>"


def read_bwm(path: str | Path, framework: Framework | str | None = None) -> BwmResponses:
    """Read a filled BWM questionnaire back into comparison vectors.

    ``framework``: to check the codes against (default: the framework named in the
    workbook). Every problem is listed at once with sheet, row and column: best or worst
    not chosen or not a child, a judgement missing or not a whole number 1–9, the best
    (worst) element not rated 1 against itself, a_BW differing between the two columns,
    an unknown, repeated or missing code, a sheet that is not an aggregate.
    """
    path = Path(path)
    source = str(path)
    wb, meta, fw = open_questionnaire(path, framework)
    problems = ProblemList()
    comparisons: dict[str, pd.DataFrame] = {}
    bests: dict[str, str] = {}
    worsts: dict[str, str] = {}
    comments: dict[str, list[str]] = {}
    for name, where, kids in aggregate_sheets(wb, fw, source, problems):
        rows = [(list(row) + [None] * 5)[:5] for row in wb[name].iter_rows(values_only=True)]
        rows += [[None] * 5] * max(0, WORST_ROW - len(rows))
        chosen = {}
        for label, r in (("best", BEST_ROW), ("worst", WORST_ROW)):
            v = rows[r - 1][1]
            code = "" if v is None else str(v).strip()
            if code not in kids:
                problems.add(
                    f"须选择 {label} 要素（本表列出的代码之一） / choose the {label} element "
                    f"(one of {', '.join(kids)})",
                    source=where,
                    row=r,
                    column="B",
                    value=code,
                )
            chosen[label] = code
        a_b: dict[str, float] = {}
        a_w: dict[str, float] = {}
        seen: dict[str, int] = {}
        for r, values in enumerate(rows[FIRST_ROW - 1 :], start=FIRST_ROW):
            if all(v is None or str(v).strip() == "" for v in values[:4]):
                continue
            code = "" if values[0] is None else str(values[0]).strip()
            if code not in kids:
                problems.add(
                    f"unknown code: not a child of {name} ({', '.join(kids)})",
                    source=where,
                    row=r,
                    column="A",
                    value=code,
                )
                continue
            if code in seen:
                problems.add(
                    f"要素重复（首次在第 {seen[code]} 行） / element repeated (first on row "
                    f"{seen[code]})",
                    source=where,
                    row=r,
                    value=code,
                )
                continue
            seen[code] = r
            for col, target in (("C", a_b), ("D", a_w)):
                v = _intensity(values[2 if col == "C" else 3], where, r, col, problems)
                if v is not None:
                    target[code] = v
            if values[4]:
                comments.setdefault(name, []).append(f"{code}: {values[4]}")
        for code in kids:
            if code not in seen:
                problems.add(
                    "要素缺失：表中没有该要素 / missing element: not in the sheet",
                    source=where,
                    value=code,
                )
        best, worst = chosen["best"], chosen["worst"]
        if best in kids and worst in kids and len(a_b) == len(a_w) == len(kids):
            try:
                _check_vectors(pd.Series(a_b), pd.Series(a_w), best, worst, where)
            except ValidationError as exc:
                problems.extend(exc.problems)
                continue
            comparisons[name] = pd.DataFrame(
                {"best_to_others": a_b, "others_to_worst": a_w}
            ).reindex(kids)
            bests[name], worsts[name] = best, worst
    if not comparisons and not problems:
        problems.add("no comparison sheets in the workbook", source=source)
    wb.close()
    problems.raise_if_any("BWM 问卷有问题 / BWM questionnaire has problems")
    return BwmResponses(
        expert=meta.get("专家 / expert", ""),
        comparisons=comparisons,
        best=bests,
        worst=worsts,
        source=path.name,
        framework=fw.name,
        comments=comments,
    )


def _intensity(value: Any, where: str, r: int, col: str, problems: ProblemList) -> float | None:
    """A whole number 1–9 from a cell; None (and a problem) if missing or off the scale."""
    try:  # Excel's TRUE/FALSE is not an intensity (float(True) would be 1)
        v = float("nan") if isinstance(value, bool) else float(value)
    except (TypeError, ValueError):
        v = float("nan")
    if not (np.isfinite(v) and v == int(v) and 1 <= v <= 9):
        problems.add(
            "判断须为 1–9 的整数 / a judgement must be a whole number from 1 to 9",
            source=where,
            row=r,
            column=col,
            value="" if value is None else value,
        )
        return None
    return v


def bwm_weights(
    responses: Sequence[BwmResponses],
) -> dict[str, WeightResult]:
    """BWM weights per aggregate: one expert's, or the group mean (:func:`bwm_group`) of
    the aggregates every expert answered."""
    if len(responses) == 1:
        return responses[0].weights()
    each = [r.weights() for r in responses]
    parents = [p for p in each[0] if all(p in e for e in each)]
    return {
        p: bwm_group({r.expert or r.source: e[p] for r, e in zip(responses, each, strict=True)})
        for p in parents
    }


def from_bwm_questionnaires(*, questionnaires: str | list[str]) -> dict[str, WeightResult]:
    """BWM weights per aggregate from filled questionnaire(s) (the spec's ``weights:
    {method: bwm, questionnaires: [...]}``; several files: the group mean)."""
    paths = [questionnaires] if isinstance(questionnaires, str) else list(questionnaires)
    return bwm_weights([read_bwm(p) for p in paths])
