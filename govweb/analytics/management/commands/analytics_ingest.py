from django.core.management.base import BaseCommand

from govweb.analytics.actions import do_ingest_logs


class Command(BaseCommand):
    help = "Ingest new access/search/nginx log lines into the analytics store (日志入库)."

    def add_arguments(self, parser):
        parser.add_argument("--settle-seconds", type=int, default=600,
                            help="a trailing partial line is final after this many quiet seconds")

    def handle(self, *args, **options):
        run = do_ingest_logs(settle_seconds=options["settle_seconds"])
        self.stdout.write(f"files={run.files} lines={run.lines} rows={run.rows} "
                          f"malformed={run.malformed} days={len(run.days)} seconds={run.seconds}")
