"""Fonts for chart text: Chinese labels and Japanese or Chinese product names need CJK glyphs.

Matplotlib's default font (DejaVu Sans) has no CJK glyphs. On import, :mod:`opsanalysis.plotting`
adds every installed CJK family after the families in ``font.family`` (matplotlib then falls back
per glyph along that list, so Latin text keeps its usual look). Every public chart function is wrapped by
:func:`localised`: a chart asked for in Chinese on a machine without any CJK font is drawn in
English, with one warning saying which font to install, instead of rows of empty boxes.
"""

from __future__ import annotations

import functools
import inspect
import warnings

import matplotlib as mpl
from matplotlib import font_manager

__all__ = ["CJK_FAMILIES", "chart_language", "cjk_families", "install_cjk_fallback", "localised"]

#: Fonts with Chinese (and Japanese) glyphs, in order of preference (Linux, Windows, macOS).
CJK_FAMILIES = ("Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Zen Hei",
                "WenQuanYi Micro Hei", "Microsoft YaHei", "SimHei", "PingFang SC", "Heiti SC",
                "Arial Unicode MS", "Noto Sans CJK JP")
_MISSING_GLYPH = r"Glyph \d+ .* missing from (current )?font"


@functools.cache
def cjk_families() -> tuple:
    """Installed font families with CJK glyphs, in order of preference."""
    installed = {font.name for font in font_manager.fontManager.ttflist}
    return tuple(name for name in CJK_FAMILIES if name in installed)


def install_cjk_fallback() -> tuple:
    """Put the installed CJK families after the configured font families (idempotent).

    Returns
    -------
    tuple of str
        The CJK families now used as fallback (empty when none is installed; then matplotlib's
        per-glyph "missing from font" warnings are silenced: :func:`chart_language` warns once).
    """
    families = cjk_families()
    # Matplotlib falls back glyph by glyph along font.family only (a generic name such as
    # "sans-serif" stands for a single font there), so the CJK families go into that list.
    current = [name for name in mpl.rcParams["font.family"] if name not in families]
    mpl.rcParams["font.family"] = current + list(families)
    if not families:
        warnings.filterwarnings("ignore", message=_MISSING_GLYPH, category=UserWarning)
    return families


def chart_language(language: str) -> str:
    """Language a chart can be drawn in: ``"zh"`` only where a CJK font is installed."""
    if language != "zh" or cjk_families():
        return language
    _warn_no_cjk_font()
    return "en"


@functools.cache
def _warn_no_cjk_font():
    warnings.warn("no font with Chinese glyphs is installed: charts are drawn in English "
                  "(install e.g. Noto Sans CJK: Debian/Ubuntu package fonts-noto-cjk)",
                  UserWarning, stacklevel=4)


def localised(function):
    """Decorator of chart functions: their ``language`` argument goes through
    :func:`chart_language`."""
    signature = inspect.signature(function)

    @functools.wraps(function)
    def chart(*args, **kwargs):
        bound = signature.bind(*args, **kwargs)
        bound.apply_defaults()
        bound.arguments["language"] = chart_language(bound.arguments["language"])
        return function(*bound.args, **bound.kwargs)

    return chart
