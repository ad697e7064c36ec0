"""`govweb manage services_export FILE`: the catalogue in the exchange format (JSON)."""

import sys

from django.core.management.base import BaseCommand
from rich.progress import Progress

from govweb.services import exchange
from govweb.services.models import ServiceItem


class Command(BaseCommand):
    help = "导出办事服务事项目录（统一交换格式 JSON）"

    def add_arguments(self, parser):
        parser.add_argument("path", help="输出文件，- 表示标准输出")
        parser.add_argument("--attachments", choices=["embed", "reference"], default="embed",
                            help="embed：附件以 Base64 内嵌（默认）；reference：只写文件名和校验值")
        parser.add_argument("--published-only", action="store_true", help="只导出已发布的事项")

    def handle(self, path, attachments, published_only, **options):
        queryset = ServiceItem.objects.filter(live=True) if published_only else ServiceItem.objects.all()
        total = queryset.count()
        handle = sys.stdout if path == "-" else open(path, "w", encoding="utf-8")  # noqa: SIM115
        try:
            with Progress(disable=path == "-", transient=True) as progress:
                task = progress.add_task("导出", total=total)
                count = exchange.write_export(
                    handle, queryset=queryset.order_by("code"), attachments=attachments,
                    progress=lambda n: progress.advance(task, n))
        finally:
            if handle is not sys.stdout:
                handle.close()
        if path != "-":
            self.stdout.write(f"已导出 {count} 个事项到 {path}")
