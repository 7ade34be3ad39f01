"""Effectiveness reports (Kirkpatrick L1 to L4 in one place): session, course, trainer, branch and
the HQ overview, each a page with charts, a CSV/XLSX export and a print layout.

Who may open which report is decided in ``evaluation.reports.access`` (built on the scoping
API's primitives); figures come from the selectors of ``evaluation.surveys``,
``evaluation.metrics`` and ``evaluation.selectors``. See docs/evaluation.md.
"""
