"""Public URLs of the supervision app (监管), under /jianguan/ on every site."""

from django.urls import path

from . import views

app_name = "supervision"

urlpatterns = [
    path("jianguan/", views.index, name="index"),
    path("jianguan/choujian/<int:pk>/", views.spot_check, name="spot_check"),
    path("jianguan/ndbb/", views.annual_reports, name="annual_reports"),
    path("jianguan/ndbb/<int:pk>/", views.annual_report, name="annual_report"),
    path("jianguan/ndbb/<int:pk>/<str:fmt>/", views.annual_report_file, name="annual_report_file"),
    path("jianguan/niandu/<int:year>/", views.supervision_report, name="supervision_report"),
    path("jianguan/fangmao/", views.counterfeit_report, name="counterfeit"),
]
