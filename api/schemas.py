"""The API's response shapes: the contract the OpenAPI document publishes.

Field descriptions are Japanese; they are what the documentation page shows.

The strategy's and the places' schemas read model objects: a field is the
model's attribute of the same name, or its `resolve_<field>` (links and URLs,
from the request in the validation context). What an object holds of others
(a strategy's editions, a theme's sections) is what the operation's queryset
prefetched, so who may see what stays in the routers' querysets. Results,
targets and indicators are the downloads' rows, built in api.routers.indicators:
a result carries the columns of the CSV/JSON downloads
(`opendata.columns.RESULTS`) under the same names, plus its own links.
"""

from typing import Literal

from django.urls import reverse
from ninja import Schema
from pydantic import ConfigDict, Field, create_model

from indicators import progress
from opendata import columns

from .links import api_url, link, site_url

Number = int | float
ProgressStatus = Literal[tuple(progress.Status.values)]  # type: ignore[valid-type]


class Link(Schema):
    id: int | str = Field(description="識別子")
    name: str = Field(description="名称")
    url: str = Field(description="このオブジェクトの API の URL")


class Envelope(Schema):
    license: str = Field(description="ライセンスの URL（CC BY 4.0）")
    license_name: str = Field(description="ライセンスの名称")
    attribution: str = Field(description="出典の記載例（クレジット）")


class Page(Envelope):
    count: int = Field(description="条件に合う件数（全ページの合計）")
    page: int = Field(description="このページの番号（1から）")
    per_page: int = Field(description="1ページの件数")
    pages: int = Field(description="ページ数")
    next: str | None = Field(description="次のページの URL（最後のページでは null）")
    previous: str | None = Field(description="前のページの URL（最初のページでは null）")


class Error(Schema):
    status: int = Field(description="HTTP ステータスコード")
    code: str = Field(description="エラーの種類（not_found, invalid_parameter など）")
    message: str = Field(description="日本語のメッセージ")
    message_en: str = Field(description="英語のメッセージ")
    details: list[dict] = Field(description="どのパラメータが正しくないか（ある場合）")


class ErrorOut(Schema):
    error: Error


UNTITLED = "（見出しなし）"


def home_url(context) -> str:
    """The site's front page: the strategy's and every edition's page."""
    return context["request"].build_absolute_uri(reverse("projects:home"))


# --- the strategy ----------------------------------------------------------------


class EditionOut(Schema):
    year: int = Field(description="版（発行の年）。識別子")
    url: str
    html_url: str = Field(description="この版のプロジェクトのページ（サイト）")
    title: str = Field(description="報告書の表題")
    document_number: str = Field(description="資料番号")
    published_on: str = Field(
        description="発行日（YYYY-MM-DD）", json_schema_extra={"format": "date"}
    )
    publisher: str = Field(description="発行者")
    direction_fiscal_year: int = Field(description="推進方向の年度（西暦）")
    results_fiscal_year: int = Field(description="掲載した実績の最新年度（西暦）")
    citation: str = Field(description="この版の数値の出典表記")
    results: str = Field(description="この版に掲載された実績の一覧の URL")

    @staticmethod
    def resolve_url(edition, context):
        return api_url(context["request"], "edition", edition.year)

    @staticmethod
    def resolve_html_url(edition, context):
        return home_url(context)

    @staticmethod
    def resolve_published_on(edition):
        return edition.published_on.isoformat()

    @staticmethod
    def resolve_results(edition, context):
        return api_url(context["request"], "results", query={"edition": edition.year})


class StrategyOut(Schema):
    slug: str
    url: str
    html_url: str
    name: str = Field(description="戦略の名称")
    start_year: int = Field(description="計画期間の初年度（西暦）")
    end_year: int = Field(description="計画期間の最終年度（西暦）")
    vision_target_year: int = Field(description="人口ビジョンの目標年（西暦）")
    vision_population_high: int = Field(description="人口ビジョンの上限（人）")
    vision_population_low: int = Field(description="人口ビジョンの下限（人）")
    vision_text: str = Field(description="人口ビジョンの原文")
    pillars: list[str] = Field(description="戦略の構成")
    editions: list[EditionOut] = Field(description="報告書の版（新しい順）")
    projects: list[Link] = Field(description="重点戦略プロジェクト（番号順）")

    @staticmethod
    def resolve_url(strategy, context):
        return api_url(context["request"], "strategy")

    @staticmethod
    def resolve_html_url(strategy, context):
        return home_url(context)

    @staticmethod
    def resolve_projects(strategy, context):
        request = context["request"]
        return [link(request, "project", p.slug, p.name) for p in strategy.projects.all()]


