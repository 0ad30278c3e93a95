"""Accessibility conformance as Japanese public sites publish it.

The 38 level A and AA success criteria of JIS X 8341-3:2016 (identical to
WCAG 2.0 A + AA), which of them apply to this site, and which checks decide
each one. The checks' results come from a committed test run
(`a11y/results.json`, written by `make a11y` from the browser tests marked
`a11y_check` and from `a11y/manual.yaml`, the checks that need a person).

A criterion that applies is 適合 only when every check it relies on passed in
that run; the site claims 「準拠」 only when every criterion that applies is
適合, otherwise 「一部準拠」 with the others listed (WAIC 対応度表記ガイドライン).
"""

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from django.conf import settings

RESULTS_FILE = Path(settings.BASE_DIR) / "a11y" / "results.json"
STANDARD = "JIS X 8341-3:2016"
TARGET_LEVEL = "AA"


@dataclass(frozen=True)
class Check:
    id: str
    name: str
    method: str  # how it is checked, as the results page says it
    automated: bool = True


CHECKS = {
    c.id: c
    for c in [
        Check(
            "axe",
            "axe-core",
            "axe-core（WCAG 2.0 レベルA・AAのルール）で全ページ種別を検査し、違反0件であること",
        ),
        Check(
            "ibm",
            "IBM Equal Access",
            "IBM Equal Access Accessibility Checkerのエンジン（ルールセットIBM_Accessibility）で"
            "全ページ種別を検査し、違反0件であること（「違反の可能性」「要確認」は人による確認の対象）",
        ),
        Check(
            "vnu",
            "HTMLの検証",
            "W3C Nu Html Checker（vnu）で全ページ種別（未ログイン・ログイン時）を検証し、エラー0件であること",
        ),
        Check(
            "keyboard",
            "キーボード操作",
            "Tabキーだけで全ページ種別のリンク・ボタン・入力欄の全てに文書の順序どおりに到達でき、"
            "各停止位置でフォーカス表示が見え、フォーカスしただけでページが変わらず、最後まで進むと抜けられること",
        ),
        Check(
            "skip_link",
            "ブロックスキップ",
            "最初のTabで「本文へ移動」リンクが表示され、Enterで本文の先頭に移動すること",
        ),
        Check(
            "zoom_reflow",
            "拡大・リフロー",
            "幅1280pxの200%拡大に当たる幅640px、幅320px、文字サイズ200%のそれぞれで、"
            "横スクロールが生じず、文字が重ならず切れないこと",
        ),
        Check(
            "contrast",
            "コントラスト",
            "axe-coreのcolor-contrastに加え、描画後のグラフの文字（4.5:1以上）と棒の色（3:1以上）の"
            "背景に対するコントラスト比を計算すること",
        ),
        Check(
            "chart_not_colour_only",
            "色だけに頼らないグラフ",
            "描画後のグラフの全ての値が文字（ラベル）でも示され、同じ数値の表が添えられていること",
        ),
        Check(
            "chart_text_alternative",
            "グラフの代替テキスト",
            '全てのグラフがrole="img"と全ての数値を含む説明（aria-label）を持ち、'
            "描画前から同じ数値の表・説明が読めること",
        ),
        Check(
            "no_images_of_text",
            "文字画像なし",
            "全ページ種別にimg・canvas・背景画像がなく、グラフの文字がSVGのテキストであること",
        ),
        Check(
            "language",
            "ページと部分の言語",
            'html要素のlang="ja"、英語の文や語句を含む要素にlang="en"があること',
        ),
        Check(
            "titles",
            "ページタイトル",
            "全ページ種別のtitleが固有で、ページの見出し（h1）を含み、サイト名で終わること",
        ),
        Check(
            "consistent_navigation",
            "一貫したナビゲーション",
            "全ページ種別でヘッダー（サイト名・検索・ナビゲーション）とフッターのリンクが同じ順序・同じ名前であり、"
            "検索とナビゲーションの複数の手段があること",
        ),
        Check(
            "forms",
            "フォーム",
            "検索・絞り込み・ログインの入力欄にラベルがあり、選択を変えただけでは送信されず、"
            "ログインの誤りが文字で示され修正方法が書かれていること",
        ),
        Check(
            "manual_sensory",
            "感覚的な特徴（人による確認）",
            "全テンプレートの説明文を読み、形・大きさ・位置・色・音だけで指示していないことを確認する",
            automated=False,
        ),
        Check(
            "manual_headings_links",
            "見出し・リンク・構造（人による確認）",
            "全ページ種別の見出しとリンクの一覧（テストが抽出）を読み、見出しが内容を表し、"
            "リンクの文言だけで行き先が分かり、表の見出しセルが正しいことを確認する",
            automated=False,
        ),
        Check(
            "manual_reading_order",
            "読む順序（人による確認）",
            "スタイルシートを外した表示とHTMLの順序が、画面上の読む順序と同じ意味になることを確認する",
            automated=False,
        ),
    ]
}


@dataclass(frozen=True)
class Criterion:
    number: str
    title: str
    level: str
    checks: tuple = ()  # the checks that decide it; empty when it does not apply
    not_applicable: str = ""  # why it does not apply to this site


