"""The CJK font of the reports: :mod:`integrity_eval.fonts`, the one resolver of every
chart and PDF, under its report name."""

from ..fonts import FONT_ENV, ResolvedFont, apply_font, matplotlib_rc, resolve_font

__all__ = ["FONT_ENV", "ResolvedFont", "apply_font", "matplotlib_rc", "resolve_font"]
