"""Reports: league tables, the results workbook (and, later, HTML/PDF reports)."""

from .excel import write_results
from .tables import dimension_codes, league_table

__all__ = ["dimension_codes", "league_table", "write_results"]
