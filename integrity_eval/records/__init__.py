"""Records → indicators under the source documents' rules, in DuckDB SQL (docs/records.md).

>>> rec = ie.records.read("breach_records.parquet", kind="breach")       # doctest: +SKIP
>>> tab = ie.records.breach_counts(rec, period="month", measure="active")  # doctest: +SKIP
>>> idata = ie.records.indicators(fw, {"breach": rec}, period="year")       # doctest: +SKIP

Every name is loaded on first use (:mod:`integrity_eval.lazy`): DuckDB is imported when
records are first read, not when the package is.
"""

from .. import lazy

__getattr__, __dir__, __all__ = lazy.attach(
    __name__,
    submod_attrs={
        "counts": ["MEASURES", "breach_counts", "measure_table"],
        "indicators": ["indicators", "record_sources"],
        "read": ["Records", "read"],
        "rules": ["DEFAULT_RULES", "resolve_rules"],
        "schema": ["KINDS"],
        "store": ["Store"],
        "trace": ["trace"],
    },
)
