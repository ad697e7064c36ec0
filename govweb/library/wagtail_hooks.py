"""Admin wiring of the library: editors submit to the 审核 → 签发 workflow instead of publishing."""

from django.shortcuts import render
from wagtail import hooks
from wagtail.admin.viewsets.model import ModelViewSet

from .actions import may_publish_directly
from .models import ImportRun, ImportToken

PUBLISH_REFUSED = "本站信息须经审核、签发后发布：请使用“提交审核”。"


def _refuse(request):
    return render(request, "library/publish_refused.html", {"message": PUBLISH_REFUSED}, status=403)


@hooks.register("before_create_page")
def refuse_direct_publish_on_create(request, parent_page, page_class):
    if request.method == "POST" and "action-publish" in request.POST:
        if not may_publish_directly(request.user, parent_page):
            return _refuse(request)
    return None


@hooks.register("before_edit_page")
def refuse_direct_publish_on_edit(request, page):
    if request.method == "POST" and "action-publish" in request.POST:
        if not may_publish_directly(request.user, page):
            return _refuse(request)
    return None


@hooks.register("construct_page_action_menu")
def hide_publish_for_editors(menu_items, request, context):
    page = context.get("page") or context.get("parent_page")
    if page is not None and not may_publish_directly(request.user, page):
        menu_items[:] = [item for item in menu_items if item.name != "action-publish"]


class ImportRunViewSet(ModelViewSet):
    model = ImportRun
    icon = "download"
    menu_label = "导入记录"
    add_to_settings_menu = True
    inspect_view_enabled = True
    list_display = ["started_at", "channel", "source_name", "created", "updated", "unchanged", "failed"]
    form_fields = ["source_name"]


class ImportTokenViewSet(ModelViewSet):
    model = ImportToken
    icon = "key"
    menu_label = "导入接口令牌"
    add_to_settings_menu = True
    list_display = ["site", "name", "active", "created_at", "last_used_at"]
    form_fields = ["active"]


@hooks.register("register_admin_viewset")
def register_import_viewsets():
    return [ImportRunViewSet("import_runs"), ImportTokenViewSet("import_tokens")]
