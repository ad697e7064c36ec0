from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from govweb.analytics.actions import do_apply_retention


class Command(BaseCommand):
    help = "Archive or delete log partitions past the retention period (default: the policy)."

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, help="retention in days (at least 180)")
        parser.add_argument("--action", choices=["archive", "delete"])

    def handle(self, *args, **options):
        try:
            summary = do_apply_retention(days=options["days"], action=options["action"])
        except ValidationError as error:
            raise CommandError("；".join(error.messages))
        self.stdout.write(f"cutoff={summary['cutoff']} partitions={len(summary['partitions'])} "
                          f"log_files={len(summary['log_files'])} "
                          f"audit_entries={summary['audit_entries']} action={summary['action']}")
