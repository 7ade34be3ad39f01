"""Forms of the ROI inputs; the services validate again (``full_clean``)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from evaluation.roi.models import MetricBenefitBasis, RoiSettings, SessionCost


class RoiSettingsForm(forms.ModelForm):
    class Meta:
        model = RoiSettings
        fields = ["effective_from", "trainer_hourly_cost", "learner_hourly_cost", "horizon_months"]
        widgets = {"effective_from": forms.DateInput(attrs={"type": "date"})}

    def validate_unique(self) -> None:
        """Saving the date of an existing row changes that row (the service upserts)."""


class MetricBenefitForm(forms.ModelForm):
    value_per_unit = forms.DecimalField(
        label=_("value per unit (CNY)"),
        max_digits=12,
        decimal_places=2,
        min_value=0,
        required=False,
        help_text=_("What one unit of improvement is worth, per period of the metric."),
    )

    class Meta:
        model = MetricBenefitBasis
        fields = ["value_per_unit", "affected_volume", "volume_note", "recurrence"]


class SessionCostForm(forms.ModelForm):
    class Meta:
        model = SessionCost
        fields = ["venue", "materials"]
