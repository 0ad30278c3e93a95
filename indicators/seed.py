"""Load the seed fixtures (fixtures/SCHEMA.md) into the database.

Idempotent: reference data (振興局, 市町村, areas, DMOs) is upserted by its
natural key; a report edition is loaded once and skipped afterwards unless
`replace=True`, so figures that editors changed in the admin are never
overwritten by a second `make run`.
"""

import csv
import datetime
import logging
from decimal import Decimal
from pathlib import Path

import yaml
from django.db import transaction

from municipalities.models import DMO, CollaborationArea, Municipality, Subprefecture
from projects.models import (
    Category,
    Edition,
    Measure,
    Project,
    Section,
    SourceCorrection,
    Strategy,
    StrategyPhase,
    Theme,
)

from . import services
from .models import Heading, Indicator, Result

log = logging.getLogger(__name__)


class SeedError(Exception):
    """A fixture file is malformed; the message names the file and the place."""


def read_yaml(path: Path):
    try:
        with path.open(encoding="utf-8") as fh:
            return yaml.safe_load(fh)
    except (OSError, yaml.YAMLError) as exc:
        raise SeedError(f"{path}: {exc}") from exc


def fields(node: dict, where: str, required: tuple = (), optional: dict | None = None) -> dict:
    """The node's values: required keys must be there, unknown keys are refused."""
    optional = optional or {}
    if not isinstance(node, dict):
        raise SeedError(f"{where}: expected a mapping, got {type(node).__name__}")
    unknown = set(node) - set(required) - set(optional)
    if unknown:
        raise SeedError(f"{where}: unknown keys {sorted(unknown)}")
    missing = [key for key in required if key not in node]
    if missing:
        raise SeedError(f"{where}: missing keys {missing}")
    values = {key: node[key] for key in required}
    for key, default in optional.items():
        value = node.get(key, default)
        values[key] = default if value is None and default is not None else value
    return values


def as_date(value, where):
    if value is None or isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError as exc:
        raise SeedError(f"{where}: not a date: {value!r}") from exc


def as_decimal(value, where):
    if value is None:
        return None
    try:
        return Decimal(str(value))
    except ArithmeticError as exc:
        raise SeedError(f"{where}: not a number: {value!r}") from exc


# --- 振興局, 市町村, areas -------------------------------------------------


def load_reference_data(folder: Path) -> dict:
    with transaction.atomic():
        counts = {
            "subprefectures": load_subprefectures(folder / "subprefectures.csv"),
            "municipalities": load_municipalities(folder / "municipalities.csv"),
        }
        counts.update(load_areas(folder / "areas.yaml"))
    return counts


def read_csv(path: Path) -> list[dict]:
    try:
        with path.open(encoding="utf-8", newline="") as fh:
            return list(csv.DictReader(fh))
    except OSError as exc:
        raise SeedError(f"{path}: {exc}") from exc


def load_subprefectures(path: Path) -> int:
    rows = read_csv(path)
    for row in rows:
        Subprefecture.objects.update_or_create(
            slug=row["slug"],
            defaults={
                "name": row["name"],
                "short_name": row["short_name"],
                "kind": row["kind"],
                "seat": row["seat"],
                "order": int(row["order"]),
            },
        )
    return len(rows)


def load_municipalities(path: Path) -> int:
    rows = read_csv(path)
    subprefectures = {s.slug: s for s in Subprefecture.objects.all()}
    for line, row in enumerate(rows, start=2):
        where = f"{path}:{line}"
        try:
            subprefecture = subprefectures[row["subprefecture"]]
        except KeyError as exc:
            raise SeedError(f"{where}: unknown 振興局 {row['subprefecture']!r}") from exc
        municipality = Municipality(
            code=row["code"],
            name=row["name"],
            kana=row["kana"],
            kind=row["kind"],
            subprefecture=subprefecture,
            latitude=as_decimal(row.get("lat") or None, where),
            longitude=as_decimal(row.get("lng") or None, where),
        )
        municipality.full_clean(validate_unique=False, validate_constraints=False)
        Municipality.objects.update_or_create(
            code=municipality.code,
            defaults={
                f: getattr(municipality, f)
                for f in ("name", "kana", "kind", "subprefecture", "latitude", "longitude")
            },
        )
    return len(rows)


def municipalities_named(names, where) -> list[Municipality]:
    try:
        return Municipality.objects.by_name(names)
    except Municipality.DoesNotExist as exc:
        raise SeedError(f"{where}: {exc}") from exc


def load_areas(path: Path) -> dict:
    data = fields(read_yaml(path), str(path), ("areas", "dmos"), {"corrections": []})
    for order, node in enumerate(data["areas"], start=1):
        where = f"{path}: areas[{order - 1}]"
        area = fields(
            node,
            where,
            ("slug", "name", "kind", "members"),
            {"status": "", "start_fiscal_year": None, "description": "", "member_note": ""},
        )
        members = municipalities_named(area.pop("members"), where)
        obj, _ = CollaborationArea.objects.update_or_create(
            slug=area.pop("slug"), defaults={**area, "order": order}
        )
        obj.members.set(members)
    for order, node in enumerate(data["dmos"], start=1):
        where = f"{path}: dmos[{order - 1}]"
        dmo = fields(node, where, ("name", "kind", "as_of"), {"legal_form": ""})
        DMO.objects.update_or_create(
            name=dmo["name"],
            as_of=as_date(dmo["as_of"], where),
            defaults={"kind": dmo["kind"], "legal_form": dmo["legal_form"], "order": order},
        )
    return {"areas": len(data["areas"]), "dmos": len(data["dmos"])}


