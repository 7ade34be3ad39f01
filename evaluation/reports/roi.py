"""The return-on-training part of the reports: one export table for one or more
``RoiFigure`` (evaluation.roi) with their cost parts, ratio, reasons and assumptions, the same
figures the page shows through ``evaluation/roi/_figure.html``."""

from __future__ import annotations

from django.utils.translation import gettext as _

from evaluation.roi.rules import RoiFigure, money
from hub.exports import Table


def roi_table(items: list[tuple[str, RoiFigure]]) -> Table:
    """``items``: (what the figure is of, the figure)."""
    rows = []
    for label, figure in items:
        cost = figure.cost
        rows.append(
            [
                label,
                _("Yes") if figure.computable else _("No"),
                money(cost.total) if cost else None,
                money(cost.trainer_cost) if cost else None,
                money(cost.learner_cost) if cost else None,
                money(cost.venue) if cost else None,
                money(cost.materials) if cost else None,
                figure.benefit_display,
                figure.ratio_display,
                figure.roi_display,
                figure.payback_display,
                " / ".join(str(r) for r in figure.reasons),
                " / ".join(str(a) for a in figure.assumptions),
            ]
        )
    return Table(
        _("Return on training"),
        [
            _("Of"),
            _("Computable"),
            _("Cost (CNY)"),
            _("Trainer cost (CNY)"),
            _("Learner time cost (CNY)"),
            _("Venue (CNY)"),
            _("Materials (CNY)"),
            _("Benefit (CNY)"),
            _("Benefit-cost ratio (x : 1)"),
            _("ROI (percent)"),
            _("Payback (months)"),
            _("Why not computable"),
            _("Assumptions"),
        ],
        rows,
        widths=(30, 10, 12, 12, 12, 10, 10, 12, 12, 10, 10, 40, 60),
    )
