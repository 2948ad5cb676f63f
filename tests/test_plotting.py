"""Every public chart of ``opsanalysis.plotting``: what it draws, in English, on small frames.

Each chart has a known-answer test on a frame built here (``test_<chart>...``); the notebook-only
charts are also drawn from the bundled sample through the analyses the report notebooks call.
``test_every_public_chart_has_a_test`` fails when a chart is added without a test. Chinese labels
are left to tests/test_plotting_fonts.py (they depend on the installed fonts).
"""

import importlib
import inspect
import pkgutil
import warnings

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from matplotlib.axes import Axes
from matplotlib.colors import to_hex

from opsanalysis import ads, io, kpi, launch, params, plotting, replenishment
from opsanalysis.plotting import kpi as kpi_charts

#: Submodules of opsanalysis.plotting that hold no chart.
NOT_CHARTS = {"fonts"}


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def texts(items):
    return [item.get_text() for item in items]


def legend_texts(ax):
    return texts(ax.get_legend().get_texts())


def bar_widths(ax):
    return [patch.get_width() for patch in ax.patches]


# ---- small inputs, one builder per chart: (args, kwargs) -----------------------------------

def acos_tacos_input():
    periods = pd.to_datetime(["2026-10-12", "2026-10-05", "2026-10-19"])  # unsorted on purpose
    acos = pd.DataFrame({"period": periods, "acos": [0.30, 0.20, 0.25]})
    tacos = pd.DataFrame({"period": periods, "tacos": [0.10, 0.08, 0.12]})
    return (acos, tacos), {}


def ngram_waste_input():
    ngrams = pd.DataFrame({"ngram": ["red cup", "mug", "blue", "tea set"],
                           "waste_spend": [4.0, 12.5, 0.5, 7.25]})
    return (ngrams,), {"top": 3}


def forecast_series_input():
    days = pd.date_range("2026-01-01", periods=10)
    units = np.array([3.0, 4, 0, 0, 5, 4, 1, 3, 4, 5])
    censored = np.array([0, 0, 1, 1, 0, 0, 1, 0, 0, 0], dtype=bool)
    history = pd.DataFrame({"unique_id": "US:A", "ds": days, "y": np.where(censored, np.nan, units),
                            "units": units, "censored": censored})
    other = history.assign(unique_id="US:B")
    future = pd.date_range("2026-01-11", periods=3)
    forecast = pd.DataFrame({"unique_id": "US:A", "ds": future, "forecast": [4.0, 4.0, 4.0],
                             "q10": [2.0, 2.0, 1.5], "q90": [6.0, 6.5, 7.0]})
    return (pd.concat([history, other]), forecast, "US:A"), {}


def backtest_input():
    summary = pd.DataFrame({"rmsse": [1.2, 0.8, 1.0], "coverage_q90": [0.9, np.nan, 0.85]},
                           index=pd.Index(["naive", "ses", "moving_average_7"], name="method"))
    return (summary,), {}


def kpi_trend_input():
    periods = pd.to_datetime(["2026-10-05", "2026-10-12", "2026-10-19"])
    table = pd.DataFrame({"period": list(periods) * 2, "sku": ["A"] * 3 + ["B"] * 3,
                          "acos": [0.2, 0.3, 0.25, 0.4, 0.35, 0.5]})
    return (table, "acos"), {"group": "sku"}


def return_reasons_input():
    reasons = pd.DataFrame({"reason": ["DEFECTIVE", "NOT_AS_DESCRIBED", "UNWANTED_ITEM"],
                            "quantity": [5.0, 2.0, 9.0]})
    return (reasons,), {"top": 2}


def scorecard_input():
    card = pd.DataFrame({
        "rule_id": ["order_defect_rate", "acos", "buy_box_share", "late_shipment_rate"],
        "status": ["good", "breach", "not_measured", "no_data"],
        "value": [0.004, 0.42, np.nan, np.nan],
        "target_min": [np.nan, np.nan, 0.9, np.nan],
        "target_max": [0.01, 0.3, np.nan, 0.04],
        "trend": ["", "worsening", "", ""],  # "" = no trend (kpi.scorecard)
        "unit": ["fraction", "fraction", "fraction", "fraction"],
    })
    return (card,), {}


