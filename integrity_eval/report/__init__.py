"""Everything a person reads: league table, results workbook, HTML/PDF reports (docs/reports.md).

``write(ev, out_dir, ...)`` writes the whole deliverable of a run; the pieces are
``league_table`` / ``league_csv`` (tables), ``write_results`` / ``write_analysis``
(the client's and the analyst's workbooks),
``unit_content`` / ``overall_content`` (what each report says, as data),
``resolve_font`` (the CJK font of charts and PDFs) and ``safe_filename``.
"""

from .content import history_of, overall_content, unit_content
from .excel import write_analysis, write_results
from .fonts import resolve_font
from .tables import dimension_codes, league_csv, league_table
from .text import tr
from .write import safe_filename, write

__all__ = [
    "dimension_codes",
    "history_of",
    "league_csv",
    "league_table",
    "overall_content",
    "resolve_font",
    "safe_filename",
    "tr",
    "unit_content",
    "write",
    "write_analysis",
    "write_results",
]
