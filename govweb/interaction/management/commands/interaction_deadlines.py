"""Send deadline reminders and escalate overdue messages and error reports now
(the scheduler also runs this every hour)."""

from django.core.management.base import BaseCommand

from govweb.interaction.actions import check_deadlines


class Command(BaseCommand):
    help = "互动交流：到期提醒与超期督办"

    def handle(self, *args, **options):
        counts = check_deadlines()
        self.stdout.write("提醒 {reminded} 件，留言超期督办 {escalated} 件，纠错超期 {errors_escalated} 件"
                          .format(**counts))