# --- projects → themes → sections → categories → measures -----------------------------


class ProjectOut(Schema):
    slug: str = Field(description="スラッグ。識別子")
    url: str
    html_url: str = Field(description="サイトのプロジェクトのページ")
    number: int = Field(description="番号（1～5）")
    name: str = Field(description="名称")
    short_name: str = Field(description="略称")
    themes: list[Link] = Field(description="テーマ（ページ）")
    indicators: str = Field(description="このプロジェクトの指標の一覧の URL")
    results: str = Field(description="このプロジェクトの実績の一覧の URL")

    @staticmethod
    def resolve_url(project, context):
        return api_url(context["request"], "project", project.slug)

    @staticmethod
    def resolve_html_url(project, context):
        return site_url(context["request"], project)

    @staticmethod
    def resolve_themes(project, context):
        request = context["request"]
        return [
            link(request, "theme", t.pk, t.title or project.short_name)
            for t in project.themes.all()
        ]

    @staticmethod
    def resolve_indicators(project, context):
        return api_url(context["request"], "indicators", query={"project": project.slug})

    @staticmethod
    def resolve_results(project, context):
        return api_url(context["request"], "results", query={"project": project.slug})


class ThemeOut(Schema):
    id: int
    url: str
    html_url: str
    project: Link
    order: int = Field(description="プロジェクト内の順番")
    title: str = Field(description="副題（ない場合は空文字）")
    sections: list[Link] = Field(
        description="セクション（版ごとの「これまでの主な取組」「推進方向」）"
    )

    @staticmethod
    def resolve_url(theme, context):
        return api_url(context["request"], "theme", theme.pk)

    @staticmethod
    def resolve_html_url(theme, context):
        return site_url(context["request"], theme)

    @staticmethod
    def resolve_project(theme, context):
        return link(context["request"], "project", theme.project.slug, theme.project.name)

    @staticmethod
    def resolve_sections(theme, context):
        request = context["request"]
        return [
            link(request, "section", sec.pk, f"{sec.heading}（{sec.edition.year}年版）")
            for sec in theme.sections.all()
        ]


class SectionOut(Schema):
    id: int
    url: str
    project: Link
    theme: Link
    edition: int = Field(description="掲載した報告書の版（年）")
    kind: Literal["achievements", "direction"] = Field(
        description="achievements＝これまでの主な取組、direction＝推進方向"
    )
    heading: str = Field(description="見出し（例：2018年度の推進方向）")
    lead: str = Field(description="リード文")
    categories: list[Link] = Field(description="分類（見出し）")

    @staticmethod
    def resolve_url(section, context):
        return api_url(context["request"], "section", section.pk)

    @staticmethod
    def resolve_project(section, context):
        project = section.theme.project
        return link(context["request"], "project", project.slug, project.name)

    @staticmethod
    def resolve_theme(section, context):
        theme = section.theme
        return link(context["request"], "theme", theme.pk, theme.title or theme.project.short_name)

    @staticmethod
    def resolve_edition(section):
        return section.edition.year

    @staticmethod
    def resolve_categories(section, context):
        request = context["request"]
        return [
            link(request, "category", c.pk, c.title or UNTITLED) for c in section.categories.all()
        ]


