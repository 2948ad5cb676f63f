"""Not code: makes this folder the package ``opsanalysis.bundled.data`` (see pyproject.toml).

Only ``sample/`` ships with opsanalysis (``opsanalysis.bundled`` explains why); ``raw/`` and any
other folder here stay on this machine.
"""
