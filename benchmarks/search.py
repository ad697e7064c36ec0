"""Search benchmark: synthetic realistic documents → segmentation, indexing, size, latency.

    .venv/bin/python benchmarks/search.py                 # 100,000 documents
    .venv/bin/python benchmarks/search.py --docs 1000000  # the 1M run
    .venv/bin/python benchmarks/search.py --no-http       # engine only
    .venv/bin/python benchmarks/search.py --data-dir D --skip-reindex   # searches only, again

Prints: segmentation MB/s (rjieba search mode on the corpus text), full reindex docs/s
(analysis + tantivy, one process), index size, engine latency p50/p95 for two-word
common-term queries with facets, and end-to-end HTTP latency p50/p95 of /search/ and
/search/api/ served by gunicorn (public role, demo cluster + the synthetic documents).
Only 127.0.0.1 is targeted.

Wall-clock figures suffer from whatever else runs on the machine, so CPU time is printed
beside them: per call for the in-process measures (all threads of the process, so the facet
pass that runs beside the ranking counts too), and per request for HTTP (user + system time
of the gunicorn processes during the run, divided by the requests).
"""

import argparse
import http.client
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks import _harness  # noqa: E402

SITES = ["portal", "yunyan", "nanming", "guanshanhu", "gaoxin", "fgw", "jyj", "rsj", "dsj"]
PLACES = ["贵阳市", "云岩区", "南明区", "观山湖区", "花溪区", "乌当区", "白云区", "高新区", "经开区"]
SUBJECTS = ["住房公积金提取", "住房公积金贷款", "社会保险缴费", "养老保险待遇", "医疗保险报销",
            "最低生活保障", "义务教育招生", "营业执照办理", "不动产登记", "人才引进", "高校毕业生就业",
            "创业担保贷款", "老旧小区改造", "垃圾分类", "家庭医生签约", "疫苗接种", "营商环境",
            "大数据产业", "乡村振兴", "安全生产", "防汛抗旱", "城市更新", "公共租赁住房",
            "食品安全", "消费券发放", "职业技能培训", "残疾人补贴", "政府信息公开", "12345热线",
            "数字政府建设", "交通拥堵治理", "河长制", "森林防火", "招商引资", "重大项目建设"]
TITLES = ["关于做好{s}工作的通知", "{p}{s}实施办法", "{p}召开{s}工作推进会", "{s}办事指南",
          "{p}{s}工作取得新进展", "关于{s}有关事项的公告", "《{p}{s}实施方案》政策解读",
          "{p}开展{s}专项行动", "{s}常见问题解答", "{p}{s}情况通报"]
TYPES = ["notice", "policy", "news", "service", "news", "notice", "interpretation", "news",
         "service", "disclosure"]
SENTENCES = [
    "为深入贯彻落实省委、省政府决策部署，进一步做好{s}工作，结合我市实际，制定本方案。",
    "{p}坚持以人民为中心的发展思想，推动{s}提质增效，群众满意度持续提升。",
    "申请人可通过贵州政务服务网、“筑事通”移动端或政务服务中心窗口办理{s}相关事项。",
    "各区（市、县）人民政府、市直各部门要高度重视，明确责任分工，确保各项任务落到实处。",
    "截至目前，全市累计办理{s}业务{n}件，平均办理时限压缩至{d}个工作日。",
    "办理所需材料包括居民身份证、申请表及相关证明材料，材料齐全的当场受理。",
    "下一步，{p}将持续优化服务流程，推动更多事项“一网通办”“跨省通办”。",
    "会议强调，要坚持问题导向、目标导向、结果导向，狠抓工作落实。",
    "对未按规定落实{s}要求的单位，将依法依规严肃处理并予以通报。",
    "咨询电话：0851-12345，工作时间为法定工作日上午9:00至下午5:00。",
]
QUERIES = ["公积金 提取", "社会保险 缴费", "义务教育 招生", "营业执照 办理", "不动产 登记",
           "养老保险 待遇", "人才 引进", "营商 环境", "垃圾 分类", "安全 生产", "乡村 振兴",
           "政务 服务", "高校 毕业生", "疫苗 接种", "城市 更新", "公积金 贷款"]