def launch_band_input():
    weeks = np.arange(1, 7)
    observed = [2.0, 5.0, 9.0, np.nan, np.nan, np.nan]
    bands = pd.DataFrame({
        "asin": "B0NEW", "week": weeks, "observed_level": observed,
        "reference_q10": weeks * 1.0, "reference_q50": weeks * 2.0, "reference_q90": weeks * 3.0,
        "forecast_level": [np.nan, np.nan, np.nan, 11.0, 12.0, 12.5],
        "forecast_level_q10": [np.nan, np.nan, np.nan, 8.0, 8.5, 9.0],
        "forecast_level_q90": [np.nan, np.nan, np.nan, 14.0, 15.0, 16.0],
    })
    other = bands.assign(asin="B0OLD", observed_level=1.0)
    return (pd.concat([other, bands]), "B0NEW"), {"metric": "units_ordered"}


def reference_launches_input():
    curves = pd.DataFrame({"asin": ["B1"] * 3 + ["B2"] * 3 + ["B3"] * 3,
                           "week": [3, 1, 2] * 3,
                           "units_ordered": [10.0, 2.0, 6.0, 40.0, 20.0, 30.0, 1.0, 1.0, 1.0]})
    reference = pd.DataFrame({"asin": ["B1", "B2"], "sku": ["CUP-1", "MUG-2"],
                              "plateau_level": [10.0, 40.0], "shape_cluster": [0, 1]})
    return (curves, reference, "units_ordered"), {}


def opportunity_matrix_input():
    matrix = pd.DataFrame({"category": ["Kitchen", "Garden", "Toys"],
                           "growth": [0.30, -0.05, 0.10], "competition_index": [0.2, 0.8, 0.5],
                           "gmv": [1000.0, 4000.0, np.nan], "margin_rate": [0.25, 0.10, 0.18],
                           "rests_on_estimate": [False, True, False]})
    return (matrix,), {}


def rank_bands_input():
    matrix = pd.DataFrame({"category": ["Garden", "Kitchen", "Toys"], "rank": [2, 1, 3],
                           "rank_low": [1.0, 1.0, 2.0], "rank_median": [2.0, 1.0, 3.0],
                           "rank_high": [3.0, 2.0, 3.0], "p_top_n": [0.4, 0.9, 0.05]})
    return (matrix,), {}


def daily_sales_input():
    daily = pd.DataFrame({"date": pd.date_range("2026-10-01", periods=5),
                          "ordered_product_sales": [10.0, 20.0, 30.0, 0.0, 40.0]})
    return (daily,), {"currency": "USD", "rolling_days": 3}


def report_periods_input():
    found = pd.DataFrame({
        "kind": ["inventory_history", "all_orders", "product_master"],
        "period_start": pd.to_datetime(["2026-03-01", "2026-01-01", None]),
        "period_end": pd.to_datetime(["2026-03-31", "2026-02-01", None]),
        "files_with_problems": pd.array([1, 0, 0], dtype="Int64"),
    })
    return (found,), {}


def tradeoff_input():
    summary = pd.DataFrame({
        "policy": ["ours", "ours", "textbook", "textbook", "rule_of_thumb"],
        "service_target": [0.95, 0.9, 0.9, 0.95, np.nan],
        "fill_rate": [0.97, 0.93, 0.91, 0.95, 0.96],
        "avg_on_hand_days": [18.0, 12.0, 14.0, 20.0, 45.0]})
    return (summary,), {}


def status_counts_input():
    table = pd.DataFrame({"sku": list("ABCDE"),
                          "status": ["in_stock", "order_now", "in_stock", "aged", "in_stock"]})
    return (table,), {}


