from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "govweb.analytics"
    label = "analytics"
    verbose_name = "统计分析"

    def ready(self):
        from govweb.base.scheduler import PERIODIC_JOBS, PeriodicJob

        from . import conf, jobs
        from .builtin_providers import register_builtin

        register_builtin()
        names = {job.name for job in PERIODIC_JOBS}
        if "analytics_ingest" not in names:
            PERIODIC_JOBS.append(PeriodicJob("analytics_ingest", conf.ingest_every_seconds(),
                                             jobs.ingest))
            PERIODIC_JOBS.append(PeriodicJob("analytics_daily", 6 * 3600, jobs.daily))
