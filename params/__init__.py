"""Not code: makes this folder the package ``opsanalysis.bundled.params`` (see pyproject.toml).

The YAML files here are the params shipped with opsanalysis; ``opsanalysis.bundled`` explains why.
"""