# --- report editions --------------------------------------------------------


def load_edition(folder: Path, replace: bool = False) -> dict:
    """Load one edition folder (edition.yaml + project_N.yaml); skip it if present."""
    edition_path = folder / "edition.yaml"
    data = fields(
        read_yaml(edition_path),
        str(edition_path),
        ("edition",),
        {
            "strategy": None,
            "corrections": [],
        },
    )
    meta = fields(
        data["edition"],
        f"{edition_path}: edition",
        ("year", "title", "published", "publisher", "direction_fiscal_year", "results_fiscal_year"),
        {"document_number": "", "tagline": ""},
    )
    with transaction.atomic():
        strategy = load_strategy(data["strategy"], edition_path)
        existing = Edition.objects.filter(year=meta["year"]).first()
        if existing and not replace:
            return {"edition": meta["year"], "skipped": True}
        if existing:
            delete_edition(existing)
        edition = Edition.objects.create(
            strategy=strategy,
            year=meta["year"],
            title=meta["title"],
            document_number=meta["document_number"],
            published_on=as_date(meta["published"], f"{edition_path}: published"),
            publisher=meta["publisher"],
            direction_fiscal_year=meta["direction_fiscal_year"],
            results_fiscal_year=meta["results_fiscal_year"],
            tagline=meta["tagline"],
            status=Edition.Status.PUBLISHED,  # a printed report, as it was published
        )
        counts = {"edition": edition.year, "skipped": False, "measures": 0, "results": 0}
        load_corrections(edition, data["corrections"], edition_path)
        project_files = sorted(folder.glob("project_*.yaml"))
        if not project_files:
            raise SeedError(f"{folder}: no project_N.yaml files")
        for path in project_files:
            loader = EditionLoader(edition, strategy, path)
            loader.load()
            counts["measures"] += loader.measures
            counts["results"] += loader.results
    return counts


def delete_edition(edition: Edition) -> None:
    Result.objects.filter(edition=edition).delete()
    Indicator.objects.filter(measure__category__section__edition=edition).update(measure=None)
    Indicator.objects.filter(measure__isnull=True, results__isnull=True).delete()
    edition.sections.all().delete()
    edition.delete()


def load_strategy(node, where) -> Strategy:
    if node is None:
        strategy = Strategy.objects.first()
        if strategy is None:
            raise SeedError(f"{where}: no strategy in the database yet; this file must define it")
        return strategy
    data = fields(
        node,
        f"{where}: strategy",
        ("slug", "name", "start_year", "end_year", "vision"),
        {"pillars": [], "phases": []},
    )
    vision = fields(
        data["vision"],
        f"{where}: strategy.vision",
        ("target_year", "population_high", "population_low", "text"),
    )
    strategy, _ = Strategy.objects.update_or_create(
        slug=data["slug"],
        defaults={
            "name": data["name"],
            "start_year": data["start_year"],
            "end_year": data["end_year"],
            "vision_target_year": vision["target_year"],
            "vision_population_high": vision["population_high"],
            "vision_population_low": vision["population_low"],
            "vision_text": vision["text"],
            "pillars": data["pillars"],
        },
    )
    for index, phase_node in enumerate(data["phases"]):
        phase = fields(
            phase_node,
            f"{where}: strategy.phases[{index}]",
            ("year",),
            {"headlines": [], "summary": "", "blocks": []},
        )
        StrategyPhase.objects.update_or_create(
            strategy=strategy, year=phase.pop("year"), defaults=phase
        )
    return strategy


def load_corrections(edition, nodes, where) -> None:
    for index, node in enumerate(nodes or []):
        data = fields(
            node,
            f"{where}: corrections[{index}]",
            ("printed", "corrected"),
            {"location": "", "reason": ""},
        )
        SourceCorrection.objects.create(edition=edition, **data)


