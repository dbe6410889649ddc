from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from accounts import views as account_views
from core import views as core_views

admin.site.site_header = "评选表彰系统 · 后台管理"
admin.site.site_title = "评选表彰系统"

urlpatterns = [
    path("", core_views.home, name="home"),
    path(
        "login/",
        account_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password/", account_views.PasswordChangeView.as_view(), name="password_change"),
    path("password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("account/2fa/", include("accounts.urls")),
    path("status/", core_views.status, name="status"),
    path("healthz", core_views.healthz, name="healthz"),
    path("campaigns/", include("awards.urls")),
    path("orgs/", include("orgs.urls")),
    # 安全管理员: grants and the security policy (三员分立, orgs/duties.py).
    path("security/", include("orgs.security_urls")),
    path("nominations/io/", include("nominations.io_urls")),
    path("nominations/", include("nominations.urls")),
    path("publicity/", include("publicity.urls")),
    path("documents/", include("documents.urls")),
    path("reviews/", include("reviews.urls")),
    path("audit/", include("audit.urls")),
    # 公示公告: public, no login.
    path("gs/", include("publicity.public_urls")),
    path("admin/", admin.site.urls),
]
