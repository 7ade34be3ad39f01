"""Our own 403/404/500 pages: translated, with the site's navigation and the reason (DEBUG is
off in the test settings, so Django renders templates/403.html, 404.html and 500.html)."""

import pytest
from django.conf import settings
from django.test import Client, RequestFactory
from django.views.defaults import server_error

from tests.conftest import language_client, login_client
from tests.factories import EmployeeFactory

pytestmark = pytest.mark.django_db


def test_debug_is_off_in_tests():
    assert settings.DEBUG is False


def test_refusal_is_a_translated_page_with_navigation_and_the_reason():
    learner = EmployeeFactory()
    client = login_client(learner, language="zh-hans")
    response = client.post("/library/create-from-template/1/")
    assert response.status_code == 403
    body = response.content.decode()
    assert "403 Forbidden" not in body
    assert "无权访问" in body
    # The service's message is the reason.
    assert "只有讲师和总部课程负责人可以从模板创建课程。" in body
    # The site's navigation (the learner's menu) and a way home.
    assert 'data-testid="nav-learning"' in body
    assert 'data-testid="error-nav"' in body
    assert "返回首页" in body


def test_refusal_without_a_message_gives_a_general_reason(client_for):
    learner = EmployeeFactory()
    response = client_for(learner, language="zh-hans").get("/audit/")
    assert response.status_code == 403
    body = response.content.decode()
    assert "你没有权限打开此页面。" in body
    assert 'data-testid="nav-learning"' in body


def test_refusal_in_english(client_for):
    learner = EmployeeFactory()
    response = client_for(learner, language="en").get("/audit/")
    assert response.status_code == 403
    assert "Access denied" in response.content.decode()
    assert "You do not have permission to open this page." in response.content.decode()


@pytest.mark.parametrize("path", ["/no-such-page/", "/library/no-such-course/"])
def test_not_found_is_translated_with_navigation(path):
    learner = EmployeeFactory()
    response = login_client(learner, language="zh-hans").get(path)
    assert response.status_code == 404
    body = response.content.decode()
    assert "Not Found" not in body
    assert "页面不存在" in body
    assert 'data-testid="nav-learning"' in body
    assert "返回首页" in body


def test_not_found_for_a_visitor_offers_the_login():
    response = language_client().get("/no-such-page/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "页面不存在" in body
    assert 'href="/accounts/login/"' in body


def test_csrf_failure_is_translated():
    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/login/", {"username": "x", "password": "y"})
    assert response.status_code == 403
    body = response.content.decode()
    assert "CSRF verification failed" not in body
    assert "重新加载页面" in body


def test_server_error_page_needs_no_context_and_no_database(django_assert_num_queries):
    request = RequestFactory().get("/")
    with django_assert_num_queries(0):
        response = server_error(request)
    assert response.status_code == 500
    body = response.content.decode()
    assert "服务器出错" in body
    assert "返回首页" in body
    assert 'lang="zh-hans"' in body
