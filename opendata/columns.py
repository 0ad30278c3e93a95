"""Every open-data column, described once: the one column specification per dataset.

Made from it: the CSV, JSON and XLSX headers (indicators/exports.py, api/catalog.py),
the 項目定義書 (dictionary.csv and the workbook's sheet), the Data Package's Table
Schemas (api/datapackage.py), the API's field descriptions (api/schemas.py), the
catalogue's columns, and the editors' spreadsheet where a column means the same
(indicators/resources.py). Columns are only ever added at the end of a list.
"""

from dataclasses import dataclass

# A Table Schema type → how the 項目定義書 says it.
TYPE_WORDS = {
    "string": "文字列",
    "integer": "整数",
    "number": "数値",
    "boolean": "真偽値（1/0）",
    "date": "日付（YYYY-MM-DD）",
    "datetime": "日時（ISO 8601、日本時間）",
}
CODE_PATTERN = "^[0-9]{6}$"
# How pandas keeps a code's leading zero: pd.read_csv(f, dtype={"団体コード": str}).
PANDAS_TEXT = "str"
UNIT_OF_ROW = "unit 列の単位"
FISCAL_YEAR = "年度（西暦）"


@dataclass(frozen=True)
class Column:
    key: str  # the JSON / API name
    label: str  # the CSV / XLSX header (Japanese)
    label_en: str
    type: str  # a Table Schema type
    description: str = ""  # what it means, where the label does not say it all
    unit: str = ""
    code: bool = False  # digits with leading zeros (011002): text, never a number
    categories: bool = False  # one of a fixed set of values
    word: str = ""  # the 項目定義書's type, where the Table Schema type does not say it

    @property
    def meaning(self) -> str:
        return self.description or self.label

    @property
    def type_word(self) -> str:
        if self.word:
            return self.word
        if self.code:
            return "文字列（6桁の数字）"
        if self.categories:
            return "文字列（区分）"
        return TYPE_WORDS[self.type]

    @property
    def pandas_dtype(self) -> str:
        """What pandas needs to read the column as published ("" = its own guess is right)."""
        return PANDAS_TEXT if self.code else ""

    def table_schema_field(self, example: str = "") -> dict:
        field = {
            "name": self.label,
            "title": self.label_en,
            "description": self.meaning,
            "type": self.type,
        }
        if self.type == "boolean":
            field |= {"trueValues": ["1"], "falseValues": ["0"]}
        if self.code:
            field["constraints"] = {"pattern": CODE_PATTERN}
        if example:
            field["example"] = example
        return field


# The results: results.csv, projects/*.csv, indicators/*.csv, the JSON downloads, the API.
RESULTS = [
    Column("indicator", "指標ID", "Indicator ID", "string", "指標のスラッグ（指標 API の識別子）"),
    Column("indicator_name", "指標", "Indicator", "string"),
    Column("project", "プロジェクト", "Project", "string", "プロジェクトの名称"),
    Column("measure", "施策", "Measure", "string", "施策の名称"),
    Column(
        "fiscal_year",
        "年度",
        "Fiscal year",
        "integer",
        "西暦の年度（4月～翌3月）。暦年の統計では暦年",
        FISCAL_YEAR,
    ),
    Column("period", "期間", "Period", "string", "期間の表示（例：2017年度（平成29年度））"),
    Column(
        "period_start",
        "期間開始",
        "Period start",
        "date",
        "期間の開始日（YYYY-MM-DD、期間のときのみ）",
    ),
    Column(
        "period_end",
        "期間終了・時点",
        "Period end or as-of date",
        "date",
        "期間の終了日・時点（YYYY-MM-DD）",
    ),
    Column("breakdown", "内訳", "Breakdown", "string", "内訳（ない場合は空文字）"),
    Column("value", "値", "Value", "number", "数値。単位は unit", UNIT_OF_ROW),
    Column("unit", "単位", "Unit", "string", "値の単位（件、人、千円 など）"),
    Column(
        "qualifier",
        "修飾",
        "Qualifier (cumulative / of which)",
        "string",
        "延べ・うち（ない場合は空文字）",
    ),
    Column("approximate", "概数", "Approximate", "boolean", "概数（約）のとき true"),
    Column(
        "denominator",
        "分母",
        "Denominator",
        "number",
        "分母（例：対象99市町村の99）。単位は unit",
        UNIT_OF_ROW,
    ),
    Column("denominator_label", "分母の名称", "Denominator label", "string"),
    Column("provisional", "速報値", "Preliminary figure", "boolean", "速報値のとき true"),
    Column(
        "status",
        "公開状態",
        "Publication status",
        "string",
        "published＝公開。draft は職員にだけ返ります",
        categories=True,
    ),
    Column("source", "出典", "Source", "string", "この数値の出典"),
    Column("updated_at", "更新日時", "Updated at", "datetime", "更新日時（ISO 8601、日本時間）"),
    # 1.1
    Column(
        "edition",
        "掲載した報告書（版）",
        "Report edition (year)",
        "integer",
        "掲載した報告書の版（年）",
        "年",
    ),
    Column(
        "target_fiscal_year",
        "目標年度",
        "Target fiscal year",
        "integer",
        "目標年度（目標があるとき）",
        FISCAL_YEAR,
    ),
    Column("target", "目標値", "Target value", "number", "目標値。単位は unit", UNIT_OF_ROW),
    Column("baseline_fiscal_year", "基準年度", "Baseline fiscal year", "integer", unit=FISCAL_YEAR),
    Column("baseline", "基準値", "Baseline value", "number", "基準値。単位は unit", UNIT_OF_ROW),
    Column(
        "direction",
        "目標の方向",
        "Direction of the target",
        "string",
        "increase＝増やす、decrease＝減らす",
        categories=True,
    ),
    Column(
        "progress_rate", "進捗率（%）", "Progress rate (%)", "number", "進捗率（%、小数1桁）", "%"
    ),
    Column(
        "progress_status",
        "進捗状況",
        "Progress status",
        "string",
        "進捗状況の区分",
        categories=True,
    ),
    Column("progress_status_label", "進捗状況（表示）", "Progress status (label)", "string"),
    # 1.2
    Column(
        "owner", "担当部局", "Owning department", "string", "指標の担当部局（ないときは空文字）"
    ),
    Column(
        "grade",
        "評価",
        "Grade",
        "string",
        "施策のその年度の自己評価（公開分）。A・B・C・D、N＝評価できない",
        categories=True,
    ),
    Column(
        "computed_grade",
        "基準による評価",
        "Grade by the rule",
        "string",
        "評価基準で計算した評価（評価を変更したときは grade と違う）",
        categories=True,
    ),
    Column(
        "grading_rule_version",
        "評価基準の版",
        "Grading rule version",
        "integer",
        "評価の計算に使った評価基準の版",
    ),
    Column(
        "grade_override_reason",
        "評価を変更した理由",
        "Reason for the grade override",
        "string",
        "担当部局が基準と違う評価にした理由（変更していなければ空文字）",
    ),
]