def fee_outlook_input():
    fees = pd.DataFrame({
        "month": pd.to_datetime(["2026-11-01", "2026-11-01", "2026-12-01", "2026-12-01"]),
        "storage_type": ["standard", "oversize"] * 2,
        "storage_fee": [10.0, 5.0, 30.0, 6.0], "aged_surcharge": [1.0, np.nan, 2.5, 0.5],
        "currency": "USD"})
    return (fees,), {}


def projected_stock_input():
    history = pd.DataFrame({"sku": ["A"] * 5 + ["B"] * 2,
                            "ds": [*pd.date_range("2026-10-27", periods=5),
                                   *pd.date_range("2026-10-30", periods=2)],
                            "units": [3, 4, 2, 5, 4, 9, 9]})
    forecast = pd.DataFrame({"sku": "A", "ds": pd.date_range("2026-11-01", periods=4),
                             "forecast": [4.0, 4.0, 4.0, 4.0]})
    row = pd.Series({"sku": "A", "on_hand": 6, "on_order": 4, "reorder_point": 5.0})
    return (history, forecast, row), {"history_days": 3}


#: Chart name -> builder of its small input.
INPUTS = {
    "plot_acos_tacos": acos_tacos_input, "plot_ngram_waste": ngram_waste_input,
    "plot_forecast_series": forecast_series_input, "plot_backtest": backtest_input,
    "plot_kpi_trend": kpi_trend_input, "plot_return_reasons": return_reasons_input,
    "plot_scorecard": scorecard_input, "plot_launch_band": launch_band_input,
    "plot_reference_launches": reference_launches_input,
    "plot_opportunity_matrix": opportunity_matrix_input, "plot_rank_bands": rank_bands_input,
    "plot_daily_sales": daily_sales_input, "plot_report_periods": report_periods_input,
    "plot_tradeoff": tradeoff_input, "plot_status_counts": status_counts_input,
    "plot_fee_outlook": fee_outlook_input, "plot_projected_stock": projected_stock_input,
}


def draw(name, **extra):
    args, kwargs = INPUTS[name]()
    return getattr(plotting, name)(*args, **{**kwargs, "language": "en", **extra})


# ---- the registry ----------------------------------------------------------------------------

def public_charts():
    """Public functions defined in the chart submodules of opsanalysis.plotting."""
    found = set()
    for info in pkgutil.iter_modules(plotting.__path__):
        if info.name.startswith("_") or info.name in NOT_CHARTS:
            continue
        module = importlib.import_module(f"{plotting.__name__}.{info.name}")
        found |= {name for name, value in vars(module).items() if not name.startswith("_")
                  and inspect.isfunction(value) and value.__module__ == module.__name__}
    return found


def test_every_public_chart_has_a_test():
    charts = public_charts()
    assert len(charts) >= 17, charts  # the discovery itself must find the charts
    assert not charts - set(dir(plotting)), "charts not re-exported by opsanalysis.plotting"
    reexported = {name for name in dir(plotting) if name.startswith("plot_")}
    assert not reexported - charts, "plot_ names that are no chart of a submodule"
    assert not charts - set(INPUTS), "charts without an input in INPUTS"
    tests = [name for name in globals() if name.startswith("test_")]
    untested = {chart for chart in charts if not any(t.startswith(f"test_{chart}") for t in tests)}
    assert not untested, f"charts without a test_<chart>... here: {sorted(untested)}"


@pytest.mark.parametrize("name", sorted(INPUTS))
def test_chart_draws_on_the_given_axes_or_a_new_one(name):
    _, given = plt.subplots()
    assert draw(name, ax=given) is given
    assert given.has_data() or given.texts
    created = draw(name)
    assert isinstance(created, Axes) and created is not given
    assert created.figure is not given.figure


# ---- one known-answer test per chart -------------------------------------------------------

