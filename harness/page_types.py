"""Every kind of public page, with one representative address each.

One list for every check that must cover "every page type": the HTML
validator (tests/test_html_valid.py), axe and the keyboard, zoom and contrast
checks (tests/browser/), Lighthouse (`make bench`) and the accessibility
results page, which names the pages tested.
"""

from dataclasses import dataclass

from django.urls import reverse


@dataclass(frozen=True)
class PageType:
    name: str  # in Japanese: the accessibility results page lists it
    path: str
    charts: int = 0  # charts the page draws
    status: int = 200


def page_types() -> list[PageType]:
    return [
        PageType("ホーム", reverse("projects:home")),
        PageType(
            "プロジェクト（グラフ3件）", reverse("projects:detail", args=["kitanomegumi"]), charts=3
        ),
        PageType(
            "プロジェクト（グラフ1件）", reverse("projects:detail", args=["sumairu"]), charts=1
        ),
        PageType(
            "プロジェクト：指定の版なし",
            reverse("projects:detail", args=["sumairu"]) + "?edition=1999",
            status=404,
        ),
        PageType("評価と検証", reverse("projects:evaluation", args=["sumairu"])),
        PageType("指標と実績の一覧", reverse("indicators:list")),
        PageType(
            "指標と実績の一覧（並べ替え・2ページ目）",
            reverse("indicators:list") + "?sort=-value&page=2",
        ),
        PageType(
            "指標", reverse("indicators:detail", args=["p2-mirai-challenge-budget"]), charts=1
        ),
        PageType("市町村一覧", reverse("municipalities:list")),
        PageType("振興局", reverse("municipalities:subprefecture", args=["hidaka"])),
        PageType("市町村", reverse("municipalities:detail", args=["016071"])),
        # Maps are drawn by maps.js, not as [data-chart] charts (tests/browser/test_maps.py).
        PageType("連携地域と地図", reverse("municipalities:areas")),
        PageType("連携地域", reverse("municipalities:area", args=["tongari-road"])),
        PageType("進捗状況の評価方法", reverse("indicators:progress_rule")),
        PageType("自己評価の評価基準", reverse("indicators:grading_rule")),
        PageType("報告書（印刷用）", reverse("projects:edition_report", args=[2018]), charts=4),
        PageType("検索結果", reverse("projects:search") + "?q=相談"),
        PageType("検索（語なし）", reverse("projects:search")),
        PageType("このサイトについて", reverse("projects:about")),
        PageType("ウェブアクセシビリティ方針", reverse("projects:accessibility")),
        PageType("ウェブアクセシビリティ試験結果", reverse("projects:accessibility_results")),
        PageType("ログイン", reverse("login")),
        PageType("ページが見つかりません（404）", "/no-such-page/", status=404),
    ]
