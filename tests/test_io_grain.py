"""Grain of Business Reports by date (day, week, month) and the files a folder could not read."""

import pandas as pd
import pytest

from opsanalysis.io import marketplace_data

HEADER = ("Date,Ordered Product Sales,Units Ordered,Total Order Items,Page Views - Total,"
          "Sessions - Total,Unit Session Percentage\n")


def _business_report(path, rows):
    body = "".join(f'{date},"${sales:,.2f}",{units},{units},100,50,10.00%\n'
                   for date, sales, units in rows)
    path.write_text(HEADER + body, encoding="utf-8")


@pytest.mark.parametrize(("dates", "grain"), [
    (pd.date_range("2026-01-01", periods=10, freq="D").delete([3, 4]), "day"),
    (pd.date_range("2026-01-04", periods=5, freq="W-SUN"), "week"),
    (pd.date_range("2026-01-01", periods=4, freq="MS"), "month"),
    (["2026-01-01"], "day"),
])
def test_date_grain_from_the_spacing_of_dates(dates, grain):
    assert marketplace_data.date_grain(list(dates) * 2) == grain


def test_weekly_and_daily_business_reports_keep_their_grain(tmp_path):
    folder = tmp_path / "US"
    folder.mkdir()
    _business_report(folder / "BusinessReport-11-19-19.csv",
                     [("11/17/2019", 10.0, 1), ("11/18/2019", 20.0, 2), ("11/19/2019", 30.0, 3)])
    _business_report(folder / "BusinessReport-12-01-19.csv",
                     [("11/10/2019", 700.0, 7), ("11/17/2019", 1400.0, 14),
                      ("11/24/2019", 2100.0, 21)])
    data = marketplace_data.load_marketplace(tmp_path, "US")
    frame = data["business_report_date"]
    # 11/17 is both a day and the start of a week: both rows stay, each with its grain
    assert len(frame) == 6
    by_grain = frame.groupby("grain")["ordered_product_sales"].sum().to_dict()
    assert by_grain == {"day": 60.0, "week": 4200.0}
    assert marketplace_data.KEYS["business_report_date"] == ("date", "grain")


def test_unreadable_files_lists_unknown_and_broken_files_not_documentation(tmp_path):
    folder = tmp_path / "US"
    folder.mkdir()
    _business_report(folder / "BusinessReport-11-19-19.csv", [("11/17/2019", 10.0, 1)])
    (folder / "README.md").write_text("notes\n", encoding="utf-8")
    (folder / "periods.yaml").write_text("{}\n", encoding="utf-8")
    (folder / "Reimbursements_20200128.txt").write_text(
        "approval-date\treimbursement-id\tsku\n2020-01-20\t5468213847\tA1\n", encoding="utf-8")
    data = marketplace_data.load_marketplace(tmp_path, "US")
    unread = data.unreadable_files()
    assert unread["file"].tolist() == ["Reimbursements_20200128.txt"]
    assert "no known report kind" in unread.loc[0, "reason"]