def test_plot_acos_tacos_draws_both_ratios_in_period_order():
    ax = draw("plot_acos_tacos")
    acos, tacos = ax.get_lines()
    assert list(acos.get_ydata()) == [0.20, 0.30, 0.25]  # sorted by period
    assert list(tacos.get_ydata()) == [0.08, 0.10, 0.12]
    assert legend_texts(ax) == ["ACOS", "TACoS"]
    assert ax.get_title() == "ACOS and TACoS by week"
    assert ax.yaxis.get_major_formatter()(0.25, 0) == "25%"
    assert ax.get_ylabel() == "ACOS / TACoS (%)" and ax.get_xlabel() == "Week starting"
    # dates on concise ticks: a weekly year of data does not overlap its labels
    assert isinstance(ax.xaxis.get_major_formatter(), mdates.ConciseDateFormatter)


def test_plot_ngram_waste_draws_the_top_waste_largest_on_top():
    ax = draw("plot_ngram_waste")
    assert bar_widths(ax) == [4.0, 7.25, 12.5]  # barh: the last bar is the top one
    assert texts(ax.get_yticklabels()) == ["red cup", "tea set", "mug"]
    assert ax.get_xlabel() == "Spend without orders" and ax.get_title() == "Word n-gram waste"
    assert draw("plot_ngram_waste", currency="JPY").get_xlabel() == "Spend without orders (JPY)"


def test_plot_forecast_series_shades_censored_runs_and_draws_the_band():
    ax = draw("plot_forecast_series")
    assert len(ax.patches) == 2  # two runs of censored days: Jan 3-4 and Jan 7
    assert [patch.get_x() for patch in ax.patches] == list(
        mdates.date2num(pd.to_datetime(["2026-01-03", "2026-01-07"])))
    observed, sales, forecast = ax.get_lines()
    assert len(observed.get_xdata()) == 10  # US:B is not drawn
    assert np.isnan(sales.get_ydata()).sum() == 7  # sales shown on the 3 censored days only
    assert list(forecast.get_ydata()) == [4.0, 4.0, 4.0]
    (band,) = ax.collections
    assert band.get_paths()[0].get_extents().y1 == 7.0  # up to q90
    assert sorted(legend_texts(ax)) == sorted([
        "Out of stock / Buy Box lost", "Observed demand", "Sales on censored days",
        "Forecast band (q90)", "Forecast"])
    assert ax.get_title() == "US:A" and ax.get_ylabel() == "Units per period"
    assert ax.get_ylim()[0] == 0
    assert isinstance(ax.xaxis.get_major_formatter(), mdates.ConciseDateFormatter)
    assert ax.yaxis.get_major_formatter()(25000, 0) == "25,000"


def test_plot_forecast_series_keeps_the_last_history_periods():
    ax = draw("plot_forecast_series", history_periods=4, title="Cup")
    assert len(ax.get_lines()[0].get_xdata()) == 4
    assert ax.get_title() == "Cup"


def test_plot_backtest_orders_methods_worst_to_best_and_writes_coverage():
    ax = draw("plot_backtest")
    assert texts(ax.get_yticklabels()) == ["Naive (last value)", "Moving average 7",
                                           "Simple exponential smoothing"]
    assert bar_widths(ax) == [1.2, 1.0, 0.8]
    assert to_hex(ax.patches[-1].get_facecolor()) == "#d35400"  # the best method
    assert texts(ax.texts) == ["  q90 coverage 90%", "  q90 coverage 85%"]  # NaN not written
    assert ax.get_xlabel() == "RMSSE" and ax.get_title() == "Forecast backtest"