def synthetic(n, seed=42):
    """n deterministic documents: (key, title, body, type, site, date, topic-less)."""
    rng = random.Random(seed)
    base = datetime(2026, 11, 24, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    for i in range(n):
        s = rng.choice(SUBJECTS)
        p = rng.choice(PLACES)
        title = rng.choice(TITLES).format(s=s, p=p)
        sentences = [rng.choice(SENTENCES).format(s=rng.choice((s, s, rng.choice(SUBJECTS))), p=p,
                                                   n=rng.randint(100, 90000), d=rng.randint(1, 20))
                     for _ in range(rng.randint(4, 9))]
        yield (f"bench:{i}", title, "".join(sentences), TYPES[i % len(TYPES)], SITES[i % 9],
               base - timedelta(days=rng.randint(0, 3650), minutes=rng.randint(0, 1440)))


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def server_cpu_seconds(pid):
    """User + system CPU seconds so far of a process and its descendants (Linux /proc)."""
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        try:
            with open(f"/proc/{current}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as fh:
                    todo += [int(child) for child in fh.read().split()]
        except (OSError, IndexError, ValueError):
            pass
    return total / os.sysconf("SC_CLK_TCK")


def measure_http(port, host, path, params_list, rounds):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    times = []
    for i in range(rounds):
        params = params_list[i % len(params_list)]
        started = time.perf_counter()
        conn.request("GET", f"{path}?{urlencode(params)}", headers={"Host": host})
        response = conn.getresponse()
        response.read()
        times.append((time.perf_counter() - started) * 1000)
        assert response.status == 200, (response.status, path, params)
    conn.close()
    return times


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--docs", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=400)
    parser.add_argument("--no-http", action="store_true")
    parser.add_argument("--data-dir", default=None)
    parser.add_argument("--skip-reindex", action="store_true",
                        help="measure searches on the index already in --data-dir")
    args = parser.parse_args()

    data_dir = Path(args.data_dir or tempfile.mkdtemp(prefix="govweb-search-bench-"))
    if not args.no_http:
        _harness.prepare_demo(data_dir)  # demo cluster (its own small index is replaced below)
    os.environ.update(GOVWEB_DATA_DIR=str(data_dir), DJANGO_SETTINGS_MODULE="govweb.settings.base",
                      GOVWEB_ROLE="public", SEARCH_RATE_LIMIT="")
    import django

    django.setup()
    from govweb.search import analysis, documents, queries
    from govweb.search.engines import get_engine
    from govweb.search.engines.base import EngineQuery

    rows = []

    class Rows(list):
        def append(self, row):
            print("  ", *row, flush=True)  # progress while the run goes on
            super().append(row)

    rows = Rows()
    # 1. Segmentation throughput on corpus text.
    sample = "".join(title + body for _, title, body, *_ in synthetic(20_000, seed=7))
    analysis.index_tokens("预热")
    docs = [title + body for _, title, body, *_ in synthetic(20_000, seed=7)]
    mb = len(sample.encode("utf-8")) / 1e6
    for label, fn in (("segmentation (rjieba search mode)", analysis.index_tokens),
                      ("analysis (fold + segment + join)", analysis.index_text)):
        started, cpu = time.perf_counter(), time.process_time()
        for doc in docs:
            fn(doc)
        wall, cpu = time.perf_counter() - started, time.process_time() - cpu
        rows.append((label, f"{mb / wall:.1f} MB/s", f"{mb / cpu:.1f} MB/s per CPU-second, {mb:.1f} MB"))

    # 2. Full reindex: demo pages (when present) + synthetic documents, one commit.
    engine = get_engine()

    def stream():
        if not args.no_http:
            yield from documents.iter_all_documents()
        for key, title, body, type_, site, date in synthetic(args.docs):
            yield documents.build_document(key=key, url=f"http://www-guiyang.localhost:8000/b/{key}",
                                           title=title, body=body, type=type_, site=site, date=date)

    if args.skip_reindex:
        n = engine.count()
        rows.append(("full reindex", "skipped", f"searching the existing {n:,} docs"))
    else:
        started, cpu = time.perf_counter(), time.process_time()
        n = engine.rebuild(stream())
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        rows.append(("full reindex", f"{n / seconds:,.0f} docs/s",
                     f"{n:,} docs in {seconds:.1f} s wall, {cpu:.1f} s CPU (all threads)"))
    rows.append(("index size", f"{engine.size_bytes() / 1e6:,.1f} MB",
                 f"{engine.size_bytes() / max(n, 1):,.0f} B/doc"))

    # 3. Engine latency: two-word common-term queries with facets.
    settings_ = queries.search_settings()
    engine_times, service_times, totals = [], [], []
    engine_cpu, service_cpu = [], []
    for i in range(args.rounds):
        q = QUERIES[i % len(QUERIES)]
        words = analysis.query_terms(analysis.clean_query(q))
        groups = queries.build_groups(words, settings_.synonyms, engine, query=q)
        started, cpu = time.perf_counter(), time.process_time()
        result = engine.search(EngineQuery(groups=groups, facets=True))
        engine_times.append((time.perf_counter() - started) * 1000)
        engine_cpu.append((time.process_time() - cpu) * 1000)
        totals.append(result.total)
        started, cpu = time.perf_counter(), time.process_time()
        queries.search(queries.SearchParams(q=q, site_key="portal"))
        service_times.append((time.perf_counter() - started) * 1000)
        service_cpu.append((time.process_time() - cpu) * 1000)
    rows.append(("engine search + 4 facets", f"p50 {percentile(engine_times, 50):.1f} ms",
                 f"p95 {percentile(engine_times, 95):.1f} ms (median hits "
                 f"{int(statistics.median(totals)):,}); CPU p50 {percentile(engine_cpu, 50):.1f}"
                 f" / p95 {percentile(engine_cpu, 95):.1f} ms"))
    rows.append(("search service (synonyms, cards, did-you-mean)",
                 f"p50 {percentile(service_times, 50):.1f} ms",
                 f"p95 {percentile(service_times, 95):.1f} ms; CPU p50 "
                 f"{percentile(service_cpu, 50):.1f} / p95 {percentile(service_cpu, 95):.1f} ms"))

    # 4. End to end over HTTP (gunicorn, 2 workers, sequential keep-alive client).
    if not args.no_http:
        port = 18765
        server = _harness.start_gunicorn(data_dir, port, workers=2, SEARCH_RATE_LIMIT="")
        host = "www-guiyang.localhost"
        try:
            _harness.wait_for(f"http://127.0.0.1:{port}/search/?q=%E6%95%99%E8%82%B2", host,
                              timeout=60)
            params = [{"q": q} for q in QUERIES]
            for path in ("/search/", "/search/api/"):
                measure_http(port, host, path, params, 40)  # warm both workers
                cpu = server_cpu_seconds(server.pid)
                times = measure_http(port, host, path, params, args.rounds)
                cpu = (server_cpu_seconds(server.pid) - cpu) / args.rounds * 1000
                rows.append((f"HTTP {path} (facets on)", f"p50 {percentile(times, 50):.1f} ms",
                             f"p95 {percentile(times, 95):.1f} ms; server CPU {cpu:.1f} ms "
                             "per request (mean)"))
        finally:
            _harness.stop(server)

    width = max(len(r[0]) for r in rows)
    corpus = (f"{n:,} indexed documents (reindex skipped)" if args.skip_reindex
              else f"{args.docs:,} synthetic documents")
    print(f"\ngovweb search benchmark — {corpus}, {os.cpu_count()} CPUs, "
          f"load average at end {os.getloadavg()[0]:.1f}")
    for name, value, note in rows:
        print(f"  {name:<{width}}  {value:>18}  {note}")


if __name__ == "__main__":
    main()
