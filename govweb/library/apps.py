from django.apps import AppConfig


class LibraryConfig(AppConfig):
    name = "govweb.library"
    label = "library"
    verbose_name = "政务信息资源库"

    def ready(self):
        from . import signal_handlers  # noqa: F401