def test_plot_kpi_trend_draws_one_line_per_group():
    ax = draw("plot_kpi_trend")
    assert [list(line.get_ydata()) for line in ax.get_lines()] == [[0.2, 0.3, 0.25],
                                                                   [0.4, 0.35, 0.5]]
    assert legend_texts(ax) == ["A", "B"]
    assert ax.get_ylabel() == "ACOS (%)" and ax.get_xlabel() == "Week starting"
    assert ax.yaxis.get_major_formatter()(0.25, 0) == "25.0%"  # rates as percent
    assert isinstance(ax.xaxis.get_major_formatter(), mdates.ConciseDateFormatter)
    sales = plotting.plot_kpi_trend(pd.DataFrame({"period": pd.to_datetime(["2026-10-05"]),
                                                  "ordered_product_sales": [1.2e6]}),
                                    "ordered_product_sales", currency="JPY", language="en")
    assert sales.get_ylabel() == "Ordered product sales (JPY)"
    assert sales.yaxis.get_major_formatter()(1.2e6, 0) == "1,200,000"  # no 1e6 offset
    single = draw("plot_kpi_trend", group=None)
    assert len(single.get_lines()) == 1 and single.get_legend() is None


def test_plot_return_reasons_draws_the_top_reasons():
    ax = draw("plot_return_reasons")
    assert bar_widths(ax) == [5.0, 9.0]
    assert texts(ax.get_yticklabels()) == ["DEFECTIVE", "UNWANTED_ITEM"]
    assert ax.get_xlabel() == "Returned units" and ax.get_title() == "Returns by reason"
    coded = plotting.plot_return_reasons(pd.DataFrame({"reason": ["unwanted_item"],
                                                       "quantity": [3.0]}), language="zh")
    assert texts(coded.get_yticklabels()) == ["不想要了"]  # codes in words


def test_plot_scorecard_draws_one_light_per_measured_rule():
    ax = draw("plot_scorecard")
    (lights,) = ax.collections
    assert [to_hex(c) for c in lights.get_facecolors()] == [
        kpi_charts.STATUS_COLOURS[s] for s in ("good", "breach", "no_data")]
    assert texts(ax.texts) == [
        "Order defect rate (ODR): 0.4%  (Target 1.0%) Good ",
        "ACOS: 42.0%  (Target 30.0%) Breach worsening",
        "Late shipment rate: not estimated  (Target 4.0%) no data ",
    ]
    assert ax.get_title() == "KPI scorecard"


def test_plot_launch_band_draws_reference_forecast_and_observed():
    ax = draw("plot_launch_band", title="CUP-1")
    reference, forecast, observed = ax.get_lines()
    assert list(reference.get_ydata()) == [2.0, 4.0, 6.0, 8.0, 10.0, 12.0]
    assert list(forecast.get_xdata()) == [4.0, 5.0, 6.0]
    assert list(observed.get_ydata()[:3]) == [2.0, 5.0, 9.0]  # B0OLD is not drawn
    assert len(ax.collections) == 2  # reference band and forecast band
    assert legend_texts(ax) == ["Reference band (past launches, 10th-90th percentile)",
                                "Reference median", "Ramp forecast", "Observed"]
    assert ax.get_title() == "CUP-1" and ax.get_ylabel() == "Units ordered [per week]"
    assert ax.get_xlabel() == "Weeks since launch"


def test_plot_launch_band_without_a_forecast_draws_no_ramp():
    args, _ = launch_band_input()
    bands = args[0].assign(forecast_level=np.nan)
    ax = plotting.plot_launch_band(bands, "B0NEW", language="en")
    assert len(ax.get_lines()) == 2 and len(ax.collections) == 1
    assert ax.get_title() == "B0NEW" and ax.get_ylabel() == ""


def test_plot_reference_launches_draws_each_reference_as_share_of_plateau():
    ax = draw("plot_reference_launches")
    first, second, plateau = ax.get_lines()
    assert list(first.get_xdata()) == [1.0, 2.0, 3.0]
    assert list(first.get_ydata()) == [0.2, 0.6, 1.0]
    assert list(second.get_ydata()) == [0.5, 0.75, 1.0]
    assert list(plateau.get_ydata()) == [1.0, 1.0]
    assert legend_texts(ax) == ["CUP-1", "MUG-2"]  # B3 is no reference launch
    assert ax.get_ylabel() == "Share of plateau (%)"
    assert ax.yaxis.get_major_formatter()(0.5, 0) == "50%"  # shares read as percent
    assert ax.get_title() == "Past launches forming the reference"
    raw = draw("plot_reference_launches", normalise=False)
    assert len(raw.get_lines()) == 2 and raw.get_ylabel() == "Units ordered [per week]"
    assert list(raw.get_lines()[1].get_ydata()) == [20.0, 30.0, 40.0]