NO_MEDIA = "音声・映像のコンテンツがない"
CRITERIA = [
    Criterion("1.1.1", "非テキストコンテンツ", "A", ("axe", "ibm", "chart_text_alternative")),
    Criterion("1.2.1", "音声のみ及び映像のみ（収録済）", "A", not_applicable=NO_MEDIA),
    Criterion("1.2.2", "キャプション（収録済）", "A", not_applicable=NO_MEDIA),
    Criterion(
        "1.2.3", "音声解説、又はメディアに対する代替（収録済）", "A", not_applicable=NO_MEDIA
    ),
    Criterion("1.3.1", "情報及び関係性", "A", ("axe", "ibm", "vnu", "manual_headings_links")),
    Criterion("1.3.2", "意味のある順序", "A", ("keyboard", "manual_reading_order")),
    Criterion("1.3.3", "感覚的な特徴", "A", ("manual_sensory",)),
    Criterion("1.4.1", "色の使用", "A", ("axe", "ibm", "chart_not_colour_only")),
    Criterion("1.4.2", "音声の制御", "A", not_applicable="自動で再生される音声がない"),
    Criterion("2.1.1", "キーボード", "A", ("keyboard",)),
    Criterion("2.1.2", "キーボードトラップなし", "A", ("keyboard",)),
    Criterion("2.2.1", "タイミング調整可能", "A", not_applicable="制限時間のある操作がない"),
    Criterion(
        "2.2.2",
        "一時停止、停止及び非表示",
        "A",
        not_applicable="動く・点滅する・自動で更新される内容がない",
    ),
    Criterion("2.3.1", "3回の閃光、又は閾値以下", "A", not_applicable="閃光を放つ内容がない"),
    Criterion("2.4.1", "ブロックスキップ", "A", ("skip_link",)),
    Criterion("2.4.2", "ページタイトル", "A", ("titles",)),
    Criterion("2.4.3", "フォーカス順序", "A", ("keyboard",)),
    Criterion(
        "2.4.4", "リンクの目的（コンテキスト内）", "A", ("axe", "ibm", "manual_headings_links")
    ),
    Criterion("3.1.1", "ページの言語", "A", ("language",)),
    Criterion("3.2.1", "フォーカス時", "A", ("keyboard",)),
    Criterion("3.2.2", "入力時", "A", ("forms",)),
    Criterion("3.3.1", "エラーの特定", "A", ("forms",)),
    Criterion("3.3.2", "ラベル又は説明", "A", ("axe", "ibm", "forms")),
    Criterion("4.1.1", "構文解析", "A", ("vnu",)),
    Criterion(
        "4.1.2", "名前（name）・役割（role）及び値（value）", "A", ("axe", "ibm", "keyboard")
    ),
    Criterion("1.2.4", "キャプション（ライブ）", "AA", not_applicable=NO_MEDIA),
    Criterion("1.2.5", "音声解説（収録済）", "AA", not_applicable=NO_MEDIA),
    Criterion("1.4.3", "コントラスト（最低限レベル）", "AA", ("axe", "ibm", "contrast")),
    Criterion("1.4.4", "テキストのサイズ変更", "AA", ("zoom_reflow",)),
    Criterion("1.4.5", "文字画像", "AA", ("no_images_of_text",)),
    Criterion("2.4.5", "複数の手段", "AA", ("consistent_navigation",)),
    Criterion("2.4.6", "見出し及びラベル", "AA", ("manual_headings_links", "forms")),
    Criterion("2.4.7", "フォーカスの可視化", "AA", ("keyboard",)),
    Criterion("3.1.2", "一部分の言語", "AA", ("language",)),
    Criterion("3.2.3", "一貫したナビゲーション", "AA", ("consistent_navigation",)),
    Criterion("3.2.4", "一貫した識別性", "AA", ("consistent_navigation",)),
    Criterion("3.3.3", "エラー修正の提案", "AA", ("forms",)),
    Criterion(
        "3.3.4",
        "エラー回避（法的、金融及びデータ）",
        "AA",
        not_applicable="公開ページに、契約・金銭の取引・利用者のデータを変更する送信がない",
    ),
]


def load_results(path: Path = RESULTS_FILE) -> dict | None:
    """The committed test run, or None when `make a11y` has never written it."""
    try:
        run = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    run["date"] = date.fromisoformat(run["date"])
    for result in run["checks"].values():
        if result.get("checked_on"):
            result["checked_on"] = date.fromisoformat(result["checked_on"])
    return run


def evaluate(run: dict) -> dict:
    """Each criterion's 適用/適合 from a run, and the claim the run allows."""
    checks = run["checks"]
    rows = []
    for criterion in CRITERIA:
        if criterion.not_applicable:
            rows.append({"criterion": criterion, "applies": False, "passed": None, "checks": []})
            continue
        used = [{"check": CHECKS[c], **checks.get(c, {"passed": False})} for c in criterion.checks]
        passed = all(c.get("passed") is True for c in used)
        rows.append({"criterion": criterion, "applies": True, "passed": passed, "checks": used})
    failing = [r["criterion"] for r in rows if r["applies"] and not r["passed"]]
    return {
        "rows": rows,
        "failing": failing,
        "claim": "準拠" if not failing else "一部準拠",
        "applicable": sum(r["applies"] for r in rows),
        "passed": sum(bool(r["passed"]) for r in rows),
        "checks": [
            {"check": check, "result": checks.get(id, {"passed": None})}
            for id, check in CHECKS.items()
        ],
    }
