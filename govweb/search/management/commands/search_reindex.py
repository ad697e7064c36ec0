"""`govweb search reindex`: rebuild the whole search index from the database."""

import time

from django.core.management.base import BaseCommand

from govweb.search import actions, documents
from govweb.search.engines import get_engine


class Command(BaseCommand):
    help = "重建站群搜索索引（全部网站的已发布页面及已注册的数据源）"

    def handle(self, *args, **options):
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

        engine = get_engine()
        total = documents.count_all_documents()
        started = time.perf_counter()
        with Progress("[progress.description]{task.description}", BarColumn(),
                      MofNCompleteColumn(), TimeElapsedColumn(),
                      disable=options["verbosity"] == 0) as progress:
            task = progress.add_task("重建索引", total=total or None)
            n = actions.do_rebuild_index(
                progress=lambda k: progress.advance(task, k), engine=engine)
            progress.update(task, completed=n, total=max(n, total))
        if options["verbosity"]:
            self.stdout.write(
                f"已索引 {n} 条，用时 {time.perf_counter() - started:.1f} 秒（引擎：{engine.name}）")
