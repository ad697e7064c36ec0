"""Services benchmark: import 20,000 service items × 10 materials, then time guide pages.

    .venv/bin/python benchmarks/services.py [--items 20000] [--materials 10] [--requests 400]

Runs in a fresh data dir (SQLite, or DATABASE_URL if set — use a throwaway database), with the
page cache off. The file is imported the way `govweb services import` does it (read a batch at
a time). Prints: file size, import items/s and peak memory of the import (first import, then
the same file again, which must change nothing), and guide page server time p50/p95 measured
in-process through the whole middleware stack (no network), for guides nobody has opened since
the import ("first view") and for guides opened before; also the CPU time per request, which
other processes on a busy machine do not inflate, and the catalogue pages' median times.
Targets: ≥ 200 items/s, p95 ≤ 50 ms.
"""

import argparse
import gc
import json
import os
import random
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

UNITS = [
    ("贵阳市人民政府", "www.guiyang.gov.cn", "5201000001", "portal"),
    ("贵阳市教育局", "jyj.guiyang.gov.cn", "5201000010", "department"),
    ("贵阳市人力资源和社会保障局", "rsj.guiyang.gov.cn", "5201000011", "department"),
    ("云岩区人民政府", "www.yunyan.gov.cn", "5201030001", "district"),
    ("南明区人民政府", "www.nanming.gov.cn", "5201020001", "district"),
]
MATERIAL_NAMES = ["申请表", "居民身份证", "户口簿", "营业执照", "授权委托书", "房屋产权证明",
                  "劳动合同", "学历证书", "近期免冠照片", "情况说明", "银行账户证明", "承诺书"]


def setup_django(data_dir):
    os.environ.update(GOVWEB_DATA_DIR=str(data_dir), GOVWEB_ROLE="public", GOVWEB_PAGE_CACHE="0",
                      DJANGO_SETTINGS_MODULE="govweb.settings.base", LOG_LEVEL="ERROR")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("collectstatic", "--no-input", verbosity=0)


def create_units():
    """Sites without page content: the benchmark needs units, not the library's demo."""
    from wagtail.models import Page, Site

    from govweb.cluster.models import SiteProfile

    Site.objects.all().delete()
    root = Page.get_first_root_node()
    units = []
    for index, (name, domain, code, category) in enumerate(UNITS):
        site = Site.objects.create(hostname=domain.replace(".gov.cn", "").replace(".", "-") + ".localhost",
                                   port=8000, root_page=root, site_name=name,
                                   is_default_site=index == 0)
        units.append(SiteProfile.objects.create(
            site=site, organisation=name, short_name=name[:6], category=category, domain=domain,
            id_code=code, sponsor=name, status="online"))
    return units


def iter_records(count, materials):
    rnd = random.Random(7)
    for n in range(count):
        unit = UNITS[n % len(UNITS)][0]
        yield {
            "code": f"11520100009425742J{20 + n % 2:02d}{n:010d}",
            "name": f"{rnd.choice(['住房公积金提取', '营业执照设立登记', '就业登记', '居住证办理', '社会保障卡申领'])}（第{n}号）",
            "kind": "20" if n % 2 else "01", "department": unit, "audience": "individual",
            "topics": [{"kind": "person", "name": rnd.choice(["出生", "上学", "就业", "住房"])},
                       {"kind": "theme", "name": rnd.choice(["社会保障", "教育", "市场监管"])}],
            "legal_basis": "《中华人民共和国行政许可法》第二十九条；《贵州省政务服务条例》第十二条。" * 2,
            "conditions": "1. 申请人具有完全民事行为能力；\n2. 符合法律法规规定的其他条件。" * 2,
            "statutory_limit_days": 20, "promised_limit_days": 5, "fee_standard": "不收费",
            "place": "贵阳市政务服务中心（观山湖区金阳南路6号）", "hours": "周一至周五 9:00—17:00",
            "phone": "0851-87987114", "complaint_phone": "12345", "visits_required": 1,
            "online_url": "https://zwfw.guizhou.gov.cn/", "online_depth": "4", "version": 1,
            "last_verified": "2025-06-01", "published": True,
            "materials": [{"name": MATERIAL_NAMES[(n + m) % len(MATERIAL_NAMES)], "basis": "《条例》第十条",
                           "form": "both", "medium": "paper", "copies": 1, "seal": "signature",
                           "source": "applicant", "required": True, "notes": ""}
                          for m in range(materials)],
            "steps": [{"name": s, "time_limit_days": d, "counted_in_limit": True, "fee": "", "basis": ""}
                      for s, d in (("受理", 0), ("审查", 3), ("决定", 1), ("送达", 1))],
            "questions": [{"question": "可以委托他人办理吗？", "answer": "可以，需提供授权委托书和双方身份证。"}],
            "applications": [],
        }


