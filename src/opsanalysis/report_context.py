"""The report context a notebook starts from: its standard parameters resolved once.

Report notebooks share one parameters cell (papermill injects the values)::

    marketplace: str = "US"
    data_dir: str = ""      # "" = the bundled sample (resolve_data_dir)
    params_dir: str = ""    # "" = the params shipped with the package (opsanalysis.params)
    as_of: str = ""         # "" = last day covered by the sales data (last_data_date)
    language: str = "en"    # "en" | "zh"
    output_dir: str = ""    # "" = do not write tables

and call :func:`prepare` with them (``oa.batch.prepare``, re-exported), which keeps the
notebooks free of paths and defaults: it loads the params, reads the marketplace (or reuses the
data the batch already read, :data:`DATA_CACHE_NAME`), finds the report date and sets up the
chart fonts. A notebook that needs only some report kinds says so (``prepare(...,
kinds=oa.morning_check.KINDS)``, listed in :data:`NOTEBOOK_KINDS` for the batch): the other
files are not parsed (:func:`read_kinds`).

A cross-marketplace notebook (``notebooks/portfolio.ipynb``) takes ``marketplaces: str =
"US,UK,DE,JP"`` instead of ``marketplace`` and calls :func:`prepare_marketplaces`: every
marketplace is prepared as :func:`prepare` does (within ``opsanalysis run`` from the data the
batch already read for the marketplace's notebooks, :func:`run_data_cache`), one that fails to
load is recorded as failed (:class:`MarketplaceContexts`) and the others go on. :meth:`ReportContext.scorecard` and
:meth:`ReportContext.profit` give a marketplace's scorecard and profit figures exactly as the
opportunity and profit reports compute them (the scorecard's gross-margin stability rule reads
the profit report's monthly margins, :meth:`ReportContext.gross_margins`).

A notebook reports what makes its result incomplete (a partly covered window, a section that
lacks its report) with :meth:`ReportContext.warn`; the batch then marks it "ok with warnings"
(:data:`WARNINGS_FILE`, or the per-notebook name the batch gives the kernel in the environment
variable :data:`WARNINGS_FILE_ENV`, so notebooks of one marketplace can run side by side).

Heavy imports (pandas, the readers, matplotlib) happen inside the functions that need them, so
importing this module in a notebook kernel or a batch worker stays cheap.
"""

from __future__ import annotations

import json
import os
import pickle
from dataclasses import dataclass, field
from pathlib import Path

from opsanalysis import bundled

__all__ = [
    "DATA_CACHE_NAME",
    "PLAN_CACHE_NAME",
    "LANGUAGES",
    "NOTEBOOK_KINDS",
    "STANDARD_PARAMETERS",
    "MarketplaceContexts",
    "ReportContext",
    "SALES_KINDS",
    "UnreadableReportsError",
    "WARNINGS_FILE",
    "WARNINGS_FILE_ENV",
    "check_language",
    "last_data_date",
    "marketplace_codes",
    "notebook_kinds",
    "notebooks_dir",
    "prepare",
    "prepare_marketplaces",
    "read_kinds",
    "remove_data_cache",
    "resolve_data_dir",
    "resolve_params_dir",
    "run_data_cache",
    "unreadable_message",
    "write_data_cache",
]

STANDARD_PARAMETERS = ("marketplace", "data_dir", "params_dir", "as_of", "language", "output_dir")
#: Loaded marketplace data shared by the notebooks of one marketplace within a run (removed when
#: they are done): reading every report once instead of once per notebook. A folder with one
#: file per report kind (:func:`opsanalysis.io.marketplace_data.write_frame_cache`): a kernel
#: reads a kind's frame the first time it uses it, so it holds only the kinds it touches.
DATA_CACHE_NAME = ".marketplace-data"
#: The replenishment plan shared by the reports of one marketplace in a batch run.
PLAN_CACHE_NAME = ".replenishment-plan.pickle"
LANGUAGES = ("en", "zh")
#: Report kinds whose last covered day is the default report date (``as_of``).
SALES_KINDS = ("all_orders", "business_report_date", "business_report_asin")
#: Report notebooks that read only some report kinds: notebook name -> "module:attribute" of
#: the kinds (imported when asked, so importing this module stays cheap). The notebook passes
#: the same attribute to :func:`prepare` (``kinds=``); the batch reads only these kinds for a
#: marketplace when every notebook it runs is listed here (:func:`notebook_kinds`).
NOTEBOOK_KINDS = {"morning_check": "opsanalysis.morning_check:KINDS"}
#: Warnings a notebook recorded with :meth:`ReportContext.warn`, one per line, in the output
#: folder; the batch reads and removes the file after each notebook.
WARNINGS_FILE = ".notebook-warnings.txt"
#: Environment variable of a notebook's kernel naming its own warnings file in the output folder
#: (set by :func:`opsanalysis.execution.run_one_notebook`; :data:`WARNINGS_FILE` without it).
WARNINGS_FILE_ENV = "OPSANALYSIS_WARNINGS_FILE"


