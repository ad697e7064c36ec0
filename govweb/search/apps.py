from django.apps import AppConfig


class SearchConfig(AppConfig):
    name = "govweb.search"
    label = "search"
    verbose_name = "站群搜索"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from govweb.base.scheduler import PERIODIC_JOBS, PeriodicJob

        from . import jobs, signal_handlers

        signal_handlers.connect()
        names = {job.name for job in PERIODIC_JOBS}
        if "search_reconcile" not in names:
            PERIODIC_JOBS.append(PeriodicJob("search_reconcile", 3600, jobs.reconcile_index))
        if "search_prune_log" not in names:
            PERIODIC_JOBS.append(PeriodicJob("search_prune_log", 86400, jobs.prune_search_log))
