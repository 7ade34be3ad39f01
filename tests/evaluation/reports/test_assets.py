"""The reports' front end comes from npm (package.json), never a CDN."""

import json
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders

ROOT = Path(settings.BASE_DIR)


def test_chart_js_is_an_npm_dependency_served_as_a_static_file():
    assert "chart.js" in json.loads((ROOT / "package.json").read_text())["dependencies"]
    assert finders.find("vendor/chart.js/chart.umd.min.js")
    assert finders.find("reports/charts.js")


def test_the_report_frame_loads_charts_locally():
    frame = (ROOT / "templates/evaluation/reports/base_report.html").read_text()
    assert "vendor/chart.js/chart.umd.min.js" in frame
    assert "http" not in frame.split("{% block scripts %}")[1]
