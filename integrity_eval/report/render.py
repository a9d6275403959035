"""HTML from the package's Jinja2 templates, PDF from that HTML with WeasyPrint.

Templates live in ``integrity_eval/report/templates`` and are rendered with
autoescaping on, so unit and indicator names from data files are always text.
WeasyPrint gets a URL fetcher that serves ``data:`` URIs and files under the
folders it is given (the report's own ``fonts/`` folder) and refuses anything
else — no network access, no file outside the deliverable.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from urllib.request import url2pathname

__all__ = ["css_string", "page_label", "render_html", "render_pdf"]


@lru_cache(maxsize=1)
def _env() -> Any:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("integrity_eval.report", "templates"),
        autoescape=jinja2.select_autoescape(enabled_extensions=("html", "j2"), default=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["css_string"] = css_string
    return env


def css_string(text: Any) -> Any:
    """``text`` as a CSS string literal for a page's margin boxes, safe inside ``<style>``:
    quotes, backslashes, ``<`` and line breaks as hex escapes (CSS Syntax Level 3 §4.3.7)."""
    from markupsafe import Markup

    lines = ("" if text is None else str(text)).splitlines()
    s = "\n".join(" ".join(line.split()) for line in lines)
    s = s.replace("\\", "\\5C ").replace('"', "\\22 ").replace("<", "\\3C ")
    return Markup('"' + s.replace("\n", "\\A ") + '"')


@lru_cache(maxsize=1)
def _css() -> str:
    return (resources.files("integrity_eval.report") / "templates" / "report.css").read_text(
        encoding="utf-8"
    )


def page_label(lang: str) -> str:
    """CSS ``content`` for the page footer: "第 N 页 / 共 M 页" or "Page N of M"."""
    if lang == "en":
        return '"Page " counter(page) " of " counter(pages)'
    return '"第 " counter(page) " 页 / 共 " counter(pages) " 页"'


def render_html(
    template: str, context: Mapping[str, Any], *, font_url: str, faces: Sequence[str] = ()
) -> str:
    """Render ``template`` (``unit.html.j2`` or ``overall.html.j2``) with ``context``;
    the main font is at ``font_url``, the subsets of the fallback fonts ``faces`` (CSS
    family names, :data:`integrity_eval.fonts.FALLBACK_FILES`) beside it as
    ``<face>-subset.ttf``, tried in that order after the main font."""
    tpl = _env().get_template(template)
    folder = font_url.rpartition("/")[0]
    fallbacks = [(face, f"{folder}/{face}-subset.ttf" if folder else face) for face in faces]
    return tpl.render(
        **context,
        css=_css(),
        font_url=font_url,
        fallbacks=fallbacks,
        page_label=page_label(context["lang"]),
    )


class _LocalOnly:
    """Factory of a WeasyPrint URL fetcher limited to ``data:`` and files under ``roots``."""

    def __new__(cls, roots: Iterable[Path]) -> Any:
        from weasyprint.urls import URLFetcher

        allowed = [Path(r).resolve() for r in roots]

        class LocalFetcher(URLFetcher):
            def fetch(self, url: str, headers: Any = None) -> Any:
                scheme = urlsplit(url).scheme.lower()
                if scheme == "data":
                    return super().fetch(url, headers)
                if scheme == "file":
                    path = Path(url2pathname(urlsplit(url).path)).resolve()
                    if any(path == r or r in path.parents for r in allowed):
                        return super().fetch(url, headers)
                raise ValueError(
                    f"已拒绝：报告只读取本次运行的 fonts/ 与内嵌数据，不读取外部地址 {url} / "
                    f"refused: reports read only the run's fonts/ and embedded data, not {url}"
                )

        return LocalFetcher(allowed_protocols={"data", "file"}, fail_on_errors=True)


def render_pdf(html: str, path: Path, *, base: Path, roots: Iterable[Path]) -> Path:
    """Write ``html`` as PDF to ``path``; relative URLs resolve against the folder
    ``base``; only files under ``roots`` may be read. WeasyPrint warnings (a font or
    image that failed) become errors, so a PDF is never silently incomplete."""
    from weasyprint import HTML
    from weasyprint.urls import FatalURLFetchingError

    problems: list[str] = []

    class _Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if record.levelno >= logging.WARNING:
                problems.append(record.getMessage())

    logger = logging.getLogger("weasyprint")
    handler = _Collect()
    logger.addHandler(handler)
    try:
        doc = HTML(
            string=html, base_url=base.resolve().as_uri() + "/", url_fetcher=_LocalOnly(roots)
        )
        doc.write_pdf(path, uncompressed_pdf=False)
    except FatalURLFetchingError as exc:
        cause = exc.__cause__ or exc
        raise RuntimeError(f"PDF 生成出错 / PDF rendering problems: {cause}") from None
    finally:
        logger.removeHandler(handler)
    if problems:
        raise RuntimeError("PDF 生成出错 / PDF rendering problems: " + "; ".join(problems))
    return path
