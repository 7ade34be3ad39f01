"""Cell values → Python values: text, dates, yes/no and position categories.

Cells come from CSV as text and from XLSX as text, numbers, booleans or real dates.
"""

from __future__ import annotations

import datetime as dt
import re

from hub.organisation.models import PositionCategory

_DATE = re.compile(
    r"^(?P<y>\d{4})\s*[-/.年]\s*(?P<m>\d{1,2})\s*[-/.月]\s*(?P<d>\d{1,2})\s*日?"
    r"(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$"
)
_TRUE = frozenset({"是", "yes", "y", "true", "1"})
_FALSE = frozenset({"否", "no", "n", "false", "0"})
_CATEGORIES = {
    "newhire": PositionCategory.NEW_HIRE,
    "新员工": PositionCategory.NEW_HIRE,
    "新入职": PositionCategory.NEW_HIRE,
    "新入职员工": PositionCategory.NEW_HIRE,
    "backbone": PositionCategory.BACKBONE,
    "businessbackbone": PositionCategory.BACKBONE,
    "业务骨干": PositionCategory.BACKBONE,
    "骨干": PositionCategory.BACKBONE,
    "manager": PositionCategory.MANAGER,
    "管理者": PositionCategory.MANAGER,
    "管理人员": PositionCategory.MANAGER,
    "管理层": PositionCategory.MANAGER,
}


def cell_text(value: object) -> str:
    """A cell as trimmed text; whole numbers from Excel lose their ``.0``."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def parse_date(value: object) -> dt.date:
    """A real Excel date, or text like 2024-03-01, 2024/3/1, 2024.03.01, 2024年3月1日."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    match = _DATE.match(cell_text(value))
    if match is None:
        raise ValueError(value)
    return dt.date(int(match["y"]), int(match["m"]), int(match["d"]))


def parse_bool(value: object) -> bool:
    if isinstance(value, bool):
        return value
    text = cell_text(value).casefold()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(value)


def parse_category(value: object) -> str:
    """Code, English label or Chinese name, ignoring case, spaces, ``_`` and ``-``."""
    key = re.sub(r"[\s_\-]+", "", cell_text(value)).casefold()
    try:
        return _CATEGORIES[key]
    except KeyError:
        raise ValueError(value) from None


def display_value(value: object) -> str:
    """How a planned value reads in the preview: ``—`` for empty, 是/否 for yes/no."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value)