@dataclass
class ReportContext:
    """Everything a report notebook needs, resolved from its standard parameters.

    Attributes
    ----------
    marketplace : Marketplace
        Registry entry (``opsanalysis.marketplaces.get``).
    data : MarketplaceData
        ``opsanalysis.io.load_marketplace`` of the marketplace.
    params : dict
        Merged, validated params (``opsanalysis.params.load``).
    as_of : pandas.Timestamp or None
        Report date: the ``as_of`` parameter, else :func:`last_data_date`; None when no report
        carries a date (:attr:`as_of_text` says so).
    language : str
        "en" or "zh".
    output_dir : Path or None
        Where tables go; None when the notebook runs without an output folder.
    data_dir : Path or None
        The data folder the reports were read from (:func:`resolve_data_dir`), for files that
        are not Amazon reports (the user's IPI score file); None when not read from a folder.
    """

    marketplace: object
    data: object
    params: dict
    as_of: object
    language: str
    output_dir: Path | None
    data_dir: Path | None = None
    _profit: object = field(default=None, init=False, repr=False, compare=False)
    _market: object = field(default=None, init=False, repr=False, compare=False)

    def profit(self):
        """The profit report's figures (:func:`opsanalysis.profit_sections.prepare_profit`),
        computed once per context: the scorecard's gross-margin rule and the portfolio read the
        same figures as the profit report.

        Returns
        -------
        opsanalysis.profit_sections.Profit
        """
        if self._profit is None:
            from opsanalysis import profit_sections

            self._profit = profit_sections.prepare_profit(self)
        return self._profit

    def market(self):
        """The market report's figures (:func:`opsanalysis.competitor_sections.prepare`),
        computed once per context: the scorecard's sales-rank rule and the market report read
        the same Keepa history.

        Returns
        -------
        opsanalysis.competitor_sections.MarketInputs
        """
        if self._market is None:
            from opsanalysis import competitor_sections

            self._market = competitor_sections.prepare(self)
        return self._market

    def budget_campaign_days(self):
        """Daily spend against daily budget of every campaign of the three ad types
        (:func:`opsanalysis.ads.campaign_days`), for the scorecard's ``budget_capped_days``
        rule; None without a campaign report.

        Returns
        -------
        DataFrame or None
        """
        from opsanalysis import ads

        frames = [self.data.get(kind) for kind in ads.CAMPAIGN_KINDS.values()]
        if all(frame is None for frame in frames):
            return None
        return ads.campaign_days(frames)

    def gross_margins(self):
        """The settlement gross margin per month and its change from the month before.

        Returns
        -------
        DataFrame or None
            :func:`opsanalysis.settlements.margin_stability` as the profit report shows it
            (month, gross_margin, margin_change [fraction], status); None without a settlement
            or transaction report. The scorecard's ``gross_margin_stability`` rule reads it
            (settings ``gross_margins`` of :func:`opsanalysis.kpi.scorecard`).
        """
        return self.profit().stability

    def scorecard_settings(self) -> dict:
        """The settings of :func:`opsanalysis.kpi.scorecard` for this marketplace, the same for
        every report that scores it (opportunity report, portfolio): params ``ads``, the user's
        IPI scores, the settlement gross margins, the Keepa sales ranks of our ASINs, params
        ``feedback``, the campaigns' daily spend against budget and the listings' go-live times.

        Returns
        -------
        dict
        """
        from opsanalysis import ipi, listing_health

        params = self.params
        folder = (ipi.score_folder(self.data_dir, self.marketplace.code)
                  if self.data_dir is not None else None)
        return {**params["ads"], "ipi_scores": ipi.user_scores(params["ipi"], folder),
                "gross_margins": self.gross_margins(),
                "keepa_daily": self.market().daily, "our_asins": self.market().our_asins,
                "feedback": params["feedback"],
                "budget_campaign_days": self.budget_campaign_days(),
                "listing_go_live": listing_health.go_live(
                    self.data.get("all_listings"), self.data.get("all_orders"), self.as_of)}

    def scorecard(self, period):
        """The KPI scorecard of the marketplace over ``period``, with
        :meth:`scorecard_settings`, the landed-cost exchange rates and the replenishment
        velocity window.

        Parameters
        ----------
        period : (Timestamp, Timestamp)
            First and last day scored.

        Returns
        -------
        DataFrame
            :func:`opsanalysis.kpi.scorecard`.
        """
        from opsanalysis import kpi

        params = self.params
        return kpi.scorecard(self.data, params["rules"], period, self.scorecard_settings(),
                             kpi.cost_exchange_rates(params["opportunity"]["fx_rates"]),
                             velocity_window_days=params["replenishment"]["velocity_window_days"])

    def write_tables(self, tables, stem) -> list[Path]:
        """Write tables with :func:`opsanalysis.export.write_tables` when there is an output folder.

        Parameters
        ----------
        tables : dict of str to DataFrame
        stem : str
            The notebook's name, prefix of every file ("marketplace_overview").

        Returns
        -------
        list of Path
            Files written; empty when ``output_dir`` is None.

        Notes
        -----
        The workbook's first sheet names the report date, the marketplace (its currency formats
        the money columns), the files read (``data.summary``) and the run id: within
        ``opsanalysis run`` the output folder is ``<run folder>/<marketplace>`` and the run
        folder's name is the run id (``publishing.new_run_dir``:
        ``20261202T034058.848582Z-40fdcf``); any other folder gives no run id.
        """
        if self.output_dir is None or not tables:  # no folder, or no section has a table
            return []
        import re

        from opsanalysis.export import write_tables

        parent = Path(self.output_dir).resolve().parent.name
        run_id = parent if re.fullmatch(r"\d{8}T\d{6}\.\d{6}Z-[0-9a-f]{6}", parent) else None
        return write_tables(tables, self.output_dir, language=self.language, stem=stem,
                            as_of=self.as_of, marketplace=getattr(self.marketplace, "code", None),
                            currency=getattr(self.marketplace, "currency", None),
                            inputs=getattr(self.data, "summary", None), run_id=run_id)

    @property
    def as_of_text(self) -> str:
        """The report date as ``YYYY-MM-DD``, or the sentence saying why there is none."""
        if self.as_of is None:
            from opsanalysis.labels import label

            return label("as_of_not_determined", self.language)
        return f"{self.as_of:%Y-%m-%d}"

    def warn(self, message):
        """Record what makes this notebook's result incomplete ("ok with warnings" in the batch).

        Parameters
        ----------
        message : str
            One sentence, e.g. "ACOS over 13 of 30 days: the campaign report ends 2026-10-18".
        """
        if self.output_dir is None:
            return
        name = os.environ.get(WARNINGS_FILE_ENV) or WARNINGS_FILE
        with open(self.output_dir / Path(name).name, "a", encoding="utf-8") as handle:
            handle.write(" ".join(str(message).split()) + "\n")

    def replenishment_plan(self):
        """The marketplace's replenishment plan, computed once per marketplace of a batch run.

        The opportunity report (cover drivers) and the replenishment report need the same plan;
        within ``opsanalysis run`` both run in the same marketplace folder with the same data,
        params and report date, so the first computes it and leaves it beside the data cache
        (:data:`PLAN_CACHE_NAME`, removed when the marketplace is done); in local processes
        (``--jobs`` > 1) the batch computes it before either starts
        (:func:`opsanalysis.scheduling.compute_plan`). The key (report date and params) is
        checked on reading. Without an output folder it is computed each time.

        Returns
        -------
        opsanalysis.replenishment.ReplenishmentPlan
        """
        from opsanalysis import replenishment

        def compute():
            return replenishment.plan(self.data, self.params, self.as_of)

        if self.output_dir is None:
            return compute()
        key = json.dumps({"as_of": str(self.as_of), "params": self.params}, sort_keys=True,
                         default=str)
        path = Path(self.output_dir) / PLAN_CACHE_NAME
        if path.is_file():
            with open(path, "rb") as handle:
                cached = pickle.load(handle)
            if cached.get("key") == key:
                return cached["plan"]
        result = compute()
        partial = path.with_suffix(".partial")
        with open(partial, "wb") as handle:
            pickle.dump({"key": key, "plan": result}, handle, protocol=pickle.HIGHEST_PROTOCOL)
        partial.replace(path)
        return result

    def raise_for_unreadable_files(self):
        """Fail the notebook when none of the marketplace's files could be read.

        Files that could not be read while others were (an unreadable download, a kind no
        reader knows) do not fail a report: they are listed in the overview and the batch
        marks the notebook "ok with warnings".

        Raises
        ------
        UnreadableReportsError
            With one message naming every file and why (:func:`unreadable_message`).
        """
        message = unreadable_message(self.data)
        if message:
            raise UnreadableReportsError(message)


