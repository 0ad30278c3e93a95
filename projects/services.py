"""Write paths for the report's editions: the next year's draft, and publishing it."""

import datetime
import re
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.urls import reverse

from strategy_portal import fiscal_years
from strategy_portal.editing import mark

from .models import Category, Edition, Measure, Section, ToConfirm

REASON_STARTED = "前の版をもとに作成"
REASON_PUBLISHED = "版を公開"


# What to look at before publishing an edition: functions (edition) → [Gap], each
# app adding its own (indicators: figures without a value, drafts), in `ready()`.
PUBLICATION_CHECKS = []


@dataclass
class Gap:
    """Something still missing from an edition about to be published."""

    text: str  # 「41件の指標のうち31件に2018年度の実績がありません」
    url: str = ""  # where to see the list


def publication_gaps(edition: Edition) -> list[Gap]:
    return [gap for check in PUBLICATION_CHECKS for gap in check(edition)]


def _texts_to_confirm(edition: Edition) -> list[Gap]:
    count = ToConfirm.objects.filter(edition=edition).count()
    if not count:
        return []
    url = reverse("admin:projects_toconfirm_changelist") + f"?edition__id__exact={edition.pk}"
    return [Gap(f"前の版から写した、年の入った文（要確認）が{count}件あります", url)]


PUBLICATION_CHECKS.append(_texts_to_confirm)


class EditionError(Exception):
    """An edition action that cannot be done; the message is for the editor (Japanese)."""


def _next_year(day: datetime.date) -> datetime.date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


def _moved_on(text: str, edition: Edition) -> str:
    """「…2018年度の推進方向」 → 「…2019年度の推進方向」, 平成29年度実績 → 平成30年度実績:
    the edition's own years, one on (西暦 and 和暦)."""
    for year in sorted({edition.direction_fiscal_year, edition.results_fiscal_year}, reverse=True):
        text = text.replace(fiscal_years.short(year), fiscal_years.short(year + 1))
        era, next_era = fiscal_years.era_year(year), fiscal_years.era_year(year + 1)
        text = text.replace(f"{era}年度", f"{next_era}年度")
    return text


# A text that names a year (2018年, 平成30年度, 令和元年, H30.3.31) is likely to be
# about the year it was written in: copied forward, it is 要確認.
NAMES_A_YEAR = re.compile(r"[0-9０-９]{4}年|平成|令和|(?<![A-Za-z])[HR][0-9]{1,2}[.年]")
# Texts that are the year's own whatever they say: the edition's 表題 and 標語.
ALWAYS_CONFIRM = {"projects.edition": ("title", "tagline")}
# A heading printed over a year's figures (平成29年度実績) names its year.
CONFIRM_IF_NAMING_A_YEAR = {
    "projects.section": ("lead",),
    "projects.category": ("lead",),
    "indicators.heading": ("text",),
}


def _flag_year_specific(new: Edition, objects) -> int:
    """Mark each copied year-specific text of `objects` as 要確認 in `new`."""
    flags = []
    for obj in objects:
        model = type(obj)
        label = model._meta.label_lower
        always = ALWAYS_CONFIRM.get(label, ())
        for name in (*always, *CONFIRM_IF_NAMING_A_YEAR.get(label, ())):
            text = getattr(obj, name)
            if text and (name in always or NAMES_A_YEAR.search(text)):
                field = model._meta.get_field(name)
                flags.append(
                    ToConfirm(
                        edition=new,
                        content_type=ContentType.objects.get_for_model(model),
                        object_id=obj.pk,
                        field=name,
                        label=f"{model._meta.verbose_name}「{obj}」の{field.verbose_name}"[:300],
                        text=text,
                    )
                )
    ToConfirm.objects.bulk_create(flags)
    return len(flags)


def rewritten(obj, fields) -> int:
    """An editor saved `fields` of `obj` changed: what was 要確認 in them is done."""
    deleted, _ = ToConfirm.objects.filter(
        content_type=ContentType.objects.get_for_model(type(obj)),
        object_id=obj.pk,
        field__in=list(fields),
    ).delete()
    return deleted