class CategoryOut(Schema):
    id: int
    url: str
    section: Link
    parent: Link | None = Field(description="上位の分類（入れ子のとき）")
    order: int
    title: str = Field(description="見出し（ない場合は空文字）")
    lead: str
    measures: list[Link] = Field(description="施策")

    @staticmethod
    def resolve_url(category, context):
        return api_url(context["request"], "category", category.pk)

    @staticmethod
    def resolve_section(category, context):
        section = category.section
        return link(context["request"], "section", section.pk, section.heading)

    @staticmethod
    def resolve_parent(category, context):
        parent = category.parent
        if parent is None:
            return None
        return link(context["request"], "category", parent.pk, parent.title or UNTITLED)

    @staticmethod
    def resolve_measures(category, context):
        request = context["request"]
        return [link(request, "measure", m.pk, m.title) for m in category.measures.all()]


class MeasureOut(Schema):
    id: int
    url: str
    html_url: str = Field(description="サイトの施策の位置")
    project: Link
    category: Link
    edition: int = Field(description="掲載した報告書の版（年）")
    order: int
    title: str = Field(description="施策の名称（◆の見出し）")
    body: str = Field(description="本文")
    bullets: list = Field(description="箇条書き（文字列、または text と items を持つオブジェクト）")
    funding_note: str = Field(description="財源の注記")
    municipalities: list[Link] = Field(description="名前が挙がっている市町村")
    indicators: list[Link] = Field(description="この施策の指標")

    @staticmethod
    def resolve_url(measure, context):
        return api_url(context["request"], "measure", measure.pk)

    @staticmethod
    def resolve_html_url(measure, context):
        return site_url(context["request"], measure)

    @staticmethod
    def resolve_project(measure, context):
        project = measure.category.section.theme.project
        return link(context["request"], "project", project.slug, project.name)

    @staticmethod
    def resolve_category(measure, context):
        category = measure.category
        return link(context["request"], "category", category.pk, category.title or UNTITLED)

    @staticmethod
    def resolve_edition(measure):
        return measure.category.section.edition.year

    @staticmethod
    def resolve_municipalities(measure, context):
        request = context["request"]
        return [link(request, "municipality", m.code, m.name) for m in measure.municipalities.all()]

    @staticmethod
    def resolve_indicators(measure, context):
        # A measure carried into a later edition shows the indicators of its line,
        # which stay on the first measure of the line (Measure.origin).
        request = context["request"]
        line = measure.origin if measure.origin_id else measure
        return [link(request, "indicator", i.slug, i.name) for i in line.indicators.all()]


# --- indicators, results, targets ---------------------------------------------------

# The downloads' columns (opendata.columns.RESULTS: header, meaning, type) as Python
# types; a result in the API has exactly these keys, plus links.
RESULT_TYPES = {
    "indicator": str,
    "indicator_name": str,
    "project": str,
    "measure": str,
    "fiscal_year": int,
    "period": str,
    "period_start": str | None,
    "period_end": str | None,
    "breakdown": str,
    "value": Number,
    "unit": str,
    "qualifier": str,
    "approximate": bool,
    "denominator": Number | None,
    "denominator_label": str,
    "provisional": bool,
    "status": Literal["published", "draft"],
    "source": str,
    "updated_at": str,
    "edition": int | None,
    "target_fiscal_year": int | None,
    "target": Number | None,
    "baseline_fiscal_year": int | None,
    "baseline": Number | None,
    "direction": Literal["increase", "decrease"] | None,
    "progress_rate": Number | None,
    "progress_status": ProgressStatus | None,
    "progress_status_label": str | None,
    "owner": str,
    "grade": Literal["A", "B", "C", "D", "N"] | None,
    "computed_grade": Literal["A", "B", "C", "D", "N"] | None,
    "grading_rule_version": int | None,
    "grade_override_reason": str,
}
_FORMATS = {"date": "date", "datetime": "date-time"}  # a Table Schema type → JSON Schema's


def _result_fields():
    fields = {}
    for column in columns.RESULTS:
        kind = RESULT_TYPES[column.key]  # a new download column must be typed here
        description = (
            f"{column.label}。{column.description}" if column.description else column.label
        )
        extra = {"format": _FORMATS[column.type]} if column.type in _FORMATS else None
        fields[column.key] = (kind, Field(description=description, json_schema_extra=extra))
    return fields


