"""The morning dashboard: one row per marketplace at the top of a run's ``index.html``.

Each row reads the tables the report notebooks wrote into the run folder
(``<run>/<MP>/<notebook>_<table>.csv``) and scores them against the marketplace's rule pack
(:func:`opsanalysis.params.load`, :func:`opsanalysis.kpi.rule_status`):

================== ============================================= ===============================
column             figure (table read)                           green / amber / red
================== ============================================= ===============================
sales              ordered product sales of the overview window   rule ``gmv_growth_yoy`` on the
                   and its change (overview ``headline_figures``)  scorecard's YoY growth
acos / tacos       ACOS; TACoS = ad spend / sales, same window     rule ``acos``; TACoS: rule
                   (``headline_figures``)                         ``tacos_trend`` (scorecard)
account health     the account-health rules of the scorecard      worst of those rules
                   (opportunity ``scorecard``)
stockout risks     SKUs with status ``stockout_risk``              red when any
                   (replenishment ``replenishment_plan``)
orders due         SKUs whose order-by date falls within           amber when any, red when one
                   ``replenishment.review_period_days`` of as-of  is overdue (before as-of)
lagging launches   launches with verdict ``lagging`` or           amber for lagging, red for
                   ``stalled`` (launch ``launch_verdicts``)       stalled
================== ============================================= ===============================

Tables are read defensively: headers may be canonical names or their en/zh labels (the workbook
export translates them), a missing file or column gives "not estimated" (never 0), and a cell
whose notebook failed says so. Sales are summed across marketplaces in one currency
(params ``opportunity.summary_currency``, CNY by default) with each marketplace's dated rate from params
(``opportunity.fx_rates``: target currency per marketplace currency); the rates and their dates
are shown under the table. The page is English with the Chinese labels beside (one page for the
regional director and every marketplace team, whatever each report's language).
"""

from __future__ import annotations

import ast
import html
import json
import math
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from opsanalysis import params as params_module
from opsanalysis.formats import money_text, percent_text
from opsanalysis.kpi import ACCOUNT_HEALTH_METRICS, rule_status
from opsanalysis.labels import fill, label

__all__ = ["RAG_COLOURS", "TABLES", "Cell", "dashboard_html",
           "marketplace_cells", "read_run_table", "report_name", "summary_currency"]

#: Scorecard status -> traffic light.
RAG_COLOURS = {"good": "green", "watch": "amber", "breach": "red"}
#: Figure -> (notebook, table) whose CSV the dashboard reads.
TABLES = {
    "headline": ("marketplace_overview", "headline_figures"),
    "scorecard": ("opportunity_report", "scorecard"),
    "plan": ("replenishment_report", "replenishment_plan"),
    "launches": ("launch_tracker", "launch_verdicts"),
}
#: Notebook parameter holding the overview's headline window [days].
WINDOW_PARAMETER = "window_days"
_UNIT_SUFFIX = re.compile(r"\s*[(（][^()（）]*[)）]\s*$")


@dataclass
class Cell:
    """One dashboard cell: its lines of text and traffic light (None: no colour)."""

    lines: list
    status: str | None = None


# ---------------------------------------------------------------------------------------------
# Reading the run's tables


