from django.apps import AppConfig


def _forget_deadline_rules():
    from .actions import forget_deadline_rules

    forget_deadline_rules()


def _forget_units():
    from .queries import forget_units

    forget_units()


class InteractionConfig(AppConfig):
    name = "govweb.interaction"
    label = "interaction"
    verbose_name = "互动交流"

    def ready(self):
        from django.db.models.signals import post_delete, post_save

        from govweb.base.scheduler import PERIODIC_JOBS, PeriodicJob
        from govweb.cluster.models import SiteProfile

        from . import guard, search, workdays
        from .models import DeadlineRule, SensitiveWord, WorkCalendarDay

        def check_deadlines():
            from .actions import check_deadlines as run

            run()

        def deliver_notifications():
            from .actions import do_queue_receipt_notices
            from .notify import deliver_pending

            do_queue_receipt_notices()
            deliver_pending()

        search.register()
        for job in (PeriodicJob("interaction_deadlines", 3600, check_deadlines),
                    PeriodicJob("interaction_outbox", 60, deliver_notifications)):
            if not any(existing.name == job.name for existing in PERIODIC_JOBS):
                PERIODIC_JOBS.append(job)
        for signal in (post_save, post_delete):
            signal.connect(lambda **kw: workdays.forget_overrides(), sender=WorkCalendarDay,
                           weak=False, dispatch_uid=f"interaction_calendar_{signal}")
            signal.connect(lambda **kw: guard.forget_sensitive_words(), sender=SensitiveWord,
                           weak=False, dispatch_uid=f"interaction_words_{signal}")
            signal.connect(lambda **kw: _forget_deadline_rules(), sender=DeadlineRule,
                           weak=False, dispatch_uid=f"interaction_rules_{signal}")
            signal.connect(lambda **kw: _forget_units(), sender=SiteProfile,
                           weak=False, dispatch_uid=f"interaction_units_{signal}")
