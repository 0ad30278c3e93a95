"""Corrections (訂正) of published editions: the one place they are recorded.

A published edition is a record. A person who changes what it shows afterwards
(a measure's text, a heading, an indicator's definition, a report's figure or
target) saves the change with a 変更理由, which the permission home requires
for anything public (`strategy_portal.permissions.reason_required`). Each such
change is recorded here, from the history row simple-history writes for it, as
one `Erratum` per published edition that shows the object and per field
changed: old → new, the reason, the date. The edition's 正誤表 page lists them
and the page that changed marks them.

What shows where is each model's `editions_showing()`. Writes by management
commands (the seed, demo data), which have no user, are not corrections: they
build an edition before anyone reads it.
"""

from django.contrib.contenttypes.models import ContentType
from simple_history.signals import post_create_historical_record

from strategy_portal import display
from strategy_portal.permissions import PUBLISHED

from .models import Erratum

# Bookkeeping that a reader never sees.
IGNORED_FIELDS = ("version", "updated_at", "created_at", "carried_from", "origin")

ADDED = "（追加）"
DELETED = "（削除）"


def _public_before_or_after(instance, history) -> bool:
    """Was the object public before the change, or is it after? A figure or target
    has its own status; text is public with its edition (editions_showing says)."""
    if not any(field.name == "status" for field in instance._meta.concrete_fields):
        return True
    if history.history_type == "-":
        return instance.status == PUBLISHED
    manager = type(instance)._default_manager
    if manager.filter(pk=instance.pk).public().exists():
        return True
    previous = history.prev_record
    return previous is not None and previous.status == PUBLISHED


def _changes(instance, history) -> list[tuple[str, str, str]]:
    """(field label, before, after) of this change."""
    opts = instance._meta
    if history.history_type == "+" or history.prev_record is None:
        return [(ADDED, "（なし）", _summary(instance))]
    if history.history_type == "-":
        return [(DELETED, _summary(instance), "（なし）")]
    ignored = (*IGNORED_FIELDS, *getattr(instance, "ERRATUM_IGNORES", ()))
    fields = [f.name for f in opts.concrete_fields if f.name not in ignored and not f.primary_key]
    delta = history.diff_against(history.prev_record, included_fields=fields)
    rows = []
    for change in delta.changes:
        field = opts.get_field(change.field)
        rows.append(
            (
                str(field.verbose_name),
                display.field_value_label(field, change.old),
                display.field_value_label(field, change.new),
            )
        )
    return rows


def _summary(instance) -> str:
    value = getattr(instance, "value_display", None)
    return f"{instance} {value}" if value else str(instance)


def record(sender, instance, history_instance, **kwargs):
    """post_create_historical_record: a person's change to what a published edition
    shows becomes that edition's 訂正."""
    history = history_instance
    showing = getattr(instance, "editions_showing", None)
    if showing is None or history.history_user_id is None:
        return
    editions = list(showing())
    if not editions or not _public_before_or_after(instance, history):
        return
    changes = _changes(instance, history)
    if not changes:
        return
    content_type = ContentType.objects.get_for_model(type(instance))
    subject = f"{instance._meta.verbose_name}「{instance}」"
    link = instance.get_absolute_url() if hasattr(instance, "get_absolute_url") else ""
    Erratum.objects.bulk_create(
        Erratum(
            edition=edition,
            corrected_at=history.history_date,
            content_type=content_type,
            object_id=instance.pk,
            subject=subject[:300],
            field=field[:80],
            before=before,
            after=after,
            reason=history.history_change_reason or "",
            link=link[:300] if history.history_type != "-" else "",
        )
        for edition in editions
        for field, before, after in changes
    )


def connect():
    post_create_historical_record.connect(record, dispatch_uid="projects.errata.record")