class UnreadableReportsError(RuntimeError):
    """None of a marketplace's report files could be read (see :func:`unreadable_message`)."""


def unreadable_message(data):
    """The one message of a marketplace none of whose files could be read, else None.

    Parameters
    ----------
    data : MarketplaceData

    Returns
    -------
    str or None
        Names every file and why it was not read; None when some report was read, or when
        reports of kinds the notebook did not ask for are there (status ``not_needed``: the
        folder is readable, its sections say what they lack).
    """
    from opsanalysis.io.marketplace_data import NOT_NEEDED

    if data.frames:
        return None
    summary = getattr(data, "summary", None)
    if summary is not None and "status" in summary and (summary["status"] == NOT_NEEDED).any():
        return None
    unread = data.unreadable_files()
    if unread.empty:
        return f"no report files in the {data.marketplace} folder"
    details = "; ".join(f"{row.file}: {row.reason}" for row in unread.itertuples())
    return f"none of the {len(unread)} file(s) of {data.marketplace} could be read: {details}"


def notebooks_dir() -> Path:
    """The folder of the report notebooks shipped with the package.

    In an editable install it is the checkout's ``notebooks/`` (see :mod:`opsanalysis.bundled`).
    """
    return bundled.notebooks_dir()


def resolve_data_dir(data_dir="") -> Path:
    """Absolute data folder: ``data_dir``, or the sample shipped with the package when empty.

    The sample is the checkout's ``data/sample`` in an editable install and a copy inside the
    package when installed from a wheel (:func:`opsanalysis.bundled.sample_dir`).

    Parameters
    ----------
    data_dir : str or Path
        Folder holding one sub-folder per marketplace; "" or None means the bundled sample.

    Returns
    -------
    Path
    """
    if data_dir in ("", None):
        return bundled.sample_dir()
    return Path(data_dir).expanduser().resolve()


