"""`govweb manage services_token NAME [--import]`: an API token for the provincial hall."""

from django.core.management.base import BaseCommand

from govweb.services import actions


class Command(BaseCommand):
    help = "为省网上办事大厅创建数据交换 API 令牌（只显示一次）"

    def add_arguments(self, parser):
        parser.add_argument("name")
        parser.add_argument("--import", dest="can_import", action="store_true", help="允许通过 API 导入")

    def handle(self, name, can_import, **options):
        token = actions.do_create_exchange_token(name, can_import=can_import)
        self.stdout.write(token)
