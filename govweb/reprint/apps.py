from django.apps import AppConfig


class ReprintConfig(AppConfig):
    name = "govweb.reprint"
    label = "reprint"
    verbose_name = "推送与转载"

    def ready(self):
        from govweb.base.scheduler import PERIODIC_JOBS

        from .jobs import JOBS

        known = {job.name for job in PERIODIC_JOBS}
        PERIODIC_JOBS.extend(job for job in JOBS if job.name not in known)