ResultOut = create_model(
    "Result",
    __base__=Schema,
    id=(int, Field(description="実績の識別子")),
    url=(str, Field(description="この実績の API の URL")),
    indicator_url=(str, Field(description="指標の API の URL")),
    html_url=(str, Field(description="サイトの指標のページ")),
    **_result_fields(),
)
ResultOut.model_config = ConfigDict(title="Result")


class TargetOut(Schema):
    id: int
    url: str
    indicator: Link
    breakdown: str = Field(description="内訳（内訳ごとの目標のとき）")
    fiscal_year: int = Field(description="目標年度（西暦）")
    value: Number = Field(description="目標値。単位は指標の unit")
    kind: Literal["goal", "milestone"] = Field(
        description="goal＝その内訳の最終目標（最も遅い年度）、milestone＝中間目標"
    )
    baseline_fiscal_year: int | None = Field(description="基準年度")
    baseline: Number | None = Field(description="基準値。単位は指標の unit")
    direction: Literal["increase", "decrease"] = Field(
        description="increase＝増やす、decrease＝減らす"
    )
    status: Literal["published", "draft"] = Field(description="published＝公開")
    note: str = Field(description="注記")
    updated_at: str = Field(description="更新日時", json_schema_extra={"format": "date-time"})


class ProgressOut(Schema):
    breakdown: str
    fiscal_year: int | None = Field(description="評価した実績の年度")
    value: Number | None = Field(description="評価した実績の値")
    target_fiscal_year: int
    target: Number
    baseline_fiscal_year: int | None
    baseline: Number | None
    direction: Literal["increase", "decrease"]
    rate: Number | None = Field(description="進捗率（%）")
    expected_rate: Number | None = Field(description="その年度に期待される進捗率（%）")
    status: ProgressStatus = Field(description="進捗状況の区分")
    status_label: str = Field(description="進捗状況（日本語）")


class IndicatorSummary(Schema):
    slug: str = Field(description="スラッグ。識別子（CSV/JSON の indicator 列と同じ）")
    url: str
    html_url: str
    name: str = Field(description="指標の名称")
    unit: str = Field(description="単位")
    project: Link | None
    measure: Link | None
    results: str = Field(description="この指標の実績の一覧の URL")
    csv: str = Field(description="この指標の CSV（UTF-8 BOM 付き）")


class HeadingOut(Schema):
    edition: int = Field(description="報告書の版（年）")
    text: str = Field(description="その版が数値の上に印刷した見出し")


class IndicatorOut(IndicatorSummary):
    group: str = Field(
        description="原資料で数値の上にある見出し（最新の版のもの。版ごとは headings）"
    )
    headings: list[HeadingOut] = Field(description="原資料の見出し（版ごと、新しい版から）")
    description: str = Field(description="定義")
    breakdown_dimension: str = Field(description="内訳の区分（例：コース別）")
    source: str = Field(description="指標の出典（空なら各実績の出典）")
    targets: list[TargetOut] = Field(description="目標（公開されたもの）")
    progress: ProgressOut | None = Field(description="最新の実績の進捗（目標があるとき）")
    series: list[ResultOut] = Field(description="実績（年度順）。results の URL と同じ内容")


# --- municipalities ------------------------------------------------------------------


class SubprefectureOut(Schema):
    slug: str = Field(description="スラッグ。識別子")
    url: str
    html_url: str
    name: str = Field(description="名称（例：空知総合振興局）")
    short_name: str = Field(description="略称")
    kind: Literal["総合振興局", "振興局"]
    seat: str = Field(description="所在地")
    order: int = Field(description="表示順（道の定める順）")
    municipalities: list[Link] = Field(description="管内の市町村（団体コード順）")

    @staticmethod
    def resolve_url(subprefecture, context):
        return api_url(context["request"], "subprefecture", subprefecture.slug)

    @staticmethod
    def resolve_html_url(subprefecture, context):
        return site_url(context["request"], subprefecture)

    @staticmethod
    def resolve_municipalities(subprefecture, context):
        request = context["request"]
        return [
            link(request, "municipality", m.code, m.name)
            for m in subprefecture.municipalities.all()
        ]