MUNICIPALITIES = [
    Column(
        "code",
        "団体コード",
        "Local government code",
        "string",
        "全国地方公共団体コード（JIS X 0402、検査数字つき6桁）",
        code=True,
    ),
    Column("name", "名称", "Name", "string", "市町村の名称"),
    Column("kana", "よみ", "Reading (hiragana)", "string", "名称のよみ（ひらがな）"),
    Column("kind", "種別", "Type", "string", "市・町・村", categories=True),
    Column("subprefecture", "振興局", "Subprefecture", "string", "所管する（総合）振興局"),
    Column(
        "subprefecture_slug",
        "振興局ID",
        "Subprefecture ID",
        "string",
        "振興局の識別子（API の subprefectures の slug）",
    ),
    Column("latitude", "緯度", "Latitude", "number", "役場の位置（WGS84）", "度"),
    Column("longitude", "経度", "Longitude", "number", "役場の位置（WGS84）", "度"),
    Column(
        "areas",
        "連携地域",
        "Collaboration areas",
        "string",
        "参加している連携地域の名称（「・」区切り）",
    ),
]

AREAS = [
    Column(
        "area",
        "連携地域ID",
        "Collaboration area ID",
        "string",
        "連携地域の識別子（API の areas の slug）",
    ),
    Column("area_name", "連携地域", "Collaboration area", "string", "連携地域の名称"),
    Column(
        "kind",
        "種別",
        "Type",
        "string",
        "市町村連携地域モデル事業・定住自立圏・連携中枢都市圏",
        categories=True,
    ),
    Column(
        "start_fiscal_year",
        "開始年度",
        "Start fiscal year",
        "integer",
        "取組を始めた年度",
        FISCAL_YEAR,
    ),
    Column("status", "状況", "Status", "string", "報告書に書かれた状況"),
    Column(
        "code",
        "団体コード",
        "Local government code",
        "string",
        "構成市町村の団体コード（6桁）",
        code=True,
    ),
    Column("name", "構成市町村", "Member municipality", "string", "構成市町村の名称"),
]

# The boundaries are JSON (features), not a table: their types are JSON's.
BOUNDARIES = [
    Column(
        "code", "団体コード", "Local government code", "string", "全国地方公共団体コード（6桁）"
    ),
    Column("name", "名称", "Name", "string", "市町村の名称"),
    Column("subprefecture", "振興局", "Subprefecture", "string", "国土数値情報 N03_002 の振興局名"),
    Column(
        "counted",
        "179市町村",
        "Counted among the 179 municipalities",
        "boolean",
        "179市町村に数えるとき true（北方領土の6村は false）",
        word="真偽値",
    ),
    Column(
        "label", "ラベル位置", "Label position", "array", "[経度, 緯度]", "度", word="数値の配列"
    ),
    Column(
        "rings",
        "外周",
        "Outline rings",
        "array",
        "[x0, y0, dx1, dy1, …]（最初の点は絶対値、以降は差）",
        "1/1000度",
        word="整数の配列",
    ),
]


def labels(columns: list[Column]) -> dict[str, str]:
    """key → header."""
    return {c.key: c.label for c in columns}


def examples(columns: list[Column], rows, cell=str) -> dict[str, str]:
    """key → the column's first non-empty value in `rows`, as `cell` writes it.

    The examples the 項目定義書 and the Table Schemas show come from the published
    data, never typed in: a column no row fills yet (targets before any is
    published) has none."""
    wanted = {c.key for c in columns}
    found: dict[str, str] = {}
    for row in rows:
        for key in wanted - found.keys():
            value = row.get(key)
            if value is not None and value != "":
                found[key] = cell(value)
        if len(found) == len(wanted):
            break
    return found
