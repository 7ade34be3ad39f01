"""Chinese full-text search of the library at 2,000 pages.

Usage: .venv/bin/python bench/bench_search.py [--pages 2000] [--runs 20]

Uses DATABASE_URL when set (PostgreSQL: point it at an empty scratch database); otherwise a
fresh var/bench/search.sqlite3. Generates courses, cases and guides of Chinese text (a few
hundred to ~1,500 characters each), times the full rebuild (`library_reindex`), indexing one
page, and the median of each query as a trainer sees it (one page of 20 ranked hits with
snippets, counts per kind included). "hits" counts full and partial matches (a page with only
some segments of the query), "full" the pages that hold every term; the synonym group
客户 = 顾客 is in HQ's list, so 顾客异议处理 also matches 客户异议处理.
"""

import argparse
import logging
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hub.settings.dev")
os.environ["DEBUG"] = "0"
if not os.environ.get("DATABASE_URL"):
    bench_db = ROOT / "var" / "bench" / "search.sqlite3"
    bench_db.parent.mkdir(parents=True, exist_ok=True)
    bench_db.unlink(missing_ok=True)
    os.environ["DATABASE_URL"] = f"sqlite:///{bench_db}"

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from wagtail.models import Page, Site  # noqa: E402
from wagtail.rich_text import RichText  # noqa: E402

from hub.organisation.models import Role  # noqa: E402
from library.models import (  # noqa: E402
    CaseIndexPage,
    CasePage,
    CourseIndexPage,
    CoursePage,
    GuideIndexPage,
    GuidePage,
    LibraryIndexPage,
)
from library.search.indexing import index_rebuild, page_index  # noqa: E402
from library.search.models import SearchEntry, SynonymGroup  # noqa: E402
from library.search.selectors import entries_matching, library_search  # noqa: E402
from library.search.tokens import parse_query  # noqa: E402

PHRASES = [
    "连带销售",
    "客户异议处理",
    "门店陈列",
    "新员工入职",
    "会员复购",
    "服务礼仪",
    "库存盘点",
    "投诉处理流程",
    "店长辅导",
    "产品知识",
    "开场白",
    "需求挖掘",
    "促成交易",
    "售后回访",
    "团队早会",
    "业绩复盘",
    "CRM 系统",
    "角色扮演",
    "案例分析",
]
# Each in about 2% of paragraphs.
RARE = ["岗位认证", "督导巡店", "季度述职"]
FILLER = (
    "培训中要求学员结合本店实际情况进行练习，讲师需要提前准备场景材料并在课后收集反馈，"
    "通过小组讨论与现场演练帮助学员掌握关键步骤，同时注意记录常见问题以便后续改进。"
)
QUERIES = [
    ("common phrase", "连带销售"),
    ("long phrase", "客户异议处理"),
    ("rare phrase", "岗位认证"),
    ("2-char word", "复购"),
    ("1 character", "店"),
    ("mixed zh/en", "CRM 连带销售"),
    ("synonym", "顾客异议处理"),
    ("absent", "区块链金融"),
]


def paragraph(rng: random.Random) -> str:
    words = [rng.choice(PHRASES) for _ in range(rng.randint(2, 6))]
    cut = rng.randint(20, len(FILLER))
    if rng.random() < 0.02:
        words.append(rng.choice(RARE))
    return "，".join(words) + "。" + FILLER[:cut] + "。"


