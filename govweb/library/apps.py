from django.apps import AppConfig


class LibraryConfig(AppConfig):
    name = "govweb.library"
    label = "library"
    verbose_name = "政务信息资源库"
