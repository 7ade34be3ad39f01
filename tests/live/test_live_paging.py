"""Pages of older questions are as new as the events the client was already sent
(``live.paging.page_apply``): events about questions it did not hold yet were ignored."""

from live.paging import page_apply


def _question(pk: int, **fields) -> dict:
    return {
        "id": pk,
        "text": f"q{pk}",
        "author": None,
        "anonymous": True,
        "votes": 0,
        "answered": False,
        "pinned": False,
        "hidden": False,
        "asked_at": "t",
        **fields,
    }


def _page(*pks: int, before=None, after=100) -> dict:
    return {"questions": [_question(pk) for pk in pks], "before": before, "after": after}


def test_events_after_the_page_read_are_applied_to_its_questions():
    events = [
        {"seq": 8, "type": "question.votes", "counts": {"12": 4, "150": 9}},
        {"seq": 9, "type": "question.answered", "id": 11, "answered": True},
        {"seq": 10, "type": "question.pinned", "id": 12, "pinned": True},
        {"seq": 11, "type": "question.asked", "question": _question(150)},
    ]
    page = page_apply(_page(12, 11, 10), events, staff=False)
    by_id = {q["id"]: q for q in page["questions"]}
    assert [q["id"] for q in page["questions"]] == [12, 11, 10]
    assert by_id[12]["votes"] == 4 and by_id[12]["pinned"] is True
    assert by_id[11]["answered"] is True
    assert 150 not in by_id  # newer than the page's range: the client has it already


def test_hiding_removes_for_learners_and_showing_again_adds_within_the_range():
    shown = _question(11, text="back")
    events = [
        {"seq": 5, "type": "question.hidden", "id": 12, "hidden": True},
        {"seq": 6, "type": "question.hidden", "id": 11, "hidden": False, "question": shown},
        {"seq": 7, "type": "question.hidden", "id": 3, "hidden": False, "question": _question(3)},
    ]
    page = page_apply(_page(12, 10, before=10), events, staff=False)
    assert [q["id"] for q in page["questions"]] == [11, 10]
    assert page["questions"][0]["text"] == "back"


def test_staff_pages_get_revealed_authors_and_keep_hidden_questions():
    author = {"id": 7, "name": "王芳"}
    events = [
        {
            "seq": 5,
            "type": "question.hidden",
            "id": 12,
            "hidden": True,
            "question": _question(12, hidden=True),
        },
        {"seq": 6, "type": "room.settings", "allow_anonymous": True, "authors": {"11": author}},
    ]
    page = page_apply(_page(12, 11), events, staff=True)
    by_id = {q["id"]: q for q in page["questions"]}
    assert by_id[12]["hidden"] is True
    assert by_id[11]["author"] == author
