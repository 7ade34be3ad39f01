"""``{% branch_nominations_panel %}``: the manager's "My branch" panel of this year's trainer
nominations against the accountability rule (two queries, however many nominations)."""

from django import template
from django.utils import timezone

from tiers.selectors import nomination_panel

register = template.Library()


@register.inclusion_tag("tiers/_branch_nominations.html", takes_context=True)
def branch_nominations_panel(context, show_actions: bool = True) -> dict:
    user = context["request"].user
    return {
        "panel": nomination_panel(user=user, year=timezone.localdate().year),
        "show_actions": show_actions,
    }
