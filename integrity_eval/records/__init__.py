"""Records → indicators under the source documents' rules, in DuckDB SQL (docs/records.md).

>>> rec = ie.records.read("breach_records.parquet", kind="breach")       # doctest: +SKIP
>>> tab = ie.records.breach_counts(rec, period="month", measure="active")  # doctest: +SKIP
>>> idata = ie.records.indicators(fw, {"breach": rec}, period="year")       # doctest: +SKIP
"""

from .counts import MEASURES, breach_counts, measure_table
from .indicators import indicators, record_sources
from .read import Records, read
from .rules import DEFAULT_RULES, resolve_rules
from .schema import KINDS
from .store import Store
from .trace import trace

__all__ = [
    "DEFAULT_RULES",
    "KINDS",
    "MEASURES",
    "Records",
    "Store",
    "breach_counts",
    "indicators",
    "measure_table",
    "read",
    "record_sources",
    "resolve_rules",
    "trace",
]
