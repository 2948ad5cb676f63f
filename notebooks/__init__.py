"""Not code: makes this folder the package ``opsanalysis.bundled.notebooks`` (see pyproject.toml).

The notebooks here are the report templates shipped with opsanalysis; ``opsanalysis.bundled``
explains why.
"""
