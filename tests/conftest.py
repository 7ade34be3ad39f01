"""Shared fixtures. Transactional tests flush every table, Wagtail's root page and default
Site included, so ``wagtail_site`` recreates them where a test needs pages."""

import pytest
from django.conf import settings
from django.test import Client
from django.utils import translation

from tests.factories import PASSWORD, BranchFactory, EmployeeFactory, make_hq_admin, make_manager


@pytest.fixture(autouse=True)
def _default_language():
    """Every test starts in the default language (Chinese): a language activated by an earlier
    request or test in this worker must not decide which messages a test sees."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def branch(db):
    return BranchFactory()


@pytest.fixture
def learner(db, branch):
    return EmployeeFactory(branch=branch)


@pytest.fixture
def manager(db, branch):
    return make_manager(branch)


@pytest.fixture
def hq_admin(db):
    return make_hq_admin()


def language_client(language: str | None = None) -> Client:
    """A test client that picked ``language`` with the switcher (None: the default, Chinese)."""
    client = Client()
    if language:
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def login_client(employee, language: str = "en") -> Client:
    client = language_client(language)
    assert client.login(username=employee.user.username, password=PASSWORD)
    return client


@pytest.fixture
def client_for():
    """``client_for(employee, language="en")`` → a logged-in test client."""
    return login_client
