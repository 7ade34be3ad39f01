"""The zh_Hans and en catalogues are complete and their placeholders match the msgids."""

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

LOCALE = Path(__file__).resolve().parent.parent / "locale"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|\{\w*\}")


DOMAINS = ["django", "djangojs"]


def _messages(language: str, domain: str = "django"):
    with (LOCALE / language / "LC_MESSAGES" / f"{domain}.po").open("rb") as handle:
        catalog = read_po(handle)
    assert not catalog.fuzzy
    return [message for message in catalog if message.id]


@pytest.mark.parametrize("domain", DOMAINS)
@pytest.mark.parametrize("language", ["zh_Hans", "en"])
def test_catalogue_is_complete(language, domain):
    messages = _messages(language, domain)
    assert len(messages) > 50
    untranslated = [
        message.id
        for message in messages
        if not all(message.string if isinstance(message.string, tuple) else [message.string])
        or message.fuzzy
    ]
    assert untranslated == []


@pytest.mark.parametrize("domain", DOMAINS)
def test_chinese_keeps_every_placeholder(domain):
    for message in _messages("zh_Hans", domain):
        if isinstance(message.id, tuple):  # Chinese has one plural form for every count
            expected = set(PLACEHOLDER.findall(" ".join(message.id)))
            assert set(PLACEHOLDER.findall(message.string[0])) == expected, message.id
        else:
            expected = sorted(PLACEHOLDER.findall(message.id))
            assert sorted(PLACEHOLDER.findall(message.string)) == expected, message.id


def test_chinese_is_really_chinese():
    translated = [m for m in _messages("zh_Hans") if isinstance(m.string, str) and m.string]
    with_cjk = [m for m in translated if re.search(r"[\u4e00-\u9fff]", m.string)]
    assert len(with_cjk) / len(translated) > 0.9


@pytest.mark.django_db
def test_javascript_catalogue_is_served_in_chinese(client):
    body = client.get("/jsi18n/").content.decode()
    # "%(count)s 票", as the catalogue escapes it.
    assert '"%(count)s vote": [\n      "%(count)s \\u7968"' in body
