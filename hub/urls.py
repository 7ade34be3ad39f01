from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.urls import include, path, re_path
from django.views.i18n import JavaScriptCatalog
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents.views import serve as document_serve

from hub.media import favicon, media_serve
from hub.organisation import views
from hub.organisation.forms import FirstPasswordResetForm
from hub.portal import views as portal_views

urlpatterns = [
    path("", portal_views.home, name="home"),
    path("favicon.ico", favicon, name="favicon"),
    # Uploaded media need a login (hub.media), in development as in production.
    re_path(r"^media/(?P<path>.+)$", media_serve, name="media"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(
            template_name="hub/login.html", redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password/",
        auth_views.PasswordChangeView.as_view(template_name="hub/password_change.html"),
        name="password_change",
    ),
    path(
        "accounts/password/done/",
        auth_views.PasswordChangeDoneView.as_view(template_name="hub/password_change_done.html"),
        name="password_change_done",
    ),
    path(
        "accounts/reset/",
        auth_views.PasswordResetView.as_view(
            template_name="hub/password_reset.html",
            email_template_name="hub/email/password_reset.txt",
            subject_template_name="hub/email/password_reset_subject.txt",
            form_class=FirstPasswordResetForm,
        ),
        name="password_reset",
    ),
    path(
        "accounts/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="hub/password_reset_sent.html"),
        name="password_reset_done",
    ),
    path(
        "accounts/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="hub/password_reset_confirm.html"
        ),
        name="password_reset_confirm",
    ),
    path(
        "accounts/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="hub/password_reset_complete.html"
        ),
        name="password_reset_complete",
    ),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("people/", views.people_directory, name="people"),
    path("people/<str:employee_no>/", views.employee_detail, name="employee"),
    path("people/<str:employee_no>/roles/", views.employee_roles_change, name="employee_roles"),
    path("audit/", views.audit_log, name="audit"),
    path("import/", include("hub.organisation.imports.urls")),
    path("", include("hub.portal.urls")),
    path("", include("hub.sessions.urls")),
    path("", include("hub.needs.urls")),
    path("", include("evaluation.urls")),
    path("metrics/", include("evaluation.metrics.urls")),
    path("reports/", include("evaluation.reports.urls")),
    path("roi/", include("evaluation.roi.urls")),
    path("", include("tiers.urls")),
    path("live/", include("live.urls")),
    path("library/", include("library.urls")),
    path("cms/", include(wagtailadmin_urls)),
    # Wagtail's document URLs, the files behind a login as under /media/ (hub.media).
    path(
        "documents/",
        include(
            [
                re_path(
                    r"^(\d+)/(.*)$", login_required(document_serve.serve), name="wagtaildocs_serve"
                ),
                path(
                    "authenticate_with_password/<int:restriction_id>/",
                    document_serve.authenticate_with_password,
                    name="wagtaildocs_authenticate_with_password",
                ),
            ]
        ),
    ),
    path("django-admin/", admin.site.urls),
    # Wagtail serves the library pages; the site root is the library home.
    path("library/", include(wagtail_urls)),
]
