"""What evaluation adds to the portal's pages (``hub.registry.portal_panel``): assignments due
on home and My learning, a manager's follow-ups waiting on home, the latest grades on My
learning, work to grade on My teaching. Connected from ``EvaluationConfig.ready``."""

from __future__ import annotations

from evaluation import selectors
from evaluation.followups import selectors as followup_selectors
from evaluation.surveys import selectors as survey_selectors
from hub.registry import portal_panel

# Home lists as many due assignments as upcoming sessions (``hub.portal.views.HOME_LIST_SIZE``).
HOME_DUE = 5
# "My learning" shows the latest grades, "My teaching" the oldest work waiting to be graded;
# the full lists are on /assignments/.
MY_PAGE_GRADES = 10
MY_PAGE_TO_GRADE = 20
MY_PAGE_SURVEYS = 10


@portal_panel("home", name="evaluation.due")
def home_due(employee) -> dict:
    return {"due": selectors.assignments_due_for(employee)[:HOME_DUE]}


@portal_panel("home", name="evaluation.followups_waiting")
def followups_waiting(employee) -> dict:
    """A manager's open follow-ups per session (lazy: queried only where a page shows it)."""
    return {"followups_waiting": followup_selectors.followups_waiting_by_session(employee)}


@portal_panel("my_learning", name="evaluation.due_and_grades")
def my_learning(employee) -> dict:
    return {
        "due": selectors.assignments_due_for(employee),
        "grades": selectors.grades_for(employee)[:MY_PAGE_GRADES],
    }


@portal_panel("my_learning", name="evaluation.surveys_to_answer")
def surveys_to_answer(employee) -> dict:
    return {"surveys_to_answer": survey_selectors.surveys_to_answer(employee)}


@portal_panel("my_teaching", name="evaluation.survey_results")
def survey_results(employee) -> dict:
    return {"taught_surveys": survey_selectors.surveys_taught_by(employee)[:MY_PAGE_SURVEYS]}


@portal_panel("my_teaching", name="evaluation.to_grade")
def my_teaching(employee) -> dict:
    return {"to_grade": selectors.submissions_to_grade_for(employee)[:MY_PAGE_TO_GRADE]}
