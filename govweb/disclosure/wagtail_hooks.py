"""The cluster-wide taxonomies in the admin: cluster administrators only (model permissions)."""

from wagtail import hooks
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup

from .models import Audience, Genre, TopicCategory


class TopicViewSet(ModelViewSet):
    model = TopicCategory
    icon = "list-ul"
    menu_label = "主题分类"
    list_display = ["code", "full_name"]
    search_fields = ["code", "name"]
    form_fields = ["code", "name", "parent"]


class GenreViewSet(ModelViewSet):
    model = Genre
    icon = "doc-full"
    menu_label = "体裁分类"
    list_display = ["code", "name"]
    form_fields = ["code", "name"]


class AudienceViewSet(ModelViewSet):
    model = Audience
    icon = "group"
    menu_label = "服务对象"
    list_display = ["code", "name"]
    form_fields = ["code", "name"]


class TaxonomyGroup(ModelViewSetGroup):
    menu_label = "信息公开分类"
    menu_icon = "folder-open-inverse"
    items = (TopicViewSet("topics"), GenreViewSet("genres"), AudienceViewSet("audiences"))


@hooks.register("register_admin_viewset")
def register_taxonomy():
    return TaxonomyGroup()
