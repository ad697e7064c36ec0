"""Public URLs of the services app (mounted on the public role, before Wagtail's page serving).

Everything lives under /banshi/ (办事) on every site: the portal lists every unit's services,
any other site its own.
"""

from django.urls import path

from . import api, views

app_name = "services"

urlpatterns = [
    path("banshi/", views.home, name="home"),
    path("banshi/geren/", views.audience, {"audience": "individual"}, name="individual"),
    path("banshi/faren/", views.audience, {"audience": "legal"}, name="legal"),
    path("banshi/fenlei/<slug:slug>/", views.topic, name="topic"),
    path("banshi/bumen/<int:pk>/", views.department, name="department"),
    path("banshi/zimu/", views.a_to_z, name="a_to_z"),
    path("banshi/zimu/<str:letter>/", views.letter, name="letter"),
    path("banshi/remen/", views.popular, name="popular"),
    path("banshi/shixiang/", views.listing, name="listing"),
    path("banshi/shixiang/<str:code>/", views.guide, name="guide"),
    path("banshi/shixiang/<str:code>/pdf/", views.guide_pdf, name="guide_pdf"),
    path("banshi/shixiang/<str:code>/pingjia/", views.rate, name="rate"),
    path("banshi/api/v1/schema.json", api.schema, name="api_schema"),
    path("banshi/api/v1/catalogue.json", api.catalogue, name="api_catalogue"),
]
