from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("verify/", views.verify, name="verify"),
    path("second-factor/", views.second_factor_page, name="second-factor"),
]