def build(pages: int, rng: random.Random):
    site_root = Site.objects.get(is_default_site=True).root_page
    home = site_root.add_child(instance=LibraryIndexPage(title="培训资源库", slug="lib"))
    courses = home.add_child(instance=CourseIndexPage(title="课程", slug="courses"))
    cases = home.add_child(instance=CaseIndexPage(title="案例库", slug="cases"))
    guides = home.add_child(instance=GuideIndexPage(title="培训流程指南", slug="guides"))
    for n in range(pages):
        title = f"{rng.choice(PHRASES)}{rng.choice(['入门', '进阶', '实战', '案例', '指南'])}{n}"
        paras = [paragraph(rng) for _ in range(rng.randint(2, 10))]
        if n % 3 == 0:
            body = [
                (
                    "module",
                    {
                        "title": f"单元{i}",
                        "duration_minutes": 30,
                        "activities": [{"kind": "lecture", "description": p}],
                    },
                )
                for i, p in enumerate(paras)
            ]
            page = CoursePage(
                title=title,
                slug=f"c{n}",
                summary=paras[0][:80],
                category="in_service",
                audience="backbone",
                body=body,
            )
            courses.add_child(instance=page)
        elif n % 3 == 1:
            html = "".join(f"<p>{p}</p>" for p in paras)
            cases.add_child(instance=CasePage(title=title, slug=f"k{n}", scenario=html))
        else:
            body = [("paragraph", RichText(f"<p>{p}</p>")) for p in paras]
            guides.add_child(instance=GuidePage(title=title, slug=f"g{n}", body=body))
        if n and n % 500 == 0:
            print(f"  {n} pages …", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--pages", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    rng = random.Random(7)
    logging.disable(logging.INFO)
    # Wagtail's own search index is not what we measure: don't build it for every page.
    settings.WAGTAILSEARCH_BACKENDS["default"]["AUTO_UPDATE"] = False
    call_command("migrate", verbosity=0)
    if SearchEntry.objects.exists() or Page.objects.filter(depth__gt=2).exists():
        raise SystemExit("the bench database must be empty (a fresh DATABASE_URL)")
    from tests.factories import EmployeeFactory, grant

    trainer = EmployeeFactory()
    grant(trainer, Role.TRAINER)
    print(f"database: {connection.vendor}; generating {args.pages} pages …", flush=True)
    start = time.perf_counter()
    build(args.pages, rng)
    print(f"  generated in {time.perf_counter() - start:.1f} s")

    start = time.perf_counter()
    counts = index_rebuild()
    rebuild = time.perf_counter() - start
    if connection.vendor == "postgresql":
        # As autovacuum would after a bulk load: flush the GIN pending list, fresh statistics.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE library_searchentry")
            cursor.execute("ANALYZE wagtailcore_page")
    chars = sum(len(t) for t in SearchEntry.objects.values_list("body_text", flat=True))
    print(
        f"full rebuild: {rebuild:.2f} s for {SearchEntry.objects.count()} pages "
        f"({chars / 1e6:.1f} M characters of text; {counts})"
    )
    one = CasePage.objects.live().first()
    times = []
    for _ in range(args.runs):
        start = time.perf_counter()
        page_index(one)
        times.append((time.perf_counter() - start) * 1000)
    print(f"index one page on publish: {statistics.median(times):.1f} ms median")

    SynonymGroup.objects.get_or_create(words="客户, 顾客")
    print(f"\n{'query':<14} {'text':<14} {'hits':>5} {'full':>5} {'median ms':>10} {'queries':>8}")
    for label, query in QUERIES:
        library_search(user=trainer.user, query=query)  # warm up
        times = []
        for _ in range(args.runs):
            with CaptureQueriesContext(connection) as queries:
                start = time.perf_counter()
                results = library_search(user=trainer.user, query=query)
                times.append((time.perf_counter() - start) * 1000)
        print(
            f"{label:<14} {query:<14} {results.total:>5} {results.full_total:>5} "
            f"{statistics.median(times):>10.1f} "
            f"{len(queries):>8}"
        )
    if connection.vendor == "postgresql":
        terms = parse_query("岗位认证", empty_message="", too_long_message="")
        plan = entries_matching(SearchEntry.objects.all(), terms).explain()
        used = "library_search_vector" in plan
        print(f"\nPostgreSQL plan for a rare phrase uses the GIN index: {'yes' if used else 'no'}")


if __name__ == "__main__":
    main()
