"""`govweb manage services_import FILE`: import the provincial hall's catalogue (idempotent)."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from rich.progress import Progress

from govweb.services import actions
from govweb.services.exchange_file import CatalogueFile, NotACatalogue


class Command(BaseCommand):
    help = "导入省网上办事大厅的办事服务事项目录（按事项编码幂等导入，逐条校验并报告）"

    def add_arguments(self, parser):
        parser.add_argument("path", help="统一交换格式的 JSON 文件")
        parser.add_argument("--check-only", action="store_true",
                            help="只比对：记录大厅版本并输出差异，不修改指南")
        parser.add_argument("--report", help="把差异报告（JSON）写入此文件")
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, path, check_only, report, no_progress, **options):
        try:
            handle = open(path, "rb")
        except OSError as error:
            raise CommandError(f"无法读取 {path}：{error}") from error
        with handle:
            self._import(handle, path, check_only, report, no_progress)

    def _import(self, handle, path, check_only, report, no_progress):
        try:
            # Read a batch at a time: a whole catalogue would take several times its size.
            records = CatalogueFile.open(handle)
        except NotACatalogue as error:
            raise CommandError(f"{path} {error}。") from error
        except (OSError, ValueError) as error:
            raise CommandError(f"无法读取 {path}：{error}") from error
        with Progress(disable=no_progress, transient=True) as progress:
            task = progress.add_task("导入", total=len(records))
            result = actions.do_import_catalogue(
                records, source=str(path), channel="cli", check_only=check_only,
                progress=lambda n: progress.advance(task, n))
        self.stdout.write(
            f"新增 {result.created}，更新 {result.updated}，未变化 {result.unchanged}，失败 {result.failed}"
            + ("（仅比对）" if check_only else ""))
        for entry in result.entries:
            if entry["status"] == "failed":
                reasons = "；".join(f"{e['field'] or '记录'}：{e['reason']}" for e in entry["errors"])
                self.stdout.write(f"  第 {entry['index'] + 1} 条 {entry['code'] or ''} 失败 — {reasons}")
            elif entry.get("changes"):
                fields = "、".join(entry["changes"])
                self.stdout.write(f"  第 {entry['index'] + 1} 条 {entry['code']} 变化：{fields}")
            for warning in entry.get("warnings", []):
                self.stdout.write(f"  第 {entry['index'] + 1} 条 {entry['code']} 提示：{warning}")
        if report:
            Path(report).write_text(json.dumps(result.as_dict(), ensure_ascii=False, indent=1),
                                    encoding="utf-8")