def test_plot_opportunity_matrix_places_categories_and_marks_estimates():
    ax = draw("plot_opportunity_matrix")
    points = ax.collections[0]
    assert points.get_offsets().tolist() == [[0.2, 0.30], [0.8, -0.05], [0.5, 0.10]]
    assert points.get_sizes().tolist() == [80 + 1500 / 4, 80 + 1500, 80]  # area ~ GMV
    assert texts(ax.texts) == ["Kitchen", "Garden *", "Toys"]
    assert ax.get_xlabel() == "Competition index" and ax.get_ylabel() == "Growth (%)"
    assert ax.yaxis.get_major_formatter()(0.3, 0) == "30%"
    assert ax.get_title() == "Category opportunity matrix (bubble size = GMV)"
    (colorbar,) = [axes for axes in ax.figure.axes if axes is not ax]
    # fractions drawn as percent, labelled so (never "Margin %" over 0.10 - 0.25)
    assert colorbar.get_ylabel() == "Landed margin (%)"
    assert colorbar.yaxis.get_major_formatter()(0.25, 0) == "25%"
    # labels stay inside the figure: the right-most bubble's label points left
    assert [t.get_horizontalalignment() for t in ax.texts] == ["left", "right", "left"]


def test_plot_rank_bands_puts_the_first_rank_on_top():
    ax = draw("plot_rank_bands")
    ticks = {label.get_text(): y for label, y in zip(ax.get_yticklabels(), ax.get_yticks(),
                                                     strict=True)}
    assert ticks == {"Kitchen": 2, "Garden": 1, "Toys": 0}
    ranks, medians = ax.collections[1:]
    assert ranks.get_offsets().tolist() == [[1, 2], [2, 1], [3, 0]]
    assert texts(ax.texts) == ["P(top N) 90%", "P(top N) 40%", "P(top N) 5%"]
    assert legend_texts(ax) == ["Rank", "Rank (median)"]
    assert ax.get_xlabel() == "Rank" and ax.get_title() == "Rank bands under weight draws"
    assert medians.get_offsets()[:, 0].tolist() == [1.0, 2.0, 3.0]


def test_plot_daily_sales_draws_sales_and_their_rolling_mean():
    ax = draw("plot_daily_sales")
    daily, rolling = ax.get_lines()
    assert list(daily.get_ydata()) == [10.0, 20.0, 30.0, 0.0, 40.0]
    assert list(rolling.get_ydata()) == [10.0, 15.0, 20.0, 50 / 3, 70 / 3]
    assert legend_texts(ax) == ["Ordered product sales", "Ordered product sales (3 days)"]
    assert ax.get_ylabel() == "Ordered product sales [USD]" and ax.get_xlabel() == "Date"
    # automatic date ticks with concise labels: no overlapping dates
    assert isinstance(ax.xaxis.get_major_locator(), mdates.AutoDateLocator)
    assert isinstance(ax.xaxis.get_major_formatter(), mdates.ConciseDateFormatter)
    assert ax.yaxis.get_major_formatter()(25000, 0) == "25,000"


def test_plot_report_periods_draws_dated_kinds_and_flags_problems():
    ax = draw("plot_report_periods")
    assert texts(ax.get_yticklabels()) == ["All Orders", "Inventory history"]  # earliest first
    assert bar_widths(ax) == [32.0, 31.0]  # [days], both ends included
    assert [to_hex(patch.get_facecolor()) for patch in ax.patches] == ["#1f4e79", "#c0392b"]
    assert ax.get_xlabel() == "Period" and ax.get_ylabel() == "Report type"


