from django.apps import AppConfig


class ServicesConfig(AppConfig):
    name = "govweb.services"
    label = "services"
    verbose_name = "办事服务"

    def ready(self):
        from . import search, signal_handlers  # noqa: F401

        search.register()
