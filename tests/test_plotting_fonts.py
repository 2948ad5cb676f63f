"""Chart fonts: CJK glyph fallback, and English charts where no CJK font is installed."""

import warnings

import matplotlib as mpl
import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from opsanalysis.plotting import fonts


@pytest.fixture
def no_cjk_font(monkeypatch):
    monkeypatch.setattr(fonts, "cjk_families", lambda: ())
    fonts._warn_no_cjk_font.cache_clear()
    yield
    fonts._warn_no_cjk_font.cache_clear()


@pytest.fixture
def one_cjk_font(monkeypatch):
    monkeypatch.setattr(fonts, "cjk_families", lambda: ("Noto Sans CJK SC",))


def test_chinese_chart_falls_back_to_english_with_one_warning(no_cjk_font):
    with pytest.warns(UserWarning, match="mplfonts"):
        assert fonts.chart_language("zh") == "en"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert fonts.chart_language("zh") == "en"  # warned once only
        assert fonts.chart_language("en") == "en"


def test_chinese_chart_stays_chinese_with_a_cjk_font(one_cjk_font):
    assert fonts.chart_language("zh") == "zh"


def test_localised_rewrites_positional_keyword_and_default_language(no_cjk_font):
    @fonts.localised
    def chart(data, ax=None, language="zh"):
        return language

    with pytest.warns(UserWarning):
        assert chart(1, None, "zh") == "en"
    assert chart(1, language="zh") == "en"
    assert chart(1) == "en"
    assert chart(1, language="en") == "en"


def test_fallback_families_follow_the_configured_fonts_once(one_cjk_font):
    with mpl.rc_context({"font.family": ["Noto Sans CJK SC", "sans-serif"]}):
        fonts.install_cjk_fallback()
        fonts.install_cjk_fallback()
        assert mpl.rcParams["font.family"] == ["sans-serif", "Noto Sans CJK SC"]


def test_every_public_chart_goes_through_the_language_check():
    from opsanalysis import plotting

    charts = [getattr(plotting, name) for name in dir(plotting) if name.startswith("plot_")]
    assert len(charts) >= 15
    assert all(getattr(chart, "__wrapped__", None) for chart in charts), \
        [chart.__name__ for chart in charts if not hasattr(chart, "__wrapped__")]


def test_bundled_font_is_registered_on_any_machine():
    # mplfonts is a dependency: a CJK family exists whatever fonts the machine has
    assert fonts.register_bundled_font() is not None
    assert "Noto Sans CJK SC" in fonts.cjk_families()


def _rendered(text, family):
    figure = Figure(figsize=(2, 0.6), dpi=80)
    FigureCanvasAgg(figure)
    figure.text(0.05, 0.3, text, family=family, fontsize=16)
    figure.canvas.draw()
    return np.asarray(figure.canvas.buffer_rgba())[..., 0].copy()


def test_chinese_glyphs_render_as_glyphs_not_boxes():
    # Missing glyphs are all drawn as the same box: two different strings of the same length
    # give the same picture. Real glyphs differ, and differ from the box.
    families = list(fonts.setup_chart_fonts()) or ["DejaVu Sans"]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a "Glyph ... missing from font" warning fails the test
        sales, forecast = _rendered("每期销量", families), _rendered("预测数值", families)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the boxes are the point here
        boxes = _rendered("\ue000\ue001\ue002\ue003", ["DejaVu Sans"])  # private use: no glyph
    assert (sales < 255).sum() > 50  # something was drawn
    assert not np.array_equal(sales, forecast)
    assert not np.array_equal(sales, boxes)


def test_importing_plotting_changes_no_matplotlib_setting():
    import subprocess
    import sys

    code = ("import matplotlib as mpl; before = dict(mpl.rcParams); "
            "import opsanalysis.plotting; "
            "print([k for k in before if mpl.rcParams[k] != before[k]])")
    changed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                             check=True).stdout.strip()
    assert changed == "[]"
