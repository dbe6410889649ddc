from django.urls import path

from . import security_views as views

app_name = "security"
urlpatterns = [
    path("", views.index, name="index"),
    path("grant/", views.grant, name="grant"),
    path("revoke/<int:pk>/", views.revoke, name="revoke"),
    path("policy/", views.policy, name="policy"),
]
