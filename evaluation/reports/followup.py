"""The L3 part of the reports: manager follow-up figures (evaluation.followups) as an export
table, the same figures the page shows through ``evaluation/followups/_results.html`` (hidden
below 3 answers there and here)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from evaluation.followups.selectors import FollowUpFigure
from hub.exports import Table


def followup_table(items: list[tuple[str, FollowUpFigure]], comments: list[str] = ()) -> Table:
    rows = []
    for label, figure in items:
        enough = figure.enough
        rows.append(
            [
                label,
                figure.sent,
                figure.answered,
                figure.no_manager,
                figure.mean if enough else None,
                figure.share_high if enough else None,
            ]
        )
    shown = all(f.enough for _label, f in items)
    rows += [[_("Comment"), None, None, None, None, None, text] for text in comments if shown]
    return Table(
        _("L3 manager follow-up"),
        [
            _("Of"),
            _("Sent"),
            _("Answered"),
            _("No manager"),
            _("Applies what was taught (mean, 1-5)"),
            _("Rated 4 or 5 (percent)"),
            _("Comment"),
        ],
        rows,
        widths=(30, 8, 10, 10, 14, 14, 60),
    )
