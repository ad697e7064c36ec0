"""Public URLs of the interaction app (mounted on the public role, before Wagtail's page serving)."""

from django.urls import path

from . import views

app_name = "interaction"

urlpatterns = [
    path("hudong/", views.index, name="index"),
    path("hudong/liuyan/", views.message_list, name="message_list"),
    path("hudong/liuyan/xie/", views.message_write, name="message_write"),
    path("hudong/liuyan/chaxun/", views.message_lookup, name="message_lookup"),
    path("hudong/liuyan/huizhi/<str:number>/", views.message_receipt, name="message_receipt"),
    path("hudong/liuyan/<str:number>/", views.message_detail, name="message_detail"),
    path("hudong/api/liuyan.json", views.message_api, name="message_api"),
    path("hudong/jiucuo/", views.error_report, name="error_report"),
    path("hudong/zhengji/", views.consultation_list, name="consultation_list"),
    path("hudong/zhengji/<int:pk>/", views.consultation_detail, name="consultation_detail"),
    path("hudong/diaocha/", views.survey_list, name="survey_list"),
    path("hudong/diaocha/<int:pk>/", views.survey_detail, name="survey_detail"),
    path("hudong/fangtan/", views.interview_list, name="interview_list"),
    path("hudong/fangtan/<int:pk>/", views.interview_detail, name="interview_detail"),
    path("hudong/fangtan/<int:pk>/live.json", views.interview_live, name="interview_live"),
    path("hudong/wenda/", views.smart_qa, name="smart_qa"),
]
