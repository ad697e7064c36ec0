from django.apps import AppConfig


class DisclosureConfig(AppConfig):
    name = "govweb.disclosure"
    label = "disclosure"
    verbose_name = "政府信息公开"

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from .models import Audience, Genre, TopicCategory
        from .queries import forget_terms

        for model in (TopicCategory, Genre, Audience):
            post_save.connect(forget_terms, sender=model, dispatch_uid=f"disclosure.terms.save.{model.__name__}")
            post_delete.connect(forget_terms, sender=model,
                                dispatch_uid=f"disclosure.terms.delete.{model.__name__}")
