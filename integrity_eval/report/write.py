"""``ie.report.write``: the whole deliverable of a run in one folder (docs/reports.md).

::

    <out_dir>/league_table.csv   rounded league table (bilingual headers, status column)
    <out_dir>/results.xlsx       for the client: cover, league table, grades, indicators
    <out_dir>/analysis.xlsx      for the analyst: every stage of the calculation
    <out_dir>/report.html|.pdf   the overall report
    <out_dir>/units/<uCode>.html|.pdf   one report per unit
    <out_dir>/fonts/             the CJK font subset the HTML reports use, with its licence
    <out_dir>/manifest.json      what produced it: versions, hashes of inputs and outputs

The folder is written under a temporary name and renamed when complete, so a run
that fails leaves nothing behind. No file holds an absolute path of the machine.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import Problem, ValidationError
from ..io import atomic_output_dir, file_sha256
from ..progress import progress
from ..rating import Rated
from . import excel, figures
from .content import failed_periods, history_of, overall_content, unit_content
from .fonts import (
    REPLACEMENT,
    displayable,
    face_index,
    faces_for,
    names_to_check,
    resolve_font,
    warn_missing_glyphs,
)
from .render import render_html, render_pdf
from .tables import league_csv, what_it_takes_csv
from .text import tr, unit_names

__all__ = ["render_pages", "safe_filename", "write", "write_font_folder", "write_into"]

FONT_FILE = "ReportCJK-subset.otf"
_RESERVED = {
    "CON",
    "PRN",
    "AUX",
    "NUL",
    *(f"COM{i}" for i in range(10)),
    *(f"LPT{i}" for i in range(10)),
}
_UNSAFE = re.compile(r"[^\w.-]", re.UNICODE)


def safe_filename(code: str) -> str:
    """A file name for unit ``code`` that stays inside its folder on every system.

    Path separators and other characters outside letters, digits, ``_ . -`` become
    ``_``; leading dots are replaced (no ``..``, no hidden files); Windows device names
    (CON, NUL, COM1, …) get a leading ``_``; long names are cut. Whenever the name had
    to change, the first 8 hex digits of the code's SHA-1 are appended, so two codes
    never share a file.
    """
    text = str(code)
    name = _UNSAFE.sub("_", text).strip()
    name = re.sub(r"^\.+", lambda m: "_" * len(m.group()), name)[:80] or "_"
    if name.split(".")[0].upper() in _RESERVED:
        name = "_" + name
    if name != text:
        name += "-" + hashlib.sha1(text.encode("utf-8")).hexdigest()[:8]
    return name


def write(
    ev: Any,
    out_dir: str | Path,
    *,
    lang: str = "zh",
    rated: Any = None,
    ua: Any = None,
    grade_probs: pd.DataFrame | None = None,
    records: Mapping[str, pd.DataFrame] | None = None,
    agency: str | None = None,
    manifest: Mapping[str, Any] | None = None,
    history: Any = None,
    font: str | Path | None = None,
    units: Sequence[str] | None = None,
    pdf: bool = True,
    quiet: bool = False,
    cover: Mapping[str, Any] | None = None,
    corrections: pd.DataFrame | None = None,
    n_jobs: int | None = None,
) -> Path:
    """Write every output of a run (docs/outputs.md) for ``ev`` into the new folder ``out_dir``.

    ``rated``, ``ua``, ``grade_probs`` and ``records`` are the optional rating,
    uncertainty, grade-probability and breach-record results (see
    :mod:`integrity_eval.report.content`); ``agency`` names the evaluating agency on
    every cover; ``manifest`` is the run manifest to extend (default ``ev.manifest``);
    ``history``: a Panel (e.g. :func:`integrity_eval.panel.history`) or mapping period →
    Evaluation for trends and changes (None: no changes shown; the periods a Panel could
    not build are named in the overall report); ``font``: a CJK font file
    (default: see :func:`~integrity_eval.report.fonts.resolve_font`); ``units``: write
    unit reports for these uCodes only (default: every unit); ``pdf=False`` skips the
    PDFs. ``cover``: the engagement's cover
    (:meth:`integrity_eval.engagement.Engagement.cover`: ``title``, ``period``,
    ``client``, ``status``, ``edges_source``, ``citations``) — its title heads every
    report and the workbooks' cover sheet, a draft is marked 征求意见稿 on every page;
    ``corrections``: the review corrections applied to the data (``uCode, iCode, old,
    new, reason, evidence, by, date``), listed in each unit's annex and counted in the
    method section. ``n_jobs``: processes drawing the units' charts and rendering the
    PDFs (joblib: None follows ``joblib.parallel_config``, by default one; -1 every
    core); the reports are the same whatever the number.
    ``out_dir`` must not exist yet (or be empty). Returns ``out_dir``.
    """
    out_dir = Path(out_dir)
    with atomic_output_dir(out_dir) as tmp:
        write_into(
            ev,
            tmp,
            lang=lang,
            rated=rated,
            ua=ua,
            grade_probs=grade_probs,
            records=records,
            agency=agency,
            manifest=manifest,
            history=history,
            font=font,
            units=units,
            pdf=pdf,
            quiet=quiet,
            cover=cover,
            corrections=corrections,
            n_jobs=n_jobs,
        )
    return out_dir


def write_into(
    ev: Any,
    folder: Path,
    *,
    lang: str = "zh",
    rated: Any = None,
    ua: Any = None,
    grade_probs: pd.DataFrame | None = None,
    records: Mapping[str, pd.DataFrame] | None = None,
    agency: str | None = None,
    manifest: Mapping[str, Any] | None = None,
    history: Any = None,
    font: str | Path | None = None,
    units: Sequence[str] | None = None,
    pdf: bool = True,
    quiet: bool = False,
    cover: Mapping[str, Any] | None = None,
    corrections: pd.DataFrame | None = None,
    n_jobs: int | None = None,
) -> None:
    """:func:`write` into an existing, empty folder (no atomic rename: the caller's job)."""
    folder = Path(folder)
    manifest = strip_paths(dict(ev.manifest if manifest is None else manifest))
    synthetic = bool(manifest.get("synthetic"))
    resolved = resolve_font(font)
    # the names as printed (English names in English), drawn as □ below, never lost
    warn_missing_glyphs(names_to_check(unit_names(ev, lang), ev.framework), resolved)
    hist = history_of(ev, history)
    common = {
        "lang": lang,
        "rated": rated,
        "ua": ua,
        "grade_probs": grade_probs,
        "agency": agency,
        "manifest": manifest,
        "history": hist,
        "synthetic": synthetic,
        "cover": cover,
        "corrections": corrections,
    }
    codes = [str(c) for c in ev.units.index]
    if units is not None:
        unknown = [u for u in units if str(u) not in codes]
        if unknown:
            raise ValidationError(
                [
                    Problem("评价中没有该单位 / no such unit in the evaluation", "units", row=u)
                    for u in unknown
                ],
                title="无法写出单位报告 / cannot write unit reports",
            )
        codes = [str(u) for u in units]
    names = _file_names(codes)
    steps = 3 + len(codes)
    bar = progress(total=steps, desc=tr("unit_report", lang), unit="份", quiet=quiet)
    try:
        (folder / "league_table.csv").write_bytes(
            league_csv(ev, lang=lang, rated=rated, ua=ua, synthetic=synthetic)
        )
        if isinstance(rated, Rated):  # a rating result of ie.rating.rate
            (folder / "what_it_takes.csv").write_bytes(what_it_takes_csv(ev, rated, lang))
        bar.update()
        excel.write_workbooks(
            ev,
            folder,
            lang=lang,
            synthetic=synthetic,
            manifest=manifest,
            rated=rated,
            ua=ua,
            grade_probs=grade_probs,
            agency=agency,
            cover=cover,
        )
        bar.update()

        pages: dict[str, tuple[str, Mapping[str, Any], str]] = {}
        overall = overall_content(ev, failed=failed_periods(history), **common)
        common["methodology"] = overall["annex"]  # the method section, computed once
        _overall_charts(overall, resolved, lang)
        pages["report"] = ("overall.html.j2", overall, "fonts/" + FONT_FILE)
        charts = []
        for code in codes:
            ctx = unit_content(ev, code, records=records, **common)
            charts += [(ctx, *job) for job in _unit_charts(ctx, resolved, lang)]
            pages[f"units/{names[code]}"] = ("unit.html.j2", ctx, "../fonts/" + FONT_FILE)
        _draw_charts(charts, n_jobs)
        html = render_pages(pages, resolved)
        fonts = write_font_folder(folder, resolved, "".join(html.values()), lang)
        (folder / "units").mkdir()
        for key, text in html.items():
            (folder / f"{key}.html").write_text(text, encoding="utf-8")
            if not pdf:
                bar.update()
        if pdf:
            for _ in _render_pdfs(folder, html, fonts, n_jobs):
                bar.update()
    finally:
        bar.close()

    files = sorted(p for p in folder.rglob("*") if p.is_file())
    manifest["outputs"] = [
        {
            "file": p.relative_to(folder).as_posix(),
            "bytes": p.stat().st_size,
            "sha256": file_sha256(p),
        }
        for p in files
    ] + [{"file": "manifest.json"}]
    manifest["units_files"] = {c: f"units/{names[c]}" for c in codes if names[c] != c}
    text = json.dumps(manifest, ensure_ascii=False, indent=2, default=str)
    (folder / "manifest.json").write_text(text + "\n", encoding="utf-8")


def _render_pdfs(
    folder: Path, html: Mapping[str, str], fonts: Path, n_jobs: int | None
) -> Iterator[Path]:
    """Each page ``folder/<key>.html`` also as PDF, by ``n_jobs`` joblib workers (processes:
    WeasyPrint's layout is Python, so threads would wait on each other); yields each PDF
    as it is written, in page order."""
    from joblib import Parallel, delayed

    targets = [folder / f"{key}.pdf" for key in html]
    jobs = Parallel(n_jobs=n_jobs if len(targets) > 1 else 1, return_as="generator")
    yield from jobs(
        delayed(render_pdf)(text, target, base=target.parent, roots=[fonts])
        for text, target in zip(html.values(), targets, strict=True)
    )


def _licence_note(fb: Any) -> str:
    from fontTools.ttLib import TTFont

    with TTFont(str(fb.path), lazy=True) as f:
        names = f["name"]
        licence = names.getDebugName(13) or ""
        url = names.getDebugName(14) or ""
    return f"{fb.face}-subset.ttf: {fb.family} ({fb.path.name})\n{licence}\n{url}\n\n"


# ------------------------------------------------------------------ helpers
def _file_names(codes: list[str]) -> dict[str, str]:
    """Safe, distinct file names, also on case-insensitive file systems."""
    names = {c: safe_filename(c) for c in codes}
    seen: dict[str, int] = {}
    for n in names.values():
        seen[n.lower()] = seen.get(n.lower(), 0) + 1
    for c, n in names.items():
        if seen[n.lower()] > 1 and not n.endswith(hashlib.sha1(c.encode()).hexdigest()[:8]):
            names[c] = n + "-" + hashlib.sha1(c.encode("utf-8")).hexdigest()[:8]
    return names


_ABS = re.compile(r"^(/|[A-Za-z]:[\\/]|\\\\)")


def strip_paths(value: Any) -> Any:
    """The manifest with every absolute path replaced by its file name."""
    if isinstance(value, Mapping):
        return {k: strip_paths(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [strip_paths(v) for v in value]
    if isinstance(value, str) and _ABS.match(value):
        return re.split(r"[\\/]", value.rstrip("\\/"))[-1]
    return value


def _overall_charts(ctx: dict[str, Any], font: Any, lang: str) -> None:
    rows = ctx["ranking"]
    names = [r["name"] for r in rows]
    if ctx["has_ua"]:
        lo = [r["interval"][0] if r["interval"] else r["rank"] for r in rows]
        hi = [r["interval"][1] if r["interval"] else r["rank"] for r in rows]
        png = figures.ranking_chart(
            names,
            [r["score_value"] for r in rows],
            lo,
            hi,
            [r["rank"] for r in rows],
            xlabel=tr("rank", lang),
            font=font,
        )
    else:
        png = figures.ranking_chart(
            names,
            [r["score_value"] for r in rows],
            xlabel=tr("total_points" if ctx["points"] else "score", lang),
            font=font,
        )
    ctx["ranking_img"] = figures.data_uri(png)
    counts = ctx.get("grade_counts")
    ctx["grade_img"] = (
        figures.data_uri(figures.grade_chart(counts, ylabel=tr("count", lang), font=font))
        if counts is not None
        else None
    )
    hm = ctx.get("heatmap")
    ctx["heatmap_img"] = (
        figures.data_uri(figures.heatmap(hm, font=font)) if hm is not None and len(hm) else None
    )


def _unit_charts(ctx: dict[str, Any], font: Any, lang: str) -> list[tuple[str, Any, dict]]:
    """The charts of one unit's report as jobs: (the key of ``ctx`` that takes the chart,
    the chart function, its keyword arguments); keys without a chart set to None."""
    jobs: list[tuple[str, Any, dict]] = []
    prof = ctx.get("profile")
    ctx["profile_img"] = None
    if prof is not None:
        kwargs = {
            "names": prof["names"],
            "unit": prof["unit"],
            "median": prof["median"],
            "best": prof["best"],
            "labels": (tr("this_unit", lang), tr("median", lang), tr("best", lang)),
            "font": font,
        }
        jobs.append(("profile_img", figures.profile_chart, kwargs))
    trend = ctx["trend"]
    ctx["trend_img"] = None
    if len(trend) >= 2:
        kwargs = {
            "times": [t[0] for t in trend],
            "scores": [t[1] for t in trend],
            "ranks": [t[2] for t in trend],
            "labels": (
                tr("total_points" if ctx["points"] else "trend_score", lang),
                tr("trend_rank", lang),
            ),
            "font": font,
        }
        jobs.append(("trend_img", figures.trend_chart, kwargs))
    return jobs


def _draw_charts(jobs: list[tuple[dict[str, Any], str, Any, dict]], n_jobs: int | None) -> None:
    """Draw every chart job (the context it goes into, its key, the chart function, its
    keyword arguments) by ``n_jobs`` joblib workers (processes: Matplotlib's drawing is
    Python), each put into its context as a data URI."""
    from joblib import Parallel, delayed

    pngs = Parallel(n_jobs=n_jobs if len(jobs) > 1 else 1)(
        delayed(fn)(**kwargs) for _, _, fn, kwargs in jobs
    )
    for (ctx, key, _, _), png in zip(jobs, pngs, strict=True):
        ctx[key] = figures.data_uri(png)


def render_pages(
    pages: Mapping[str, tuple[str, Mapping[str, Any], str]], font: Any
) -> dict[str, str]:
    """The HTML of each page (key → (template, context, URL of ``FONT_FILE``)), with an
    ``@font-face`` for each fallback font the pages' text needs
    (:func:`~integrity_eval.fonts.faces_for`) and every character that no font covers
    drawn as :data:`~integrity_eval.fonts.REPLACEMENT` (:func:`~integrity_eval.fonts.displayable`),
    so WeasyPrint never meets a glyph it cannot draw."""
    html = {key: render_html(tpl, ctx, font_url=url) for key, (tpl, ctx, url) in pages.items()}
    faces = [f.face for f in faces_for("".join(html.values()), font)]
    if faces:
        html = {
            key: render_html(tpl, ctx, font_url=url, faces=faces)
            for key, (tpl, ctx, url) in pages.items()
        }
    return {key: displayable(text, font) for key, text in html.items()}


def write_font_folder(folder: Path, font: Any, text: str, lang: str = "zh") -> Path:
    """``folder/fonts``: the subset of ``font`` the pages' ``text`` needs (``FONT_FILE``;
    of a font collection the face for pages in ``lang``, :func:`~integrity_eval.fonts.face_index`),
    a subset of each fallback font it needs (``<face>-subset.ttf``), and their licences;
    returns that folder (the PDFs' only allowed font root)."""
    fonts = folder / "fonts"
    fonts.mkdir()
    _subset_font(font.path, fonts / FONT_FILE, text, face_index(font.path, lang))
    used = faces_for(text, font)
    for fb in used:
        _subset_font(fb.path, fonts / f"{fb.face}-subset.ttf", text, 0)
    _write_licence(fonts, font, used)
    return fonts


def _subset_font(source: Path, target: Path, text: str, index: int) -> None:
    """Face ``index`` of the font file ``source`` cut down to the characters of ``text``
    (plus ASCII and the report's punctuation) that it covers; keeps every layout feature
    (the shaping of Tibetan and Mongolian needs them)."""
    from fontTools import subset
    from fontTools.ttLib import TTFont

    ascii_ = "".join(chr(i) for i in range(32, 127))
    wanted = {ord(ch) for ch in text + ascii_ + "—–…·★“”「」（）：；，。、％" + REPLACEMENT}
    opts = subset.Options()
    opts.layout_features = ["*"]
    opts.name_IDs = ["*"]
    opts.notdef_outline = True
    opts.drop_tables += ["FFTM"]  # FontForge's timestamp (DejaVu Sans): nothing to subset
    with TTFont(str(source), fontNumber=index, lazy=True) as font:  # the file closed after
        cmap = font.getBestCmap() or {}
        sub = subset.Subsetter(opts)
        sub.populate(unicodes=sorted(wanted & set(cmap)))
        sub.subset(font)
        font.save(str(target))


def _write_licence(fonts: Path, font: Any, fallbacks: Sequence[Any] = ()) -> None:
    """The licences of the font subsets shipped with the HTML reports: the SIL Open Font
    License of Noto Sans CJK, or a note that the user supplied the font; and, when
    fallback fonts were subset, ``FALLBACK-FONTS.txt`` with each one's family, file and
    the licence and URL its own name table states (name IDs 13, 14)."""
    from importlib import metadata

    if fallbacks:
        (fonts / "FALLBACK-FONTS.txt").write_text(
            "".join(_licence_note(fb) for fb in fallbacks), encoding="utf-8"
        )

    if font.origin == "user":
        (fonts / "FONT.txt").write_text(
            f"字体由用户提供 / font supplied by the user: {font.family} ({font.path.name}); "
            "its licence must allow embedding and redistribution of subsets.\n",
            encoding="utf-8",
        )
        return
    text = None
    try:
        dist = metadata.distribution("noto-cjk-sans-otc")
        for f in dist.files or []:
            if f.name.upper().startswith("LICENSE"):
                text = f.read_text(encoding="utf-8")
                break
    except metadata.PackageNotFoundError:  # pragma: no cover
        text = None
    (fonts / "OFL.txt").write_text(
        text
        or "Noto Sans CJK: SIL Open Font License, Version 1.1 (https://openfontlicense.org).\n",
        encoding="utf-8",
    )