def test_plot_tradeoff_draws_a_curve_per_family_and_points_for_the_rest():
    ax = draw("plot_tradeoff")
    ours, textbook, rule = ax.get_lines()
    assert list(ours.get_xdata()) == [12.0, 18.0]  # along days of inventory
    assert list(ours.get_ydata()) == [0.93, 0.97]
    assert rule.get_linestyle() == "None" and rule.get_marker() == "s"
    assert texts(ax.texts) == ["90%", "95%", "90%", "95%"]  # service targets on the curves
    assert legend_texts(ax) == ["Ours (forecast distribution)", "Textbook order-up-to (normal)",
                                "Rule of thumb (LT+30 / LT+45)"]
    assert ax.get_xlabel() == "Average days of inventory (days)"
    assert ax.get_ylabel() == "Fill rate (%)"
    assert ax.yaxis.get_major_formatter()(0.955, 0) == "95.5%"  # rates read in percent
    args, _ = tradeoff_input()
    indexed = plotting.plot_tradeoff(args[0].set_index("policy"), language="en")
    assert [list(line.get_ydata()) for line in indexed.get_lines()] == [
        list(line.get_ydata()) for line in ax.get_lines()]
    # a target between whole percents keeps its decimal (the benchmark's 92.5 % and 99.5 %)
    finer = plotting.plot_tradeoff(args[0].assign(service_target=[0.995, 0.925, 0.965, 0.99,
                                                                  np.nan]), language="en")
    assert texts(finer.texts) == ["92.5%", "99.5%", "96.5%", "99%"]


def test_plot_status_counts_draws_every_status_in_plan_order():
    ax = draw("plot_status_counts")
    assert bar_widths(ax) == [0, 0, 1, 0, 1, 0, 3]
    assert texts(ax.get_yticklabels()) == ["Stockout risk", "Out of stock until the inbound lands",
                                           "Order now", "Reorder soon", "Aged", "Overstock",
                                           "In stock"]
    assert ax.yaxis_inverted() and ax.get_xlabel() == "SKUs (count)"
    ax.figure.canvas.draw()
    assert all(float(t).is_integer() for t in ax.get_xticks())  # whole SKUs on the axis


def test_plot_fee_outlook_stacks_the_surcharge_on_the_storage_fee():
    ax = draw("plot_fee_outlook")
    storage, surcharge = ax.patches[:2], ax.patches[2:]
    assert [bar.get_height() for bar in storage] == [15.0, 36.0]
    assert [bar.get_height() for bar in surcharge] == [1.0, 3.0]
    assert [bar.get_y() for bar in surcharge] == [15.0, 36.0]
    assert texts(ax.get_xticklabels()) == ["2026-11", "2026-12"]
    assert legend_texts(ax) == ["Storage fee", "Aged-inventory surcharge"]
    assert ax.get_ylabel() == "Fee (USD)"
    assert ax.yaxis.get_major_formatter()(12000, 0) == "12,000"
    args, _ = fee_outlook_input()
    unknown = plotting.plot_fee_outlook(args[0].assign(aged_surcharge=np.nan), language="en")
    assert legend_texts(unknown) == ["Storage fee", "Aged-inventory surcharge: not estimated"]


def test_plot_projected_stock_draws_sales_and_the_stock_path():
    ax = draw("plot_projected_stock")
    assert [bar.get_height() for bar in ax.patches] == [2.0, 5.0, 4.0]  # last 3 days of A
    (twin,) = [axes for axes in ax.figure.axes if axes is not ax]
    stock, reorder = twin.get_lines()
    assert list(stock.get_ydata()) == [6.0, 2.0, 0.0, 0.0]  # 6 + 4 - cumulative forecast
    assert list(reorder.get_ydata()) == [5.0, 5.0]
    assert legend_texts(ax) == ["Units per day", "Projected stock", "Reorder point"]
    assert ax.get_title() == "A" and twin.get_ylabel() == "Stock (units)"
    assert ax.get_ylabel() == "Units sold per day"
    assert isinstance(ax.xaxis.get_major_formatter(), mdates.ConciseDateFormatter)
    assert ax.yaxis.get_major_formatter()(25000, 0) == "25,000"


