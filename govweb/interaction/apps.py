from django.apps import AppConfig


class InteractionConfig(AppConfig):
    name = "govweb.interaction"
    label = "interaction"
    verbose_name = "互动交流"

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from govweb.base.scheduler import PERIODIC_JOBS, PeriodicJob

        from . import guard, workdays
        from .models import SensitiveWord, WorkCalendarDay

        def check_deadlines():
            from .actions import check_deadlines as run

            run()

        if not any(job.name == "interaction_deadlines" for job in PERIODIC_JOBS):
            PERIODIC_JOBS.append(PeriodicJob("interaction_deadlines", 3600, check_deadlines))
        for signal in (post_save, post_delete):
            signal.connect(lambda **kw: workdays.forget_overrides(), sender=WorkCalendarDay,
                           weak=False, dispatch_uid=f"interaction_calendar_{signal}")
            signal.connect(lambda **kw: guard.forget_sensitive_words(), sender=SensitiveWord,
                           weak=False, dispatch_uid=f"interaction_words_{signal}")
