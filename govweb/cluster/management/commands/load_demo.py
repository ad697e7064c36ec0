from django.core.management.base import BaseCommand, CommandError
from rich.progress import Progress

from govweb.cluster import demo, demo_content


class Command(BaseCommand):
    help = "Load the demo cluster (nine Guiyang government sites). --reset replaces it."

    def add_arguments(self, parser):
        parser.add_argument("--reset", action="store_true", help="remove the current cluster first")
        parser.add_argument("--if-empty", action="store_true", help="do nothing if sites exist")

    def handle(self, *args, reset=False, if_empty=False, **options):
        if demo.demo_is_loaded():
            if if_empty:
                return
            if not reset:
                raise CommandError("站群数据已存在；如需重建请加 --reset。")
            demo.clear_demo()
        with Progress(transient=True) as bar:
            task = bar.add_task("载入演示站群", total=len(demo_content.SITES))
            demo.load_demo(progress=lambda spec: bar.advance(task))
        self.stdout.write(self.style.SUCCESS(f"已载入 {len(demo_content.SITES)} 个演示网站。"))