# ---- the notebook-only charts on the bundled sample ----------------------------------------

#: The sample's last order day (its All_Orders file ends on it); the reports' as-of date.
SAMPLE_AS_OF = pd.Timestamp("2026-10-31")


@pytest.fixture(scope="module")
def sample_us(sample_dir):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the sample's planted data problems warn
        data = io.load_marketplace(sample_dir, "US")
    return data, params.load("US")


@pytest.mark.slow
def test_plot_launch_band_and_reference_launches_on_the_sample(sample_us):
    # as notebooks/launch_tracker.ipynb calls them
    data, settings = sample_us[0], sample_us[1]["launch"]
    metric = settings["verdict_metric"]
    launches = launch.detect_launches(
        data.get("business_report_asin"), data.get("all_orders"), data.get("product_master"),
        as_of=SAMPLE_AS_OF, quiet_weeks=settings["launch_quiet_weeks"])
    curves = launch.weekly_launch_curves(
        launches, data.get("business_report_asin"), data.get("sp_advertised_product"),
        as_of=SAMPLE_AS_OF, max_weeks=settings["reference_weeks"])
    tracking = launch.track_launches(launches, curves, SAMPLE_AS_OF, settings)
    assert len(tracking.verdicts) and len(tracking.reference)
    for row in tracking.verdicts.itertuples():
        ax = plotting.plot_launch_band(tracking.bands, row.asin, language="en", metric=metric,
                                       title=row.sku)
        observed = ax.get_lines()[-1]
        assert len(observed.get_xdata()) == (tracking.bands["asin"] == row.asin).sum()
        assert ax.get_title() == row.sku and ax.get_ylabel() == "Units ordered [per week]"
    ax = plotting.plot_reference_launches(curves, tracking.reference, metric, language="en")
    assert len(ax.get_lines()) == len(tracking.reference) + 1  # + the plateau line


@pytest.mark.slow
def test_plot_ngram_waste_on_the_sample(sample_us):
    # as notebooks/opportunity_report.ipynb calls it
    data, parameters = sample_us
    lookback = kpi.trailing_period(SAMPLE_AS_OF, parameters["ads"]["lookback_days"])
    recent = kpi.in_period(data["sp_search_term"], lookback)
    ngrams = ads.analyse(recent, parameters, data.get("product_master"),
                         keywords=data.get("sp_targeting"))["ngrams"]
    ax = plotting.plot_ngram_waste(ngrams, language="en")
    expected = ngrams.nlargest(15, "waste_spend")["waste_spend"].iloc[::-1]
    assert bar_widths(ax) == pytest.approx(expected.tolist())


@pytest.mark.slow
def test_plot_status_counts_fee_outlook_and_projected_stock_on_the_sample(sample_us):
    # as notebooks/replenishment_report.ipynb calls them
    data, parameters = sample_us
    result = replenishment.plan(data, parameters, SAMPLE_AS_OF)
    ax = plotting.plot_status_counts(result.table, language="en")
    assert sum(bar_widths(ax)) == len(result.table)
    ax = plotting.plot_fee_outlook(result.fees, language="en")
    months = result.fees["month"].nunique()
    assert len(ax.patches) == 2 * months
    storage = sum(bar.get_height() for bar in ax.patches[:months])
    assert storage == pytest.approx(result.fees["storage_fee"].sum())
    row = result.table.iloc[0]
    ax = plotting.plot_projected_stock(result.history, result.forecast, row, language="en")
    assert ax.get_title() == str(row["sku"])
    assert len(ax.patches) == min(120, (result.history["sku"] == row["sku"]).sum())

