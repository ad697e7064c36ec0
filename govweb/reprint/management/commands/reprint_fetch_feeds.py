from django.core.management.base import BaseCommand

from govweb.reprint.actions import do_fetch_feed
from govweb.reprint.models import UpstreamFeed


class Command(BaseCommand):
    help = "抓取上级网站信息源，为新条目下发转载指令（调度器每15分钟自动运行）。"

    def handle(self, *args, **options):
        for feed in UpstreamFeed.objects.filter(active=True):
            do_fetch_feed(feed)
            feed.refresh_from_db()
            self.stdout.write(f"{feed.name}：{feed.last_status}")