def write_catalogue(path, count, materials):
    """The exchange file, written a record at a time (the benchmark's own memory stays flat)."""
    with open(path, "w", encoding="utf-8") as handle:
        handle.write('{"format": "govweb-service-catalogue", "version": 1, "items": [')
        for n, record in enumerate(iter_records(count, materials)):
            handle.write(("," if n else "") + json.dumps(record, ensure_ascii=False))
        handle.write("]}")


def _status_mb(field):
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def reset_peak_rss():
    """Start a new peak-memory window (Linux ≥ 4.0); False where the peak cannot be reset."""
    try:
        with open("/proc/self/clear_refs", "w") as handle:
            handle.write("5")
        return True
    except OSError:
        return False


def peak_rss_mb():
    """Peak resident memory since the last reset (or since the process started)."""
    peak = _status_mb("VmHWM")
    return peak if peak is not None else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def time_import(path, label):
    """Import as the CLI does; returns (report, wall s, CPU s, peak RSS MB during the import)."""
    from govweb.services import actions
    from govweb.services.exchange_file import CatalogueFile

    gc.collect()
    reset_peak_rss()
    start, cpu = time.perf_counter(), time.process_time()
    with open(path, "rb") as handle:
        report = actions.do_import_catalogue(CatalogueFile.open(handle), source=label)
    return report, time.perf_counter() - start, time.process_time() - cpu, peak_rss_mb()


def percentiles(timings):
    timings = sorted(timings)
    return {"p50": statistics.median(timings), "p95": timings[max(int(len(timings) * 0.95) - 1, 0)],
            "max": timings[-1]}


def time_guides(client, host, codes, warm):
    """Server time of guide pages (ms, plus CPU ms per request). `warm`: each guide was opened
    before (its body is in the fragment cache); otherwise nobody has opened it since it was
    saved, so the page is rendered in full."""
    if warm:
        for code in set(codes):
            client.get(f"/banshi/shixiang/{code}/", HTTP_HOST=host)
    timings = []
    cpu = time.process_time()
    for code in codes:
        start = time.perf_counter()
        response = client.get(f"/banshi/shixiang/{code}/", HTTP_HOST=host)
        timings.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200
    result = percentiles(timings)
    result["cpu"] = (time.process_time() - cpu) * 1000 / len(codes)
    return result