def resolve_params_dir(params_dir=""):
    """Absolute params folder, or None (``opsanalysis.params`` then uses its default)."""
    if params_dir in ("", None):
        return None
    return Path(params_dir).expanduser().resolve()


def _source_checkout() -> Path | None:
    """The source checkout of an editable install (its PEP 610 ``direct_url.json``), else None.

    The run manifest records the checkout's git commit; a package installed from a wheel has none.
    """
    from importlib import metadata
    from urllib.parse import urlparse
    from urllib.request import url2pathname

    try:
        origin = metadata.distribution("opsanalysis").read_text("direct_url.json")
    except metadata.PackageNotFoundError:  # imported from a source tree that is not installed
        return None
    origin = json.loads(origin) if origin else {}
    if not origin.get("dir_info", {}).get("editable"):
        return None
    return Path(url2pathname(urlparse(origin["url"]).path))


def last_data_date(data):
    """Last calendar date covered by a marketplace's sales data (the default report date).

    Parameters
    ----------
    data : MarketplaceData
        From ``opsanalysis.io.load_marketplace``.

    Returns
    -------
    pandas.Timestamp or None
        The latest ``period_end`` of the files of a :data:`SALES_KINDS` kind (midnight, naive);
        without dated sales data, the latest ``period_end`` of any file (ads, inventory); None
        when no file has a known period.
    """
    import pandas as pd

    summary = data.summary
    if "period_end" not in summary:
        return None
    ends = summary["period_end"]
    if "kind" in summary:
        sales = ends[summary["kind"].isin(SALES_KINDS)].dropna()
        ends = sales if len(sales) else ends
    ends = ends.dropna()
    if ends.empty:
        return None
    # timestamps of different offsets (a tz-aware and a naive file) compare as local dates
    days = [pd.Timestamp(value) for value in ends]
    return max(day.tz_localize(None) if day.tzinfo is not None else day for day in days).normalize()


