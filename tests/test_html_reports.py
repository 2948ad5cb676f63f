"""Acceptance (issue 16): every HTML report of a sample run reads as a work list.

One batch run of every notebook for every sample marketplace (``sample_run``: US, UK, DE in
English, JP in Chinese from its params) is read as a reader sees it (scripts and styles left out):

- every ``<table>`` has a header row (``<thead>`` with ``<th>``);
- no ``nan``, ``NaN``, ``None``, ``<NA>`` or ``NaT`` anywhere in the page's text;
- in the Chinese reports, no untranslated code in table cells, headings, paragraphs and list
  items: a snake_case label key, a status / reason / action code of the replenishment, ads and
  launch decision tables (and the scorecard's statuses), or ``True`` / ``False``; ``<code>``,
  links, file names and the workbook sheet named by "more rows in the workbook" are skipped,
  and a one-word code ("aged") counts only alone or beside Chinese text, not as a word of
  the English sentences of a bilingual introduction;
- no ``<pre>`` block (printed output) longer than 3 lines.

Each test reads every report and lists every offending report with examples, so one run says
which notebook fails which check.
"""

import re
from pathlib import Path

import pytest
from bs4 import BeautifulSoup, NavigableString

from opsanalysis import ads, kpi, launch, replenishment
from opsanalysis.labels import all_labels, label
from opsanalysis.params import load_defaults

MISSING_WORDS = re.compile(r"(?<![A-Za-z0-9_])(nan|NaN|None|NaT)(?![A-Za-z0-9_])|<NA>")
TEXT_BLOCKS = ("td", "th", "h1", "h2", "h3", "h4", "h5", "h6", "p", "li", "caption")
SKIPPED = ("code", "a", "script", "style", "pre")
FILE_NAME = re.compile(r"\S+\.(?:csv|xlsx|ipynb|html|json|ya?ml|txt|tsv|png|pdf)\b", re.I)
ASCII_TOKEN = re.compile(r"[A-Za-z0-9_]+")
MAX_PRE_LINES = 3
EXAMPLES = 5


def _decision_codes():
    """Status, reason and action codes of the decision tables a reader may meet."""
    codes = set(replenishment.STATUSES) | set(kpi.STATUSES)
    for _conditions, *words in replenishment.DECISION_TABLE:
        codes |= set(words)
    for row in ads.AD_ACTIONS:
        codes |= {row["action"], row["reason"]}
    for _conditions, *words in launch.DECISION_TABLE:
        codes |= set(words)
    codes |= set(load_defaults()["launch"]["actions"].values())
    return codes


CODES = _decision_codes()
LABEL_KEYS = set(all_labels())


def _sheet_pattern():
    """The "N more rows in the workbook, sheet X" sentence (zh), capturing the sheet name."""
    template = re.escape(label("more_in_workbook", "zh"))
    template = template.replace(re.escape("{count}"), r"[\d,]+")
    return re.compile(template.replace(re.escape("{sheet}"), r"(?P<sheet>\S+?)") + r"(?=\W|$)")


SHEET_SENTENCE = _sheet_pattern()


CJK = "\u3000-\u30ff\u4e00-\u9fff\uff00-\uffef"  # CJK characters and full-width punctuation


def _code_like(token, text):
    """A one-word code ("aged", "watch") counts where it stands alone or beside Chinese text
    ("状态：aged"); inside an English sentence (the bilingual intro) it is a word."""
    if "_" in token or token in ("True", "False"):
        return True
    beside_chinese = rf"[{CJK}]\s*(?<![A-Za-z0-9_]){token}(?![A-Za-z0-9_])|" \
                     rf"(?<![A-Za-z0-9_]){token}(?![A-Za-z0-9_])\s*[{CJK}]"
    return text.strip() == token or re.search(beside_chinese, text) is not None


def untranslated_codes(text):
    """Codes in ``text`` left in English (file names and workbook sheet names skipped)."""
    text = FILE_NAME.sub(" ", text)
    text = SHEET_SENTENCE.sub(" ", text)
    return [token for token in ASCII_TOKEN.findall(text)
            if (token in ("True", "False") or token in CODES
                or ("_" in token and token in LABEL_KEYS)) and _code_like(token, text)]