class MunicipalityOut(Schema):
    code: str = Field(description="全国地方公共団体コード（JIS X 0402、検査数字つき6桁）。識別子")
    url: str
    html_url: str
    name: str = Field(description="名称")
    kana: str = Field(description="よみ（ひらがな）")
    kind: Literal["市", "町", "村"]
    subprefecture: Link
    latitude: float | None = Field(description="役場の緯度（度、WGS84）")
    longitude: float | None = Field(description="役場の経度（度、WGS84）")
    areas: list[Link] = Field(description="参加している連携地域")
    measures: str = Field(description="名前が挙がっている施策の一覧の URL")

    @staticmethod
    def resolve_url(municipality, context):
        return api_url(context["request"], "municipality", municipality.code)

    @staticmethod
    def resolve_html_url(municipality, context):
        return site_url(context["request"], municipality)

    @staticmethod
    def resolve_subprefecture(municipality, context):
        sub = municipality.subprefecture
        return link(context["request"], "subprefecture", sub.slug, sub.name)

    @staticmethod
    def resolve_latitude(municipality):
        return None if municipality.latitude is None else float(municipality.latitude)

    @staticmethod
    def resolve_longitude(municipality):
        return None if municipality.longitude is None else float(municipality.longitude)

    @staticmethod
    def resolve_areas(municipality, context):
        request = context["request"]
        return [
            link(request, "area", a.slug, a.name) for a in municipality.collaboration_areas.all()
        ]

    @staticmethod
    def resolve_measures(municipality, context):
        return api_url(context["request"], "measures", query={"municipality": municipality.code})


class AreaOut(Schema):
    slug: str = Field(description="スラッグ。識別子")
    url: str
    html_url: str
    name: str = Field(description="名称")
    kind: Literal["model", "teiju", "chusu"] = Field(
        description="model＝市町村連携地域モデル事業、teiju＝定住自立圏、chusu＝連携中枢都市圏"
    )
    kind_label: str = Field(description="種別（日本語）")
    status: str = Field(description="状況")
    start_fiscal_year: int | None = Field(description="開始年度（西暦）")
    description: str
    members: list[Link] = Field(description="構成市町村（団体コード順）")
    member_note: str = Field(description="構成市町村の補足")

    @staticmethod
    def resolve_url(area, context):
        return api_url(context["request"], "area", area.slug)

    @staticmethod
    def resolve_html_url(area, context):
        return site_url(context["request"], area)

    @staticmethod
    def resolve_kind_label(area):
        return area.get_kind_display()

    @staticmethod
    def resolve_members(area, context):
        request = context["request"]
        return [link(request, "municipality", m.code, m.name) for m in area.members.all()]


def page_of(item_schema, name: str):
    """A page of `item_schema` objects, inside the licence envelope."""
    return create_model(
        name,
        __base__=Page,
        results=(list[item_schema], Field(description="このページのオブジェクト")),
    )


def one(item_schema, name: str):
    return create_model(
        name, __base__=Envelope, data=(item_schema, Field(description="オブジェクト"))
    )


# Descriptions of fields and parameters that many objects share, filled into the
# OpenAPI document where a schema does not say more (api.api.PortalAPI).
COMMON_DESCRIPTIONS = {
    "url": "このオブジェクトの API の URL",
    "html_url": "サイトの対応するページの URL",
    "slug": "スラッグ（英小文字・数字・ハイフン）。識別子",
    "id": "識別子（整数）",
    "year": "報告書の版（発行の年、西暦）",
    "error": "エラーの内容",
    "project": "重点戦略プロジェクトへのリンク",
    "theme": "テーマへのリンク",
    "section": "セクションへのリンク",
    "category": "分類（見出し）へのリンク",
    "measure": "施策へのリンク",
    "indicator": "指標（スラッグ）",
    "subprefecture": "振興局へのリンク",
    "order": "表示順（報告書の順）",
    "lead": "リード文",
    "breakdown": "内訳（ない場合は空文字）",
    "target_fiscal_year": "目標年度（西暦）",
    "target": "目標値。単位は指標の unit",
    "baseline_fiscal_year": "基準年度（西暦）",
    "baseline": "基準値。単位は指標の unit",
    "direction": "increase＝増やす、decrease＝減らす",
    "kind": "種別",
    "description": "説明",
}