class EditionLoader:
    """Creates one project file's themes, sections, categories, measures and figures."""

    def __init__(self, edition: Edition, strategy: Strategy, path: Path):
        self.edition = edition
        self.strategy = strategy
        self.path = path
        self.measures = 0
        self.results = 0
        self.reason = f"報告書（{edition.year}年版）の原資料から読み込み"

    def load(self):
        data = fields(read_yaml(self.path), str(self.path), ("project",), {"corrections": []})
        load_corrections(self.edition, data["corrections"], self.path)
        node = fields(
            data["project"],
            f"{self.path}: project",
            ("number", "slug", "name", "short_name", "themes"),
        )
        project, _ = Project.objects.update_or_create(
            slug=node["slug"],
            defaults={
                "strategy": self.strategy,
                "number": node["number"],
                "name": node["name"],
                "short_name": node["short_name"],
            },
        )
        for order, theme_node in enumerate(node["themes"], start=1):
            where = f"{self.path}: themes[{order - 1}]"
            theme_data = fields(theme_node, where, ("sections",), {"title": ""})
            theme, _ = Theme.objects.update_or_create(
                project=project, order=order, defaults={"title": theme_data["title"]}
            )
            for index, section_node in enumerate(theme_data["sections"]):
                self.load_section(theme, section_node, f"{where}.sections[{index}]")

    def load_section(self, theme, node, where):
        data = fields(
            node, where, ("kind",), {"lead": "", "captions": [], "note": "", "categories": []}
        )
        if data["kind"] not in Section.Kind.values:
            raise SeedError(f"{where}: kind must be one of {Section.Kind.values}")
        section = Section.objects.create(
            theme=theme,
            edition=self.edition,
            kind=data["kind"],
            lead=data["lead"],
            captions=data["captions"],
            note=data["note"],
        )
        counter = iter(range(1, 10_000))
        for index, category_node in enumerate(data["categories"]):
            self.load_category(
                section, None, category_node, f"{where}.categories[{index}]", counter
            )

    def load_category(self, section, parent, node, where, counter):
        data = fields(
            node, where, (), {"title": "", "lead": "", "note": "", "measures": [], "children": []}
        )
        if parent is not None and data["children"]:
            raise SeedError(f"{where}: sub-headings cannot have children of their own")
        category = Category.objects.create(
            section=section,
            parent=parent,
            order=next(counter),
            title=data["title"],
            lead=data["lead"],
            note=data["note"],
        )
        for order, measure_node in enumerate(data["measures"], start=1):
            self.load_measure(category, order, measure_node, f"{where}.measures[{order - 1}]")
        for index, child in enumerate(data["children"]):
            self.load_category(section, category, child, f"{where}.children[{index}]", counter)

    def load_measure(self, category, order, node, where):
        data = fields(
            node,
            where,
            ("title",),
            {
                "body": "",
                "bullets": [],
                "funding_note": "",
                "captions": [],
                "note": "",
                "municipalities": [],
                "indicators": [],
            },
        )
        municipalities = municipalities_named(data.pop("municipalities"), where)
        indicators = data.pop("indicators")
        measure = Measure.objects.create(category=category, order=order, **data)
        measure.municipalities.set(municipalities)
        self.measures += 1
        for index, indicator_node in enumerate(indicators):
            self.load_indicator(measure, index, indicator_node, f"{where}.indicators[{index}]")

    def load_indicator(self, measure, order, node, where):
        data = fields(
            node,
            where,
            ("slug", "name", "results"),
            {"unit": "", "group": "", "description": "", "breakdown_dimension": "", "source": ""},
        )
        results = data.pop("results")
        heading = data.pop(
            "group"
        )  # how this edition printed it: the edition's, not the indicator's
        indicator, created = Indicator.objects.get_or_create(
            slug=data.pop("slug"), defaults={**data, "measure": measure, "order": order}
        )
        if not created and self.edition == Edition.objects.latest_first().first():
            # A newer edition moves the indicator to its newest measure.
            Indicator.objects.filter(pk=indicator.pk).update(measure=measure, **data)
        if heading:
            Heading.objects.update_or_create(
                indicator=indicator, edition=self.edition, defaults={"text": heading}
            )
        for index, result_node in enumerate(results):
            self.load_result(indicator, index, result_node, f"{where}.results[{index}]")

    def load_result(self, indicator, order, node, where):
        data = fields(
            node,
            where,
            ("fiscal_year", "value"),
            {
                "period": "fy",
                "period_start": None,
                "period_end": None,
                "approximate": False,
                "qualifier": "",
                "denominator": None,
                "denominator_label": "",
                "breakdown": "",
                "note": "",
                "source": "",
            },
        )
        result = Result(
            indicator=indicator,
            edition=self.edition,
            order=order,
            status=Result.Status.PUBLISHED,
            **{
                **data,
                "value": as_decimal(data["value"], where),
                "denominator": as_decimal(data["denominator"], where),
                "period_start": as_date(data["period_start"], where),
                "period_end": as_date(data["period_end"], where),
            },
        )
        existing = Result.objects.filter(
            indicator=indicator, fiscal_year=result.fiscal_year, breakdown=result.breakdown
        ).first()
        if existing:
            # An earlier edition reported this figure: keep it (and any editor's
            # correction of it); the seed never overwrites the database.
            if existing.value != result.value:
                log.warning(
                    "%s: %s already stored as %s; kept", where, result.value, existing.value
                )
            return
        try:
            result.full_clean(exclude=["edition", "indicator"])
        except Exception as exc:
            raise SeedError(f"{where}: {exc}") from exc
        services.create_result(result, reason=self.reason, keep_order=True)
        self.results += 1


def load_all(seed_dir: Path, replace: bool = False) -> list[dict]:
    report = [load_reference_data(seed_dir / "municipalities")]
    editions = sorted(p for p in (seed_dir / "editions").iterdir() if p.is_dir())
    for folder in editions:
        report.append(load_edition(folder, replace=replace))
    return report