@pytest.fixture(scope="module")
def pages(sample_run):
    """(name, language, parsed page) of every HTML report of the sample run."""
    found = []
    for result in sample_run.results:
        assert result.html_file, f"{result.marketplace} {result.notebook}: no HTML report " \
                                 f"({result.status}: {result.error})"
        path = Path(sample_run.run_dir) / result.html_file
        soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        for tag in soup(["script", "style"]):
            tag.decompose()
        found.append((f"{result.marketplace}/{result.notebook}",
                      result.parameters.get("language"), soup))
    return found


def _report(problems):
    return "\n".join(f"{name}: {len(found)} problem(s), e.g. {found[:EXAMPLES]}"
                     for name, found in problems.items() if found)


def test_every_table_has_a_header_row(pages, sample_run):
    index = BeautifulSoup((Path(sample_run.run_dir) / "index.html").read_text(encoding="utf-8"),
                          "html.parser")
    problems = {}
    for name, _language, soup in [*pages, ("index.html", "en", index)]:
        problems[name] = [
            " ".join(table.get_text(" ", strip=True).split())[:80]
            for table in soup.find_all("table")
            if table.find("thead") is None or table.find("thead").find("th") is None]
    assert not any(problems.values()), "tables without a header row:\n" + _report(problems)


def test_no_missing_value_markers(pages):
    problems = {}
    for name, _language, soup in pages:
        body = soup.body or soup
        problems[name] = [
            " ".join(str(text).split())[:80] for text in body.find_all(string=True)
            if MISSING_WORDS.search(str(text))]
    assert not any(problems.values()), "nan/None/<NA>/NaT shown:\n" + _report(problems)


def _block_texts(soup):
    """Text of every cell, heading, paragraph and list item, without code, links and pre."""
    for node in soup.find_all(string=True):
        if not isinstance(node, NavigableString) or node.find_parent(SKIPPED) is not None:
            continue
        block = node.find_parent(TEXT_BLOCKS)
        if block is not None and str(node).strip():
            yield str(node)


def test_chinese_reports_leave_no_code_untranslated(pages):
    chinese = [(name, soup) for name, language, soup in pages if language == "zh"]
    assert chinese, "the sample run has no Chinese report (JP's params say zh)"
    problems = {}
    for name, soup in chinese:
        found = []
        for text in _block_texts(soup):
            found += [f"{code} in {' '.join(text.split())[:60]!r}"
                      for code in untranslated_codes(text)]
        problems[name] = list(dict.fromkeys(found))
    assert not any(problems.values()), "untranslated codes in zh reports:\n" + _report(problems)


def test_no_printed_blocks_over_three_lines(pages):
    problems = {}
    for name, _language, soup in pages:
        problems[name] = [
            f"{len(lines)} lines: {lines[0][:60]!r}"
            for lines in (pre.get_text().strip("\n").splitlines() for pre in soup.find_all("pre"))
            if len(lines) > MAX_PRE_LINES]
    assert not any(problems.values()), "printed blocks over 3 lines:\n" + _report(problems)


@pytest.mark.parametrize("text, codes", [
    ("状态：stockout_risk", ["stockout_risk"]),
    ("False", ["False"]),
    ("操作 add_exact_keyword，原因 converts_within_target_acos",
     ["add_exact_keyword", "converts_within_target_acos"]),
    ("见 replenishment_report_replenishment_plan.csv", []),
    (label("more_in_workbook", "zh").format(count="85", sheet="order_now"), []),
    ("HL-KIT-036 silicone baking mat 12.3%", []),
    ("lagging", ["lagging"]),
    ("状态：aged，操作 remove_or_liquidate", ["aged", "remove_or_liquidate"]),
    ("When to ship the next inbound; aged or overstock SKUs (库存)", []),
])
def test_untranslated_codes_known_answers(text, codes):
    assert untranslated_codes(text) == codes
