from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "govweb.supervision"
    label = "supervision"
    verbose_name = "监管考核"

    def ready(self):
        from govweb.base.scheduler import PERIODIC_JOBS, PeriodicJob

        from . import jobs
        from .conf import rule_conf

        names = {job.name for job in PERIODIC_JOBS}
        if "supervision_daily" not in names:
            # Checked hourly; runs once a day from the configured hour (jobs.daily_due).
            PERIODIC_JOBS.append(PeriodicJob("supervision_daily", 3600, jobs.daily))
            PERIODIC_JOBS.append(PeriodicJob("supervision_probe", rule_conf("daily")["probe_every_seconds"],
                                             jobs.probe))
