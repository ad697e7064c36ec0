"""`govweb import FILE` (manage.py import_items): feed items from an outside site into the library."""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from govweb.cluster.models import SiteProfile
from govweb.library.importing import Importer, detect_format, read_records
from govweb.library.models import ImportRun


class Command(BaseCommand):
    help = "导入外部网站的信息（统一格式：JSON Lines 或 CSV，见 docs/subsystems/library.md）。"

    def add_arguments(self, parser):
        parser.add_argument("path", help="JSON Lines (.jsonl) 或 CSV (.csv) 文件；- 表示标准输入")
        parser.add_argument("--format", choices=["jsonl", "csv"], help="默认按扩展名判断")
        parser.add_argument("--site", help="只接受该网站（英文域名）的记录；记录可省略 site 字段")
        parser.add_argument("--batch-size", type=int, default=1000)
        parser.add_argument("--max-errors-shown", type=int, default=50)

    def handle(self, path, format=None, site=None, batch_size=1000, max_errors_shown=50, **options):
        console = Console(file=self.stdout, stderr=False)
        default_site = None
        if site:
            default_site = SiteProfile.objects.select_related("site__root_page").filter(domain=site).first()
            if default_site is None:
                raise CommandError(f"站群中没有域名为“{site}”的网站。")
        fmt = detect_format(path, format)
        if path == "-":
            stream, total = sys.stdin, None
        else:
            file = Path(path)
            if not file.exists():
                raise CommandError(f"文件不存在：{path}")
            with file.open("rb") as fh:
                total = sum(1 for _ in fh) - (1 if fmt == "csv" else 0)
            stream = file.open(encoding="utf-8-sig", newline="" if fmt == "csv" else None)
        started = timezone.now()
        run = ImportRun.objects.create(started_at=started, channel="cli", source_name=str(path)[:300])
        with Progress(TextColumn("[bold]导入"), BarColumn(), MofNCompleteColumn(),
                      TextColumn("{task.fields[rate]}"), TimeRemainingColumn(),
                      console=console, transient=False, disable=not self.stdout.isatty()) as bar:
            task = bar.add_task("import", total=total, rate="")

            def advance(n):
                bar.advance(task, n)

            importer = Importer(default_site=default_site, progress=advance, batch_size=batch_size)
            result = importer.run(read_records(stream, fmt))
        if stream is not sys.stdin:
            stream.close()
        elapsed = (timezone.now() - started).total_seconds() or 1e-9
        run.finished_at = timezone.now()
        run.created, run.updated, run.unchanged = result.created, result.updated, result.unchanged
        run.failed = result.failed
        run.errors = [e.as_dict() for e in result.errors[:1000]]
        run.save()

        for error in result.errors[:max_errors_shown]:
            self.stdout.write(f"  第{error.line}行  字段 {error.field}：{error.reason}")
        if result.failed > max_errors_shown:
            self.stdout.write(f"  ……另有 {result.failed - max_errors_shown} 行出错（完整清单见导入记录 #{run.pk}）")
        table = Table(title="导入结果")
        for column in ("新增", "更新", "未变", "出错", "合计", "用时(秒)", "条/秒"):
            table.add_column(column, justify="right")
        table.add_row(str(result.created), str(result.updated), str(result.unchanged),
                      str(result.failed), str(result.total), f"{elapsed:.1f}",
                      f"{result.total / elapsed:.0f}")
        console.print(table)
        self.stdout.write(
            f"新增 {result.created}，更新 {result.updated}，未变 {result.unchanged}，出错 {result.failed}"
        )