def read_run_table(run_dir, marketplace, notebook, table) -> pd.DataFrame | None:
    """A table a notebook wrote into the run folder, or None when it is missing or unreadable.

    Parameters
    ----------
    run_dir : Path
        The run folder.
    marketplace : str
        Marketplace code (sub-folder of the run).
    notebook, table : str
        The file is ``<run_dir>/<marketplace>/<notebook>_<table>.csv``.

    Returns
    -------
    DataFrame or None
        Cells as text (headers as written: canonical names or their labels).
    """
    path = Path(run_dir) / marketplace / f"{notebook}_{table}.csv"
    try:
        return pd.read_csv(path, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    except (OSError, ValueError, pd.errors.ParserError):
        return None


def _column(frame, name) -> pd.Series | None:
    """The column ``name`` under its canonical name or its en/zh label (units ignored)."""
    if frame is None:
        return None
    wanted = {name}
    try:
        wanted |= {label(name, "en"), label(name, "zh")}
    except KeyError:
        pass
    for header in frame.columns:
        if str(header) in wanted or _UNIT_SUFFIX.sub("", str(header)) in wanted:
            return frame[header]
    return None


def _numbers(values) -> pd.Series:
    """Text cells as floats: "1,234.5" and "12.3%" read, anything else (not estimated) NaN."""
    text = values.astype(str).str.strip().str.replace(",", "", regex=False)
    percent = text.str.endswith("%")
    numbers = pd.to_numeric(text.str.rstrip("%"), errors="coerce")
    return numbers.where(~percent, numbers / 100.0)


def _is_code(values, code) -> pd.Series:
    """Cells holding ``code`` or its en/zh words."""
    words = {code}
    try:
        words |= {label(code, "en"), label(code, "zh")}
    except KeyError:
        pass
    return values.astype(str).str.strip().isin(words)


def _row_value(frame, key_column, key, value_column="value") -> float:
    """The number in ``value_column`` of the row whose ``key_column`` is ``key`` (NaN if none)."""
    keys, values = _column(frame, key_column), _column(frame, value_column)
    if keys is None or values is None:
        return math.nan
    found = _numbers(values[_is_code(keys, key)])
    return float(found.iloc[0]) if len(found) else math.nan


def _notebook_parameter(run_dir, marketplace, notebook, name):
    """A literal parameter of an executed notebook: injected value, else the parameters cell's."""
    path = Path(run_dir) / marketplace / f"{notebook}.ipynb"
    try:
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    except (OSError, ValueError, KeyError):
        return None
    found = None
    for cell in cells:
        tags = cell.get("metadata", {}).get("tags", [])
        if "parameters" in tags or "injected-parameters" in tags:
            found = _assigned(_source(cell), name, found)
    return found


def _source(cell) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def _assigned(source, name, default):
    """The literal last assigned to ``name`` in ``source`` (``x = 1`` or ``x: int = 1``)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return default
    for node in tree.body:
        targets = node.targets if isinstance(node, ast.Assign) else \
            [node.target] if isinstance(node, ast.AnnAssign) and node.value is not None else []
        if any(isinstance(t, ast.Name) and t.id == name for t in targets):
            try:
                default = ast.literal_eval(node.value)
            except ValueError:
                pass
    return default


# ---------------------------------------------------------------------------------------------
# Figures of one marketplace


def _scored(scorecard, rule_id, params):
    """(value, status) of a scorecard rule, scored against this run's rule pack."""
    rule = params["rules"].get(rule_id)
    value = _row_value(scorecard, "rule_id", rule_id)
    if rule is None or math.isnan(value) or rule.get("direction") == "info":
        return value, None
    settings = params.get("ads", {})
    edges = (settings.get("scorecard_watch_edges") or {}).get(rule_id, "both")
    return value, rule_status(value, rule, settings.get("scorecard_watch_margin", 0.0), edges)


def _worst(statuses):
    present = [s for s in statuses if s in RAG_COLOURS]
    return max(present, key=list(RAG_COLOURS).index) if present else None


def _rule_text(rule_id, value, params):
    unit = params["rules"].get(rule_id, {}).get("unit")
    shown = "—" if math.isnan(value) else percent_text(value, 2) if unit == "fraction" \
        else f"{value:,.0f}"
    return f"{label(rule_id, 'en')}: {shown}"


_SIGNS = {"below": "<", "at_most": "≤", "above": ">", "at_least": "≥"}


def _target_text(rule) -> str:
    """A rule's target in words: "15.0%–25.0%", "≥ 30.0%", "< 1.0%"."""
    def shown(value):
        return percent_text(value) if rule.get("unit") == "fraction" else f"{value:,g}"

    if rule["direction"] == "within":
        return f"{shown(rule['min'])}–{shown(rule['max'])}"
    return f"{_SIGNS.get(rule['direction'], '')} {shown(rule['value'])}".strip()


def _not_estimated():
    return Cell([label("not_estimated", "en")])


def sales_cell(headline, scorecard, params, window_days) -> Cell:
    """Ordered product sales of the window, its change, coloured by YoY growth (rule)."""
    sales = _row_value(headline, "metric", "ordered_product_sales")
    if math.isnan(sales):
        return _not_estimated()
    lines = [money_text(sales, params["currency"])]
    change = _row_value(headline, "metric", "ordered_product_sales", "change")
    if not math.isnan(change):
        lines.append(fill("dashboard_change_vs_previous", "en",
            change=f"{change:+.1%}", days=window_days or "?"))
    growth, status = _scored(scorecard, "gmv_growth_yoy", params)
    if status is not None:
        lines.append(fill("dashboard_yoy_growth", "en",
            growth=f"{growth:+.1%}", target=_target_text(params["rules"]["gmv_growth_yoy"])))
    return Cell(lines, status)


def advertising_cell(headline, scorecard, params) -> Cell:
    """ACOS (rule ``acos``) and TACoS = spend / sales of the same window (rule ``tacos_trend``)."""
    acos = _row_value(headline, "metric", "acos")
    spend = _row_value(headline, "metric", "spend")
    sales = _row_value(headline, "metric", "ordered_product_sales")
    tacos = spend / sales if sales > 0 else math.nan
    if math.isnan(acos) and math.isnan(tacos):
        return _not_estimated()
    not_estimated = label("not_estimated", "en")
    acos_status = None
    if not math.isnan(acos) and "acos" in params["rules"]:
        settings = params.get("ads", {})
        acos_status = rule_status(acos, params["rules"]["acos"],
                                  settings.get("scorecard_watch_margin", 0.0),
                                  (settings.get("scorecard_watch_edges") or {}).get("acos", "both"))
    _, trend_status = _scored(scorecard, "tacos_trend", params)
    acos_text = not_estimated if math.isnan(acos) else percent_text(acos)
    if "acos" in params["rules"]:
        acos_text += f" ({_target_text(params['rules']['acos'])})"
    lines = [f"ACOS {acos_text}",
             f"TACoS {not_estimated if math.isnan(tacos) else percent_text(tacos)}"]
    if trend_status is not None:
        lines.append(fill("dashboard_tacos_trend", "en",
            status=label(trend_status, "en").lower()))
    return Cell(lines, _worst([acos_status, trend_status]))


def health_cell(scorecard, params) -> Cell:
    """The account-health rules: the ones off target, or ODR and the rating when all are good."""
    scored = {rule_id: _scored(scorecard, rule_id, params) for rule_id in ACCOUNT_HEALTH_METRICS
              if rule_id in params["rules"]}
    scored = {rule_id: pair for rule_id, pair in scored.items() if pair[1] is not None}
    if not scored:
        return _not_estimated()
    worst = _worst(status for _, status in scored.values())
    off = [rule_id for rule_id, (_, status) in scored.items() if status != "good"]
    shown = off or [r for r in ("order_defect_rate", "account_health_rating") if r in scored]
    lines = [_rule_text(rule_id, scored[rule_id][0], params)
             + (f" ({label(scored[rule_id][1], 'en').lower()})" if rule_id in off else "")
             for rule_id in shown]
    if not off:
        lines.append(fill("dashboard_rules_good", "en", count=len(scored)))
    return Cell(lines, worst)


def stockout_cell(plan) -> Cell:
    """SKUs whose order would land after the projected stockout (red when any)."""
    status = _column(plan, "status")
    if status is None:
        return _not_estimated()
    risky = _is_code(status, "stockout_risk")
    skus = _column(plan, "sku")
    lines = [fill("dashboard_skus", "en", count=int(risky.sum()))]
    if risky.any() and skus is not None:
        lines.append(", ".join(skus[risky].head(3)) + (" …" if risky.sum() > 3 else ""))
    return Cell(lines, "breach" if risky.any() else "good")


def orders_cell(plan, as_of, params) -> Cell:
    """SKUs to order within ``review_period_days`` of as-of (amber), overdue ones (red)."""
    order_by = _column(plan, "order_by")
    if order_by is None or as_of is None:
        return _not_estimated()
    dates = pd.to_datetime(order_by, errors="coerce", format="mixed")
    horizon = as_of + pd.Timedelta(days=params["replenishment"]["review_period_days"])
    overdue = dates < as_of
    due = dates.notna() & (dates <= horizon)
    lines = [fill("dashboard_skus", "en", count=int(due.sum()))]
    if overdue.any():
        lines.append(fill("dashboard_overdue", "en", count=int(overdue.sum())))
    elif due.any():
        lines.append(fill("dashboard_first_order_by", "en",
            date=f"{dates[due].min():%Y-%m-%d}"))
    return Cell(lines, "breach" if overdue.any() else "watch" if due.any() else "good")


def launches_cell(verdicts) -> Cell:
    """Launches below their reference band: lagging (amber), stalled (red)."""
    verdict = _column(verdicts, "verdict")
    if verdict is None:
        return _not_estimated()
    lagging, stalled = int(_is_code(verdict, "lagging").sum()), int(_is_code(verdict, "stalled").sum())
    lines = [fill("dashboard_launches", "en", count=lagging + stalled, total=len(verdict))]
    if stalled:
        lines.append(fill("dashboard_stalled", "en", count=stalled))
    return Cell(lines, "breach" if stalled else "watch" if lagging else "good")


def marketplace_cells(run_dir, marketplace, params, as_of=None, failed=()) -> dict:
    """The dashboard cells of one marketplace, from the tables in the run folder.

    Parameters
    ----------
    run_dir : Path
        The run folder.
    marketplace : str
        Marketplace code.
    params : dict
        :func:`opsanalysis.params.load` of the marketplace (the run's params folder).
    as_of : date-like, optional
        The marketplace's report date (orders due are counted from it).
    failed : collection of str
        Notebooks (stems) that failed: their cells say so instead of reading their tables.

    Returns
    -------
    dict
        Column -> :class:`Cell` ("sales", "advertising", "health", "stockouts", "orders",
        "launches"), plus "sales_value" [marketplace currency] (NaN when not estimated) and
        "window_days".
    """
    tables = {key: None if notebook in failed else read_run_table(run_dir, marketplace,
                                                                   notebook, table)
              for key, (notebook, table) in TABLES.items()}
    window = _notebook_parameter(run_dir, marketplace, TABLES["headline"][0], WINDOW_PARAMETER)
    as_of = pd.Timestamp(as_of).normalize() if as_of not in (None, "") else None
    cells = {
        "sales": sales_cell(tables["headline"], tables["scorecard"], params, window),
        "advertising": advertising_cell(tables["headline"], tables["scorecard"], params),
        "health": health_cell(tables["scorecard"], params),
        "stockouts": stockout_cell(tables["plan"]),
        "orders": orders_cell(tables["plan"], as_of, params),
        "launches": launches_cell(tables["launches"]),
    }
    for column, notebooks in _SOURCES.items():
        broken = [n for n in notebooks if n in failed]
        if broken:
            cells[column] = Cell([fill("dashboard_notebook_failed", "en",
                report=report_name(broken[0], "en"))], "failed")
    cells["sales_value"] = _row_value(tables["headline"], "metric", "ordered_product_sales")
    cells["window_days"] = window
    return cells


#: Column -> notebooks whose tables it reads (a failed one replaces the cell by its status).
_SOURCES = {
    "sales": ("marketplace_overview",), "advertising": ("marketplace_overview",),
    "health": ("opportunity_report",), "stockouts": ("replenishment_report",),
    "orders": ("replenishment_report",), "launches": ("launch_tracker",),
}


# ---------------------------------------------------------------------------------------------
# Currency conversion


def conversion_rate(params, currency) -> tuple[float, str | None]:
    """Rate from the marketplace currency to ``currency`` and its date, from params.

    Returns
    -------
    (rate, date)
        ``(1.0, None)`` when the currencies are the same; ``(nan, None)`` when params state no
        rate (``opportunity.fx_rates``: ``currency`` per marketplace currency).
    """
    if params["currency"] == currency:
        return 1.0, None
    entry = params.get("opportunity", {}).get("fx_rates", {}).get(currency)
    if not entry:
        return math.nan, None
    return float(entry["rate"]), str(entry["date"])


def _sales_total(rows, currency):
    """Total converted sales over the marketplaces that have one, and those that do not."""
    known = {code: row["converted"] for code, row in rows.items()
             if not math.isnan(row["converted"])}
    missing = [code for code in rows if code not in known]
    lines = [money_text(sum(known.values()), currency) if known else label("not_estimated", "en")]
    if known and missing:
        lines.append(fill("dashboard_partial_total", "en",
            included=", ".join(known), missing=", ".join(missing)))
    return Cell(lines)


# ---------------------------------------------------------------------------------------------
# The page fragment


_COLUMNS = (("sales", "dashboard_sales"), ("advertising", "dashboard_advertising"),
            ("health", "dashboard_account_health"), ("stockouts", "dashboard_stockout_risks"),
            ("orders", "dashboard_orders_due"), ("launches", "dashboard_lagging_launches"))


def _both(key, **values) -> str:
    """A header in English with the Chinese label beside (HTML)."""
    en, zh = (fill(key, language, **values) for language in ("en", "zh"))
    return f'{html.escape(en)}<br><span lang="zh" class="zh">{html.escape(zh)}</span>'


def _cell_html(cell) -> str:
    unknown = cell.lines == [label("not_estimated", "en")]
    colour = "failed" if cell.status == "failed" else RAG_COLOURS.get(
        cell.status, "none" if unknown else "plain")
    lines = [html.escape(str(line)) for line in cell.lines]
    body = lines[0] + "".join(f'<br><span class="detail">{line}</span>' for line in lines[1:])
    return f'<td class="rag-{colour}">{body}</td>'


def report_name(notebook, language) -> str:
    """A report's short name (labels ``dashboard_link_<notebook>``), else its file name in
    words."""
    try:
        return label(f"dashboard_link_{notebook}", language)
    except KeyError:
        return notebook.replace("_", " ")


def _links_html(results) -> str:
    order = [notebook for notebook, _ in TABLES.values()]
    items = []
    for result in sorted(results, key=lambda r: (order.index(r.notebook) if r.notebook in order
                                                 else len(order), r.notebook)):
        targets = [("dashboard_page", result.html_file)]
        targets += [("dashboard_workbook", t) for t in result.tables if t.endswith(".xlsx")]
        links = " · ".join(f'<a href="{html.escape(target, quote=True)}">'
                           f'{html.escape(label(key, "en"))}</a>'
                           for key, target in targets if target)
        name = html.escape(report_name(result.notebook, "en"))
        status = "" if result.status != "failed" else \
            f' <span class="rag-red">{html.escape(label("dashboard_failed", "en"))}</span>'
        items.append(f"<li>{name}{status}: {links or '—'}</li>")
    return f'<td class="links"><ul>{"".join(items)}</ul></td>'


def dashboard_html(run_dir, manifest, results, currency) -> str:
    """The dashboard: one row per marketplace of the run, a total row, rates and legend.

    Parameters
    ----------
    run_dir : Path
        The run folder (tables are read from ``<run_dir>/<MP>/``).
    manifest : dict
        The run's manifest: ``arguments.params_dir`` and ``marketplaces.<MP>.as_of`` are used.
    results : list of NotebookResult
    currency : str
        Currency of the cross-marketplace total (ISO 4217, params
        ``opportunity.summary_currency``); each marketplace needs a rate to it in params
        ``opportunity.fx_rates``.

    Returns
    -------
    str
        HTML fragment (a ``<section>``).
    """
    params_dir = (manifest.get("arguments") or {}).get("params_dir") or None
    outcomes = manifest.get("marketplaces") or {}
    codes = list(dict.fromkeys(result.marketplace for result in results))
    rows, body = {}, []
    for code in codes:
        own = [result for result in results if result.marketplace == code]
        as_of = (outcomes.get(code) or {}).get("as_of") or \
            next((r.parameters.get("as_of") for r in own if r.parameters.get("as_of")), None)
        row = _marketplace_row(run_dir, code, params_dir, as_of, own, currency)
        rows[code] = row
        body.append(row["html"])
    window = next((row["window_days"] for row in rows.values() if row["window_days"]), None)
    headers = [f"<th>{_both(key, days=window or '?')}</th>" for _, key in _COLUMNS]
    total = _cell_html(_sales_total(rows, currency))
    rates = _rates_html(rows, currency)
    return _TEMPLATE.format(
        title=_both("dashboard_title"), marketplace=_both("marketplace"),
        converted=_both("dashboard_sales_converted", currency=html.escape(currency)),
        headers_sales=headers[0], headers_rest="".join(headers[1:]), reports=_both("dashboard_reports"), rows="\n".join(body),
        total_label=_both("total"), total=total, blanks='<td></td>' * len(_COLUMNS),
        rates=rates, legend=_both("dashboard_legend"))


def _marketplace_row(run_dir, code, params_dir, as_of, results, currency):
    try:
        params = params_module.load(code, params_dir)
    except Exception as error:  # a broken params file: the row says why, the page still shows
        text = html.escape(f"{type(error).__name__}: {error}")
        return {"converted": math.nan, "rate": (math.nan, None), "currency": "",
                "window_days": None,
                "html": f'<tr><th scope="row">{html.escape(code)}</th>'
                        f'<td class="rag-failed" colspan="{len(_COLUMNS) + 2}">{text}</td></tr>'}
    failed = {result.notebook for result in results if result.status == "failed"}
    cells = marketplace_cells(run_dir, code, params, as_of, failed)
    rate = conversion_rate(params, currency)
    converted = cells["sales_value"] * rate[0]
    converted_cell = Cell([money_text(converted, currency)] if not math.isnan(converted)
                          else [label("not_estimated", "en")])
    as_of_text = f"{pd.Timestamp(as_of):%Y-%m-%d}" if as_of else label("not_estimated", "en")
    head = (f'<th scope="row">{html.escape(code)}<br><span class="detail">'
            f'{html.escape(label("as_of", "en"))} {html.escape(as_of_text)}</span></th>')
    row_html = ("<tr>" + head + _cell_html(cells["sales"]) + _cell_html(converted_cell)
                + "".join(_cell_html(cells[key]) for key, _ in _COLUMNS[1:])
                + _links_html(results) + "</tr>")
    return {"converted": converted, "rate": rate, "currency": params["currency"],
            "window_days": cells["window_days"], "html": row_html}


def _rates_html(rows, currency) -> str:
    parts, missing = [], []
    for code, row in rows.items():
        rate, date = row["rate"]
        if not row["currency"] or row["currency"] == currency:
            continue
        if math.isnan(rate):
            missing.append(f"{code} ({row['currency']})")
        else:
            parts.append(f"1 {row['currency']} = {rate:g} {currency} ({date}, {code})")
    text = fill("dashboard_rates", "en", currency=currency,
                rates="; ".join(parts) or "—")
    if missing:
        text += " " + fill("dashboard_no_rate", "en", currency=currency,
                           marketplaces=", ".join(missing))
    return f'<p class="detail">{html.escape(text)}</p>'


_TEMPLATE = """<section class="dashboard">
<h2>{title}</h2>
<table class="dashboard">
<thead><tr><th>{marketplace}</th>{headers_sales}<th>{converted}</th>{headers_rest}<th>{reports}</th></tr></thead>
<tbody>
{rows}
<tr class="total"><th scope="row">{total_label}</th><td></td>{total}{blanks}</tr>
</tbody></table>
{rates}
<p class="detail">{legend}</p>
</section>"""


def summary_currency(manifest, results) -> str:
    """The currency the dashboard sums marketplaces in: params ``opportunity.summary_currency``
    of the run's params folder (read for the run's first marketplace; the setting is one for all).

    Parameters
    ----------
    manifest : dict
        The run's manifest (``arguments.params_dir``).
    results : list of NotebookResult

    Returns
    -------
    str
        ISO 4217 code.
    """
    params_dir = (manifest.get("arguments") or {}).get("params_dir") or None
    code = results[0].marketplace if results else "US"
    return params_module.load(code, params_dir)["opportunity"]["summary_currency"]