def time_pages(client, host, paths, repeat):
    """Median server time (ms) of catalogue pages, each requested `repeat` times."""
    medians = {}
    for path in paths:
        client.get(path, HTTP_HOST=host)
        timings = []
        for _ in range(repeat):
            start = time.perf_counter()
            response = client.get(path, HTTP_HOST=host)
            timings.append((time.perf_counter() - start) * 1000)
            assert response.status_code == 200, path
        medians[path] = statistics.median(timings)
    return medians


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=20_000)
    parser.add_argument("--materials", type=int, default=10)
    parser.add_argument("--requests", type=int, default=400)
    args = parser.parse_args()

    data_dir = Path(tempfile.mkdtemp(prefix="govweb-bench-services-"))
    setup_django(data_dir)
    from django.db import connection
    from django.test import Client

    from govweb.services.models import ServiceItem, ServiceMaterial

    units = create_units()
    path = data_dir / "catalogue.json"
    write_catalogue(path, args.items, args.materials)
    size_mb = path.stat().st_size / 1024 / 1024
    gc.collect()
    base_rss = _status_mb("VmRSS") or peak_rss_mb()

    first, first_s, first_cpu, peak_first = time_import(path, "benchmark")
    assert first.created == args.items and first.failed == 0, first.as_dict(limit=3)
    second, second_s, second_cpu, peak_second = time_import(path, "benchmark again")
    assert second.unchanged == args.items, (second.created, second.updated, second.failed)
    # A server process holds no import reports: drop them (40,000 entries would otherwise make
    # every full garbage collection during the page timings slower).
    del first, second
    gc.collect()

    # Guides in import order: the first `requests` are opened for the first time below; the
    # warm run repeats 100 others; the last 20 warm up templates and connections.
    codes = list(ServiceItem.objects.order_by("code").values_list("code", flat=True)[:args.requests + 120])
    assert len(codes) >= args.requests + 120, "--items must be at least --requests + 120"
    client = Client()
    host = units[0].site.hostname + ":8000"
    for code in codes[-20:]:
        assert client.get(f"/banshi/shixiang/{code}/", HTTP_HOST=host).status_code == 200
    cold = time_guides(client, host, codes[:args.requests], warm=False)
    rnd = random.Random(11)
    repeat_pool = codes[args.requests:args.requests + 100]
    guides = time_guides(client, host, [rnd.choice(repeat_pool) for _ in range(args.requests)], warm=True)
    pages = time_pages(client, host, ["/banshi/", "/banshi/geren/", "/banshi/shixiang/?page=3",
                                      "/banshi/zimu/", "/banshi/remen/"], repeat=5)

    def rate(seconds):
        return args.items / seconds

    load = os.getloadavg()[0]
    rows = [
        ("database", connection.vendor),
        ("data", f"{args.items} items × {args.materials} materials, 4 steps, 1 FAQ; file {size_mb:.1f} MB"),
        ("stored", f"{ServiceItem.objects.count()} items, {ServiceMaterial.objects.count()} materials"),
        ("import (new)", f"{first_s:.1f} s → {rate(first_s):.0f} items/s "
                         f"(CPU {first_cpu:.1f} s → {rate(first_cpu):.0f} items/CPU-s)"),
        ("import again (unchanged)", f"{second_s:.1f} s → {rate(second_s):.0f} items/s "
                                     f"(CPU {second_cpu:.1f} s)"),
        ("peak RSS", f"{base_rss:.0f} MB before the imports; peak {peak_first:.0f} MB during the "
                     f"1st import, {peak_second:.0f} MB during the 2nd"),
        ("guide page, first view", f"p50 {cold['p50']:.1f} ms, p95 {cold['p95']:.1f} ms, "
                                   f"max {cold['max']:.1f} ms; CPU {cold['cpu']:.1f} ms/request "
                                   f"({args.requests} different guides, each opened once)"),
        ("guide page, viewed before", f"p50 {guides['p50']:.1f} ms, p95 {guides['p95']:.1f} ms, "
                                      f"max {guides['max']:.1f} ms; CPU {guides['cpu']:.1f} ms/request "
                                      f"({args.requests} requests over 100 guides; guide-body "
                                      "fragment cached)"),
        ("catalogue pages (p50)", ", ".join(f"{p} {ms:.0f} ms" for p, ms in pages.items())),
        ("machine", f"{os.cpu_count()} CPUs, load average {load:.1f} at the end"
                    + (" — busy: wall times are inflated, compare CPU times" if load > 1.5 else "")),
        ("targets", f"≥ 200 items/s: {'met' if rate(first_s) >= 200 else 'NOT met'}; "
                    f"p95 ≤ 50 ms: {'met' if guides['p95'] <= 50 else 'NOT met'} (viewed before), "
                    f"{'met' if cold['p95'] <= 50 else 'NOT met'} (first view)"),
    ]
    width = max(len(k) for k, _ in rows)
    for key, value in rows:
        print(f"{key.ljust(width)}  {value}")


if __name__ == "__main__":
    main()
