from django.urls import path

from . import views

app_name = "awards"
urlpatterns = [
    path("", views.campaign_list, name="campaign_list"),
    path("<slug:slug>/", views.campaign_detail, name="campaign_detail"),
    path("<slug:slug>/quotas/<int:org_pk>/", views.quota_detail, name="quota_detail"),
]