def prepare(marketplace, data_dir="", params_dir="", as_of="", language=None, output_dir="",
            kinds=None):
    """Resolve a report notebook's standard parameters into a :class:`ReportContext`.

    Parameters
    ----------
    marketplace : str
        Marketplace code.
    data_dir : str
        Data folder ("" = bundled sample).
    params_dir : str
        Params folder ("" = project default).
    as_of : str
        ISO date of the report ("" = last date in the data).
    language : str, optional
        "en" or "zh"; None or "" = the marketplace params' language.
    output_dir : str
        Folder for tables ("" = write nothing).
    kinds : iterable of str, optional
        The report kinds the notebook uses (``opsanalysis.morning_check.KINDS``); None: every
        kind. Files of other kinds are not parsed (:func:`read_kinds`).

    Returns
    -------
    ReportContext

    Notes
    -----
    Within ``opsanalysis run`` the batch has already read the marketplace once (to find
    ``as_of``) and left the result in ``output_dir``; it is reused when it holds every kind
    asked for, so the reports are read once per marketplace, not once per notebook. The chart
    fonts are set up here, before the notebook draws anything.
    """
    return _prepare(marketplace, data_dir, params_dir, as_of, language, output_dir, kinds,
                    Path(output_dir) / DATA_CACHE_NAME if output_dir else None)


def _prepare(marketplace, data_dir, params_dir, as_of, language, output_dir, kinds, cache):
    """:func:`prepare`, with the data cache file to try first (``cache``, None: none)."""
    import pandas as pd

    from opsanalysis import io, marketplaces
    from opsanalysis import params as params_module
    from opsanalysis.plotting import fonts

    # Chart fonts (CJK glyph fallback) must be in place before the notebook creates a figure,
    # as a text object keeps the font families it was created with.
    fonts.setup_chart_fonts()

    registry_entry = marketplaces.get(marketplace)
    merged = params_module.load(registry_entry.code, resolve_params_dir(params_dir))
    data_root = resolve_data_dir(data_dir)
    wanted = read_kinds(kinds, as_of)
    data = _cached_data(cache, data_root, registry_entry.code, wanted)
    if data is None:
        data = io.load_marketplace(data_root, registry_entry.code, kinds=wanted)
    report_date = pd.Timestamp(as_of).normalize() if as_of else last_data_date(data)
    return ReportContext(
        marketplace=registry_entry,
        data=data,
        params=merged,
        as_of=report_date,
        language=check_language(language or merged["language"]),
        output_dir=Path(output_dir) if output_dir else None,
        data_dir=data_root,
    )


def check_language(language):
    """``language`` when it is one of :data:`LANGUAGES`; ``ValueError`` otherwise."""
    if language not in LANGUAGES:
        raise ValueError(f"language must be one of {LANGUAGES}, got {language!r}")
    return language


def read_kinds(kinds, as_of=""):
    """The report kinds to read for a notebook that uses ``kinds``.

    Parameters
    ----------
    kinds : iterable of str or None
        The kinds the notebook's sections use; None: every kind.
    as_of : str
        The report date asked for; "" (or None): it is the last day of the sales reports
        (:func:`last_data_date`), so their kinds (:data:`SALES_KINDS`) are read too and the
        report date is the one a full read gives.

    Returns
    -------
    frozenset of str or None
        None: every kind.
    """
    if kinds is None:
        return None
    if isinstance(kinds, str):
        kinds = [kinds]
    return frozenset(kinds) | (frozenset() if as_of else frozenset(SALES_KINDS))


def notebook_kinds(notebooks):
    """The report kinds a set of notebooks reads (:data:`NOTEBOOK_KINDS`).

    Parameters
    ----------
    notebooks : iterable of str or Path
        Notebook paths or names (the name without ``.ipynb`` is looked up).

    Returns
    -------
    frozenset of str or None
        The union of their kinds; None (every kind) when one of them is not listed in
        :data:`NOTEBOOK_KINDS`, or when there is none.
    """
    import importlib

    found = set()
    names = [Path(str(notebook)).stem for notebook in notebooks]
    if not names:
        return None
    for name in names:
        target = NOTEBOOK_KINDS.get(name)
        if target is None:
            return None
        module, attribute = target.split(":")
        found.update(getattr(importlib.import_module(module), attribute))
    return frozenset(found)


