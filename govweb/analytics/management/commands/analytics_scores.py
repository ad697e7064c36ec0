from django.core.management.base import BaseCommand

from govweb.analytics.actions import do_compute_scores


class Command(BaseCommand):
    help = "Recompute today's evaluation score of every online site (网站评估)."

    def handle(self, *args, **options):
        for score in sorted(do_compute_scores(), key=lambda s: -s.total):
            self.stdout.write(f"{score.total:6.1f}  {score.site.organisation}")
