import signal

from django.core.management.base import BaseCommand

from govweb.base import scheduler


class Command(BaseCommand):
    help = "Run periodic jobs (scheduled publishing and more) until stopped."

    def handle(self, *args, **options):
        stopping = []
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *a: stopping.append(True))
        self.stdout.write("scheduler started: " + ", ".join(j.name for j in scheduler.PERIODIC_JOBS))
        scheduler.loop(stop=lambda: bool(stopping), tick_seconds=1)