def run_data_cache(output_dir, code) -> Path | None:
    """The data cache a batch run left for marketplace ``code``, seen from a run-level notebook.

    Within ``opsanalysis run`` a run-level notebook (the portfolio) writes into a folder of the
    run folder, beside the marketplaces' folders, where the batch keeps each marketplace's data
    (:data:`DATA_CACHE_NAME`) until the run-level notebooks are done
    (:func:`opsanalysis.scheduling.run_level_notebooks`).

    Parameters
    ----------
    output_dir : str or Path
        The run-level notebook's output folder ("" = none).
    code : str
        Marketplace code.

    Returns
    -------
    Path or None
        ``<output_dir>/../<code>/`` :data:`DATA_CACHE_NAME`; None without an output folder.
    """
    if not output_dir:
        return None
    return Path(output_dir).parent / code / DATA_CACHE_NAME


def write_data_cache(output_dir, data_dir, code, data):
    """Leave a marketplace's loaded data in its (fresh) output folder for :func:`prepare`.

    Parameters
    ----------
    output_dir : Path
        The marketplace's folder of this run; the cache folder (:data:`DATA_CACHE_NAME`) must
        not exist yet.
    data_dir : str or Path
        Data folder the data was read from (checked again on reading).
    code : str
        Marketplace code.
    data : MarketplaceData

    Notes
    -----
    One file per report kind (:func:`opsanalysis.io.marketplace_data.write_frame_cache`), each
    created exclusively: nothing of an earlier run is overwritten.
    """
    from opsanalysis.io.marketplace_data import write_frame_cache

    write_frame_cache(Path(output_dir) / DATA_CACHE_NAME, data,
                      {"data_dir": str(data_dir), "marketplace": code})


def remove_data_cache(output_dir) -> None:
    """Remove the data cache of a marketplace's folder of a run (:data:`DATA_CACHE_NAME`), if any.

    Parameters
    ----------
    output_dir : str or Path
        The marketplace's folder of the run.
    """
    import shutil

    cache = Path(output_dir) / DATA_CACHE_NAME
    if cache.is_dir():
        shutil.rmtree(cache)


def _cached_data(path, data_root, code, kinds=None):
    """The batch's already-loaded data for this marketplace, or None.

    Only a cache written by this run into its own (fresh) output folder is trusted, only for
    the same data folder and marketplace, and only when it holds every kind asked for
    (``kinds``, None: every kind): the batch reads only the kinds its notebooks need
    (:func:`notebook_kinds`), which may be fewer. The frames are read from the cache on first
    use (:class:`opsanalysis.io.marketplace_data.FrameStore`).
    """
    if path is None:
        return None
    from opsanalysis.io.marketplace_data import read_frame_cache

    opened = read_frame_cache(path)
    if opened is None:
        return None
    identity, data = opened
    if identity.get("data_dir") != str(data_root) or identity.get("marketplace") != code:
        return None
    return data if data.covers(kinds) else None


@dataclass
class MarketplaceContexts:
    """Every marketplace of a cross-marketplace notebook (the portfolio), prepared one by one.

    Attributes
    ----------
    contexts : dict of str to ReportContext
        The marketplaces that loaded, in the order asked for.
    failed : dict of str to str
        The marketplaces that did not, with the message why (an unreadable folder, a params
        error): shown as failed, the others go on.
    language : str
        "en" or "zh".
    output_dir : Path or None
        Where the notebook's tables go; None writes nothing.
    as_of : pandas.Timestamp or None
        The report date asked for (None: each marketplace's last covered sales day).
    """

    contexts: dict
    failed: dict
    language: str
    output_dir: Path | None
    as_of: object = None

    @property
    def codes(self) -> list:
        """Every marketplace asked for, loaded or failed, in the order asked for."""
        return [*self.contexts, *[code for code in self.failed if code not in self.contexts]]

    def warn(self, message):
        """Record what makes the notebook's result incomplete (see :meth:`ReportContext.warn`)."""
        ReportContext.warn(self, message)

    def write_tables(self, tables, stem, currency=None) -> list[Path]:
        """Write tables with :func:`opsanalysis.export.write_tables` when there is an output folder.

        Parameters
        ----------
        tables : dict of str to DataFrame
        stem : str
            The notebook's name ("portfolio").
        currency : str, optional
            Currency of the money columns (the portfolio's summary currency).

        Returns
        -------
        list of Path
            Files written; empty when ``output_dir`` is None.
        """
        if self.output_dir is None or not tables:  # no folder, or no section has a table
            return []
        import re

        from opsanalysis.export import write_tables

        parent = Path(self.output_dir).resolve().parent.name
        run_id = parent if re.fullmatch(r"\d{8}T\d{6}\.\d{6}Z-[0-9a-f]{6}", parent) else None
        files = [f"{code}: {len(_read_files(report.data)):,} files"
                 for code, report in self.contexts.items()]
        return write_tables(tables, self.output_dir, language=self.language, stem=stem,
                            as_of=self.as_of, marketplace=", ".join(self.codes),
                            currency=currency, inputs=files or None, run_id=run_id)


