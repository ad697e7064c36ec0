from django.apps import AppConfig


class BaseConfig(AppConfig):
    name = "govweb.base"
    label = "base"
    verbose_name = "公共组件"

    def ready(self):
        from . import admin_denied, checks, purge  # noqa: F401

        admin_denied.install()