@transaction.atomic
def start_next_edition(edition: Edition, *, user=None) -> Edition:
    """A draft copy of `edition` for the next year, for editors to rewrite.

    Every section, heading and measure is copied (titles, bodies, bullets,
    funding notes, captions, order, municipalities); the edition's years move
    on by one, so its 推進方向 section reads 「20XX年度の推進方向」 for the next
    year, pre-filled with this year's text. Each copied measure remembers the
    measure it continues (`carried_from`) and the first of its line
    (`origin`), which keeps the indicators: the new page's charts show every
    year so far.
    """
    year = edition.year + 1
    if Edition.objects.filter(year=year).exists():
        raise EditionError(f"{year}年版はすでにあります。同じ年の版は1つだけ作れます。")
    new = Edition(
        strategy=edition.strategy,
        year=year,
        title=_moved_on(edition.title, edition),
        document_number=edition.document_number,
        published_on=_next_year(edition.published_on),
        publisher=edition.publisher,
        direction_fiscal_year=edition.direction_fiscal_year + 1,
        results_fiscal_year=edition.results_fiscal_year + 1,
        tagline=edition.tagline,
        status=Edition.Status.DRAFT,
    )
    mark(new, REASON_STARTED, user)
    new.save()
    sections = Section.objects.filter(edition=edition).order_by("pk")
    copied = [new]  # what may hold year-specific text (要確認)
    measure_copies = {}  # old measure pk → its copy's pk
    for section in sections:
        categories = list(Category.objects.filter(section=section).order_by("parent_id", "order"))
        old_section_pk = section.pk
        section.pk = None
        section.edition = new
        section.save()
        copied.append(section)
        copies = {}
        for category in sorted(categories, key=lambda c: c.parent_id is not None):
            old_pk = category.pk
            category.pk = None
            category.section = section
            category.parent = copies.get(category.parent_id)
            category.save()
            copies[old_pk] = category
            copied.append(category)
        for measure in Measure.objects.filter(category__section_id=old_section_pk):
            origin = measure.origin_id or measure.pk
            carried = measure.pk
            measure.pk = None
            measure.category = copies[measure.category_id]
            measure.carried_from_id = carried
            measure.origin_id = origin
            measure.save()
            measure_copies[carried] = measure.pk
    # 関係市町村: the link rows themselves, copied onto the new measures. (A related
    # manager of a copied instance must not be used here: a prefetch cache left on it
    # answers for the old measure, and `.set()` then adds nothing.)
    # The department (a column) moved with each copy; 関係部局 likewise.
    for name, other in (
        ("municipalities", "municipality_id"),
        ("related_departments", "department_id"),
    ):
        links = getattr(Measure, name).through
        links.objects.bulk_create(
            links(measure_id=measure_copies[measure_id], **{other: other_id})
            for measure_id, other_id in links.objects.filter(
                measure_id__in=measure_copies
            ).values_list("measure_id", other)
        )
    copied += _copy_headings(edition, new)
    _flag_year_specific(new, copied)
    return new


def _copy_headings(edition: Edition, new: Edition) -> list:
    """原資料の見出し printed by `edition`, as the new edition's own (its years moved on,
    as the text's are): changing them never changes what the earlier report printed."""
    from django.apps import apps  # indicators sits above projects: by name, not import

    Heading = apps.get_model("indicators", "Heading")
    return Heading.objects.bulk_create(
        Heading(
            indicator_id=heading.indicator_id, edition=new, text=_moved_on(heading.text, edition)
        )
        for heading in Heading.objects.filter(edition=edition)
    )


@transaction.atomic
def publish_edition(edition: Edition, *, user=None) -> bool:
    """Make a draft edition public; False when it already was."""
    edition = Edition.objects.select_for_update().get(pk=edition.pk)
    if not edition.is_draft:
        return False
    if not edition.sections.exists():
        raise EditionError(
            f"{edition.year}年版には内容がありません。内容を入れてから公開してください。"
        )
    edition.status = Edition.Status.PUBLISHED
    mark(edition, REASON_PUBLISHED, user)
    edition.save()
    return True