def _read_files(data) -> list:
    summary = getattr(data, "summary", None)
    if summary is None or "file" not in summary:
        return []
    rows = summary[summary["status"] == "ok"] if "status" in summary else summary
    return list(rows["file"])


def marketplace_codes(marketplaces, data_dir="") -> list:
    """Marketplace codes from a notebook parameter: "US,UK,DE,JP", a list, or "" for every
    marketplace folder of the data folder (in registry order).

    Parameters
    ----------
    marketplaces : str or sequence of str
        Codes separated by commas (spaces ignored; lower case accepted), or "".
    data_dir : str or Path
        Data folder ("" = bundled sample), read only for "".

    Returns
    -------
    list of str
        Upper-case codes, each once, in the order given. A code the registry does not know is
        kept (its marketplace then fails with the registry's message).
    """
    from opsanalysis import marketplaces as registry

    if isinstance(marketplaces, str):
        marketplaces = [part.strip() for part in marketplaces.split(",")]
    codes = [str(code).strip().upper() for code in marketplaces if str(code).strip()]
    if codes:
        return list(dict.fromkeys(codes))
    root = resolve_data_dir(data_dir)
    present = {child.name for child in root.iterdir() if child.is_dir()} if root.is_dir() else set()
    return [code for code in registry.codes() if code in present]


def prepare_marketplaces(marketplaces, data_dir="", params_dir="", as_of="", language="en",
                         output_dir="") -> MarketplaceContexts:
    """Prepare every marketplace of a cross-marketplace notebook, each as :func:`prepare` does.

    A marketplace that fails to load (no folder, none of its files readable, a params error)
    is recorded as failed with its message and does not stop the others.

    Parameters
    ----------
    marketplaces : str or sequence of str
        "US,UK,DE,JP" (see :func:`marketplace_codes`; "" = every marketplace folder).
    data_dir, params_dir, as_of : str
        As for :func:`prepare`; ``as_of`` "" gives each marketplace its own last sales day.
    language : str
        "en" or "zh" ("" or None: the first marketplace's params language).
    output_dir : str
        Folder for the notebook's tables ("" = write nothing). The marketplaces' own contexts
        write nothing. Within ``opsanalysis run`` each marketplace's data is the batch's, not
        read again (:func:`run_data_cache`); a cache without every kind is not used.

    Returns
    -------
    MarketplaceContexts
        Each failed marketplace is also recorded with :meth:`MarketplaceContexts.warn` (the
        batch then marks the notebook "ok with warnings").
    """
    import pandas as pd

    contexts, failed = {}, {}
    for code in marketplace_codes(marketplaces, data_dir):
        try:
            if not resolve_data_dir(data_dir).joinpath(code).is_dir():
                raise FileNotFoundError(
                    f"no {code} folder in {resolve_data_dir(data_dir)}")
            report = _prepare(code, data_dir, params_dir, as_of, language or None, "", None,
                              run_data_cache(output_dir, code))
            message = unreadable_message(report.data)
            if message:
                raise UnreadableReportsError(message)
        except Exception as error:  # one marketplace failing must not stop the others
            failed[code] = f"{type(error).__name__}: {error}"
            continue
        contexts[code] = report
    if not language:
        language = next((report.language for report in contexts.values()), "en")
    for report in contexts.values():  # one language for the whole notebook
        report.language = check_language(language)
    result = MarketplaceContexts(contexts=contexts, failed=failed,
                                 language=check_language(language),
                                 output_dir=Path(output_dir) if output_dir else None,
                                 as_of=pd.Timestamp(as_of).normalize() if as_of else None)
    for code, message in failed.items():  # the batch marks the notebook "ok with warnings"
        result.warn(f"{code} not loaded: {message}")
    return result
