from django.apps import AppConfig


class ClusterConfig(AppConfig):
    name = "govweb.cluster"
    label = "cluster"
    verbose_name = "站群管理"

    def ready(self):
        from . import signal_handlers  # noqa: F401
