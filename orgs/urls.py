from django.urls import path

from . import views

app_name = "orgs"
urlpatterns = [
    path("", views.my_tree, name="my_tree"),
    path("<int:pk>/", views.organisation_detail, name="organisation_detail"),
]
