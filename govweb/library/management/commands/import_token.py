from django.core.management.base import BaseCommand, CommandError

from govweb.cluster.models import SiteProfile
from govweb.library.actions import do_create_import_token


class Command(BaseCommand):
    help = "为外部网站创建导入接口令牌（令牌明文只显示一次）。"

    def add_arguments(self, parser):
        parser.add_argument("--site", required=True, help="网站英文域名")
        parser.add_argument("--name", required=True, help="令牌名称，如“市教育局站群系统”")

    def handle(self, site, name, **options):
        profile = SiteProfile.objects.filter(domain=site).first()
        if profile is None:
            raise CommandError(f"站群中没有域名为“{site}”的网站。")
        self.stdout.write(do_create_import_token(profile, name))
