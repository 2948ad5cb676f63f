"""Fonts for chart text: Chinese labels and Japanese or Chinese product names need CJK glyphs.

Matplotlib's default font (DejaVu Sans) has no CJK glyphs. The package depends on ``mplfonts``,
which ships the OFL font Noto Sans CJK SC (its glyph set covers Chinese and Japanese), so every
machine has one: :func:`register_bundled_font` adds that file to matplotlib's font manager
directly (no system font, no font cache to rebuild). :func:`setup_chart_fonts` then puts the CJK
families after the families in ``font.family`` (matplotlib falls back per glyph along that list,
so Latin text keeps its usual look).

Nothing happens at import: the report context calls :func:`setup_chart_fonts` before a notebook
draws anything, and every public chart function is wrapped by :func:`localised`, which calls it
too (idempotent) so that charts drawn interactively get the fonts as well. Should no CJK font be
available after all, a chart asked for in Chinese is drawn in English with one warning, instead
of rows of empty boxes.
"""

from __future__ import annotations

import functools
import inspect
import warnings
from importlib import resources
from pathlib import Path

import matplotlib as mpl
from matplotlib import font_manager

__all__ = ["CJK_FAMILIES", "BUNDLED_FONT", "chart_language", "cjk_families", "install_cjk_fallback",
           "localised", "register_bundled_font", "setup_chart_fonts"]

#: Fonts with Chinese (and Japanese) glyphs, in order of preference: the bundled one first, then
#: system fonts of Linux, Windows and macOS.
CJK_FAMILIES = ("Noto Sans CJK SC", "Noto Sans SC", "Source Han Sans SC", "WenQuanYi Zen Hei",
                "WenQuanYi Micro Hei", "Microsoft YaHei", "SimHei", "PingFang SC", "Heiti SC",
                "Arial Unicode MS", "Noto Sans CJK JP")
#: (package, file) of the CJK font shipped by the ``mplfonts`` dependency (SIL Open Font License).
BUNDLED_FONT = ("mplfonts", "fonts/NotoSansCJKsc-Regular.otf")
_MISSING_GLYPH = r"Glyph \d+ .* missing from (current )?font"


@functools.cache
def register_bundled_font() -> Path | None:
    """Add the bundled Noto Sans CJK SC file to matplotlib's font manager (once).

    Returns
    -------
    pathlib.Path or None
        The font file registered, or None when the ``mplfonts`` package is not installed.
    """
    package, name = BUNDLED_FONT
    try:
        path = Path(str(resources.files(package).joinpath(name)))
    except ModuleNotFoundError:
        return None
    if not path.is_file():
        return None
    font_manager.fontManager.addfont(str(path))
    return path


@functools.cache
def cjk_families() -> tuple:
    """Available font families with CJK glyphs (the bundled one included), in order of preference."""
    register_bundled_font()
    installed = {font.name for font in font_manager.fontManager.ttflist}
    return tuple(name for name in CJK_FAMILIES if name in installed)


def install_cjk_fallback() -> tuple:
    """Put the available CJK families after the configured font families (idempotent).

    Returns
    -------
    tuple of str
        The CJK families now used as fallback (empty when none is available; then matplotlib's
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


def setup_chart_fonts() -> tuple:
    """Set up chart fonts: register the bundled CJK font and use CJK families as fallback.

    Call it before creating a figure (a text object keeps the font families it was created
    with); :func:`opsanalysis.batch.prepare` does so for the report notebooks.

    Returns
    -------
    tuple of str
        The CJK families in use (see :func:`install_cjk_fallback`).
    """
    return install_cjk_fallback()


def chart_language(language: str) -> str:
    """Language a chart can be drawn in: ``"zh"`` only where a CJK font is available."""
    if language != "zh" or cjk_families():
        return language
    _warn_no_cjk_font()
    return "en"


@functools.cache
def _warn_no_cjk_font():
    warnings.warn("no font with Chinese glyphs is available (the mplfonts package provides one: "
                  "pip install mplfonts): charts are drawn in English", UserWarning, stacklevel=4)


def localised(function):
    """Decorator of chart functions: fonts set up, ``language`` through :func:`chart_language`."""
    signature = inspect.signature(function)

    @functools.wraps(function)
    def chart(*args, **kwargs):
        setup_chart_fonts()
        bound = signature.bind(*args, **kwargs)
        bound.apply_defaults()
        bound.arguments["language"] = chart_language(bound.arguments["language"])
        return function(*bound.args, **bound.kwargs)

    return chart
