"""Chart fonts: CJK glyph fallback, and English charts where no CJK font is installed."""

import warnings

import matplotlib as mpl
import pytest

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
    with pytest.warns(UserWarning, match="fonts-noto-cjk"):
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
