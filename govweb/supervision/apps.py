from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "govweb.supervision"
    label = "supervision"
    verbose_name = "监管考核"
