"""The bad-input corpus: every case raises a located ReportError or reads correctly."""

import pytest
from bad_inputs.corpus import CASES

from opsanalysis.io import ReportError, read_report


def test_corpus_is_large_enough():
    assert len(CASES) >= 30
    assert len({case.name for case in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_bad_input(case, tmp_path):
    path = tmp_path / case.filename
    path.write_bytes(case.build())
    if case.error is None:
        frame = read_report(path, **case.kwargs)
        case.check(frame)
        return
    with pytest.raises(ReportError) as caught:
        read_report(path, **case.kwargs)
    error = caught.value
    assert isinstance(error, case.error), f"{type(error).__name__}: {error}"
    message = str(error)
    assert case.filename in message
    assert "expected" in message
    if case.row is not None:
        assert error.row == case.row, message
        assert f"row {case.row}" in message
    if case.column is not None:
        assert error.column == case.column, message
        assert repr(case.column) in message
