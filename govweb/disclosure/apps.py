from django.apps import AppConfig


class DisclosureConfig(AppConfig):
    name = "govweb.disclosure"
    label = "disclosure"
    verbose_name = "政府信息公开"
