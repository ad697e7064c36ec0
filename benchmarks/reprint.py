"""推送与转载 at scale: propagation cost of pushes and the speed of the reprint report.

    .venv/bin/python benchmarks/reprint.py [--directives 1000] [--requests 200] [--data-dir D]

On a prepared demo data dir (SQLite, migrated, demo loaded — see _harness.prepare_demo) it
measures, in-process (server time, no network):
  * pushing one item to every other site (8 aliases), republishing it, unpublishing it;
  * N extra directives × 8 sites (N×8 tasks, ~60% done on time, ~15% late, rest open/missing),
    then the directive report, the per-site report and the admin "转载任务" page;
  * public GETs of a pushed alias page against its source page (p50/p95).
Only 127.0.0.1 names are used; nothing leaves the machine. The page cache is not involved
(GOVWEB_PAGE_CACHE=0; the test client calls Django directly). Purging on publish still runs.
"""

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _harness as h  # noqa: E402


def pct(samples, q):
    samples = sorted(samples)
    return samples[min(len(samples) - 1, int(round(q / 100 * (len(samples) - 1))))]


def timed(fn, repeat=1):
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--directives", type=int, default=1000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--data-dir", default=None)
    args = parser.parse_args()

    data_dir = Path(args.data_dir or tempfile.mkdtemp(prefix="govweb-bench-reprint-"))
    h.prepare_demo(data_dir)
    # Page cache off: the figures are Django's own server time, not cache hits.
    os.environ.update(GOVWEB_DATA_DIR=str(data_dir), GOVWEB_ROLE="public",
                      DJANGO_SETTINGS_MODULE="govweb.settings.base", GOVWEB_PAGE_CACHE="0")
    sys.path.insert(0, str(h.ROOT))
    import django

    django.setup()
    from datetime import timedelta

    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client, override_settings
    from django.utils import timezone
    from wagtail.models import Page

    from govweb.cluster.models import SiteProfile
    from govweb.cluster.validators import local_host_for
    from govweb.library.models import ArticlePage
    from govweb.reprint import actions, queries
    from govweb.reprint.models import ReprintDirective, ReprintTask, TaskStatus

    rows = []
    User = get_user_model()
    admin = User.objects.get(username="admin")
    sites = {p.site.root_page.slug: p for p in SiteProfile.objects.select_related("site__root_page")}
    jyj, portal = sites["jyj"], sites["portal"]
    pushed = set(queries.PushRecord.objects.values_list("source_page_id", flat=True))
    item = (ArticlePage.objects.descendant_of(jyj.site.root_page).live()
            .filter(alias_of__isnull=True).exclude(pk__in=pushed).order_by("path").first())
    targets = [queries.columns_of(p).first() for key, p in sites.items() if key != "jyj"]

    ms = timed(lambda: [actions.do_push_page(item, c, user=admin) for c in targets])[0]
    rows.append(("push 1 item to 8 sites (8 aliases)", f"{ms:.0f} ms"))
    item.title = item.title + "（更新）"
    ms = timed(lambda: item.save_revision(user=admin).publish(user=admin))[0]
    rows.append(("republish source, 8 aliases follow", f"{ms:.0f} ms"))
    item = ArticlePage.objects.get(pk=item.pk)
    ms = timed(lambda: item.unpublish(user=admin))[0]
    rows.append(("unpublish source, 8 aliases follow", f"{ms:.0f} ms"))
    assert not Page.objects.filter(alias_of=item, live=True).exists()
    item.save_revision(user=admin).publish(user=admin)

    # N directives, tasks written in bulk (the report reads states, not pages).
    now = timezone.now()
    others = [p for key, p in sites.items() if key != "portal"]
    source = ArticlePage.objects.descendant_of(portal.site.root_page).live().first()
    start = time.perf_counter()
    directives = ReprintDirective.objects.bulk_create([
        ReprintDirective(title=f"{source.title}（{i}）", source_page=source, source_name="贵阳市人民政府",
                         issued_at=now - timedelta(hours=6 * i), deadline=now - timedelta(hours=6 * i - 12))
        for i in range(1, args.directives + 1)
    ])
    tasks = []
    for i, directive in enumerate(directives):
        for j, site in enumerate(others):
            roll = (i * 8 + j) % 20
            if roll < 12:
                done = directive.issued_at + timedelta(hours=1 + roll % 10)
            elif roll < 15:
                done = directive.deadline + timedelta(minutes=30 * (roll - 11))
            else:
                done = None
            tasks.append(ReprintTask(directive=directive, site=site, done_at=done,
                                     status=TaskStatus.DONE if done else TaskStatus.PENDING))
    ReprintTask.objects.bulk_create(tasks, batch_size=2000)
    rows.append((f"write {args.directives} directives / {len(tasks)} tasks (bulk)",
                 f"{(time.perf_counter() - start) * 1000:.0f} ms"))

    one = directives[len(directives) // 2]
    samples = timed(lambda: queries.directive_report(one, now), repeat=50)
    rows.append(("directive report (8 sites) p50 / p95",
                 f"{pct(samples, 50):.1f} / {pct(samples, 95):.1f} ms"))
    samples = timed(lambda: queries.site_report(now, since=now - timedelta(days=30)), repeat=10)
    rows.append(("per-site report, last 30 days p50 / p95",
                 f"{pct(samples, 50):.1f} / {pct(samples, 95):.1f} ms"))
    samples = timed(lambda: queries.site_report(now), repeat=5)
    rows.append((f"per-site report, all {len(tasks)} tasks p50",
                 f"{pct(samples, 50):.1f} ms"))

    client = Client()
    client.force_login(admin)
    with override_settings(GOVWEB_ROLE="admin", ROOT_URLCONF="govweb.urls.admin"):
        samples = []
        for _ in range(20):
            start = time.perf_counter()
            response = client.get("/admin/reprint/", HTTP_HOST="127.0.0.1:8001")
            samples.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200
    rows.append(("admin 转载任务 page (cluster admin) p50 / p95",
                 f"{pct(samples, 50):.1f} / {pct(samples, 95):.1f} ms"))

    record = queries.PushRecord.objects.filter(source_page=item).select_related("target_site").first()
    alias = Page.objects.get(pk=record.alias_page_id)
    anonymous = Client()
    for label, page, site in (("public: source page", item, jyj),
                              ("public: pushed alias page", alias, record.target_site)):
        host = f"{local_host_for(site.domain)}:8000"
        path = "/" + page.url_path[len(site.site.root_page.url_path):]
        samples = []
        for _ in range(args.requests):
            start = time.perf_counter()
            response = anonymous.get(path, HTTP_HOST=host)
            samples.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200, (path, response.status_code)
        rows.append((f"{label} p50 / p95 ({args.requests} GETs)",
                     f"{pct(samples, 50):.1f} / {pct(samples, 95):.1f} ms"))

    size = os.path.getsize(data_dir / "govweb.sqlite3") / 1e6
    width = max(len(r[0]) for r in rows)
    print(f"reprint benchmark — {connection.vendor}, database {size:.1f} MB after the run, "
          f"demo cluster + {len(directives)} directives / {len(tasks)} tasks")
    for label, value in rows:
        print(f"  {label.ljust(width)}  {value}")


if __name__ == "__main__":
    main()
