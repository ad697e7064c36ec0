from django.core.management.base import BaseCommand

from govweb.reprint.actions import do_alert_late_tasks


class Command(BaseCommand):
    help = "提醒逾期未转载网站的编辑（调度器每5分钟自动运行）。"

    def handle(self, *args, **options):
        alerted = do_alert_late_tasks()
        self.stdout.write(f"已提醒 {len(alerted)} 项逾期转载任务。")
