"""Notebook execution: kernel start-up failures are retried a bounded number of times."""

from opsanalysis import execution


def _papermill_failing(errors, monkeypatch):
    """papermill.execute_notebook raising ``errors`` one after another, then succeeding."""
    import papermill

    calls = []

    def execute(*args, **kwargs):
        calls.append(args)
        if len(calls) <= len(errors):
            raise errors[len(calls) - 1]

    monkeypatch.setattr(papermill, "execute_notebook", execute)
    return calls


def test_a_kernel_that_dies_at_start_is_started_again(tmp_path, monkeypatch):
    calls = _papermill_failing([RuntimeError("ZMQError: Address already in use")], monkeypatch)
    status, error = execution.execute_notebook("in.ipynb", tmp_path / "out.ipynb", {})
    assert (status, error, len(calls)) == ("ok", None, 2)


def test_kernel_start_is_tried_a_bounded_number_of_times(tmp_path, monkeypatch):
    errors = [RuntimeError("Kernel died before replying to kernel_info")] * 5
    calls = _papermill_failing(errors, monkeypatch)
    status, error = execution.execute_notebook("in.ipynb", tmp_path / "out.ipynb", {})
    assert status == "failed" and "kernel_info" in error
    assert len(calls) == execution.KERNEL_START_ATTEMPTS


def test_other_failures_are_not_retried(tmp_path, monkeypatch):
    calls = _papermill_failing([ValueError("bad notebook JSON")], monkeypatch)
    status, error = execution.execute_notebook("in.ipynb", tmp_path / "out.ipynb", {})
    assert (status, error, len(calls)) == ("failed", "ValueError: bad notebook JSON", 1)
