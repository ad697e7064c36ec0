"""`govweb manage supervise [--site DOMAIN ...] [--no-crawl]`: run the daily checks now and print them."""

from django.core.management.base import BaseCommand

from govweb.cluster.models import SiteProfile


class Command(BaseCommand):
    help = "读网：对正常运行的网站执行全部检查规则，并打印发现的问题。"

    def add_arguments(self, parser):
        parser.add_argument("--site", action="append", help="网站域名（可重复）")
        parser.add_argument("--no-crawl", action="store_true", help="不检查链接")
        parser.add_argument("--no-alerts", action="store_true", help="不发送提醒")

    def handle(self, *args, **options):
        from govweb.supervision.actions import do_run_checks
        from govweb.supervision.models import Finding

        sites = SiteProfile.objects.online().select_related("site__root_page")
        if options["site"]:
            sites = sites.filter(domain__in=options["site"])
        run = do_run_checks(sites=list(sites), crawl=not options["no_crawl"], alert=not options["no_alerts"])
        for finding in Finding.objects.filter(resolved_at__isnull=True).select_related("site").order_by("site_id", "rule"):
            self.stdout.write(f"{finding.site.short_name}\t{finding.get_severity_display()}\t{finding.rule}\t"
                              f"{finding.summary}\t{finding.url}")
        self.stdout.write(f"页面 {run.pages_checked}，链接 {run.links_checked}，问题 {run.found}"
                          f"（新增 {run.new}，已整改 {run.resolved}）；跳过的规则：{run.skipped_rules or '无'}")
