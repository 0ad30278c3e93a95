"""The admin's doors, each asking the one permission home (strategy_portal.permissions).

`PermissionHomeAdmin` is mixed into every ModelAdmin and inline of the portal's
apps (a system check, `portal.E010`, says so when one is not):

- the list, add, change and delete views, and the actions (Django asks
  has_*_permission, which ask `may`);
- django-simple-history's history form, whose POST saves a past version
  (「この版に戻す」): simple-history checks only the view permission there;
- inline rows: each added, changed or deleted row is asked about on its own
  (Django asks an inline about its parent object only).

`HistoryAdmin` is the one admin of every model with history (the report's text,
indicators, figures, targets): simple-history's pages in Japanese, with the
changes as an editor reads them (`ReadableChanges`), and a deletion's reason.
"""

from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import FieldDoesNotExist, PermissionDenied, ValidationError
from django.forms.models import BaseInlineFormSet
from django.http import HttpResponseRedirect
from simple_history.admin import SimpleHistoryAdmin
from simple_history.template_utils import HistoricalRecordContextHelper

from . import display
from .editing import REASON_DELETED, mark
from .permissions import ROLES, may, refusal, role_name


class PermissionHomeAdmin:
    """has_*_permission from `permissions.may`, with the object's state."""

    def has_view_permission(self, request, obj=None):
        return may(request.user, "view", self.row(obj), model=self.model)

    def has_add_permission(self, request, *args):
        return may(request.user, "add", model=self.model)

    def has_change_permission(self, request, obj=None):
        return may(request.user, "change", self.row(obj), model=self.model)

    def has_delete_permission(self, request, obj=None):
        return may(request.user, "delete", self.row(obj), model=self.model)

    def has_publish_permission(self, request):
        return may(request.user, "publish", model=self.model)

    def has_review_permission(self, request):
        return may(request.user, "review", model=self.model)

    def get_form(self, request, obj=None, change=False, **kwargs):
        """The object as it is about to be saved is asked about too: a department
        editor's new figure must be for one of the department's indicators (the
        form's choice), not only some figure (the model permission). A refusal is
        the form's error, in the editor's words; nothing is saved."""
        form = super().get_form(request, obj, change, **kwargs)
        admin = self

        class AskedForm(form):
            def _post_clean(self):
                super()._post_clean()
                if self.errors:  # shown again anyway; the object may be half made
                    return
                action = "change" if change else "add"
                if admin.checks_saved_object(request, self.instance) and not may(
                    request.user, action, self.instance
                ):
                    self.add_error(None, refusal(action, self.instance, request.user))

        AskedForm.__name__ = form.__name__
        return AskedForm

    def checks_saved_object(self, request, obj) -> bool:
        return True

    def get_changeform_initial_data(self, request):
        """An add form's initial values from its address (?indicator=12): a related
        object's id out of any column's range is dropped (it would reach the database,
        which refuses it with an error, when the choice is drawn)."""
        initial = super().get_changeform_initial_data(request)
        for name in list(initial):
            try:
                field = self.model._meta.get_field(name)
            except FieldDoesNotExist:  # not a field of the model: Django ignores it too
                continue
            if field.many_to_one and not _an_id(initial[name]):
                initial.pop(name)
        return initial

    def row(self, obj):
        """The object asked about, when it is one of this admin's model (an inline is
        asked about its parent, which is not)."""
        return obj if isinstance(obj, self.model) else None

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        """simple-history saves a posted past version after checking only the view
        permission: the POST (「この版に戻す」) needs the change permission."""
        if request.method == "POST":
            obj = self.get_object(request, object_id)
            if obj is None or not may(request.user, "change", obj):
                raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)


def _an_id(text) -> bool:
    try:
        return 1 <= int(text) <= 2**63 - 1
    except (TypeError, ValueError):
        return False


class ReadableChanges(HistoricalRecordContextHelper):
    """Old → new as an editor reads them: 1,024 → 1,042, 下書き（未公開） → 公開, なし,
    and bullets as ・lines, never Python's repr of the JSON."""

    def prepare_delta_change_value(self, change, value):
        field = self.model._meta.get_field(change.field)
        if field.many_to_many:
            return super().prepare_delta_change_value(change, value)
        return display.field_value_label(field, value)


class HistoryAdmin(PermissionHomeAdmin, SimpleHistoryAdmin):
    """The admin of a model with history: simple-history's pages in Japanese, readable
    changes, and a deletion written to the history with its reason (REASON_DELETED).

    `history_columns`: (label, admin method) columns shown before 日時 on the
    history page. `refused_errors`: exceptions a save may raise having written
    nothing (a figure's stale version): the editor gets the message, not a 500.
    Who may do what: strategy_portal.permissions (PermissionHomeAdmin).
    """

    object_history_template = "admin/history/object_history.html"
    object_history_list_template = "admin/history/object_history_list.html"
    object_history_form_template = "admin/history/object_history_form.html"
    history_columns = ()
    refused_errors = ()

    def history_view(self, request, object_id, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "history_columns": [(label, name) for label, name in self.history_columns],
        }
        return super().history_view(request, object_id, extra_context)

    def get_historical_record_context_helper(self, request, historical_record):
        return ReadableChanges(self.model, historical_record)

    def get_history_list_display(self, request):
        return [name for label, name in self.history_columns]

    def refuse(self, request, error):
        self.message_user(request, str(error), messages.ERROR)
        return HttpResponseRedirect(request.get_full_path())

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except self.refused_errors as error:
            # The transaction of the whole form (inlines included) was rolled back.
            return self.refuse(request, error)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        try:
            return super().history_form_view(request, object_id, version_id, extra_context)
        except self.refused_errors as error:
            return self.refuse(request, error)

    def delete_model(self, request, obj):
        mark(obj, REASON_DELETED, request.user).delete()

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)


class GuardedInlineFormSet(BaseInlineFormSet):
    """Each row the editor added, changed or deleted is asked about on its own.

    A row the user may not touch at all refuses the whole POST (403, nothing
    saved: the admin's change view is one transaction); a published row the user
    may not delete is a form error that says why.
    """

    user = None  # set by GuardedInline.get_formset

    def clean(self):
        super().clean()
        for form in self.forms:
            instance = form.instance
            if self.can_delete and self._should_delete_form(form):
                if instance.pk is not None:
                    self.check(form, "delete", instance)
            elif instance.pk is None:
                if form.has_changed():
                    self.check(form, "add", instance)
            elif form.has_changed():
                self.check(form, "change", instance)

    def check(self, form, action, instance):
        if not may(self.user, action, model=self.model):
            raise PermissionDenied
        if instance is not None and not may(self.user, action, instance):
            raise ValidationError(refusal(action, instance, self.user))


class GuardedInline(PermissionHomeAdmin):
    """An inline whose rows are each checked (GuardedInlineFormSet)."""

    formset = GuardedInlineFormSet

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        return type(formset.__name__, (formset,), {"user": request.user})

    def has_view_permission(self, request, obj=None):
        return may(request.user, "view", model=self.model)

    def has_change_permission(self, request, obj=None):
        return may(request.user, "change", model=self.model)

    def has_delete_permission(self, request, obj=None):
        return may(request.user, "delete", model=self.model)


class ListedInline(PermissionHomeAdmin):
    """An inline that only lists its rows, each linked to its own page, where the
    rules (and a 変更理由 for a published record) are asked: report text is never
    added, changed or deleted in a parent's table."""

    extra = 0
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return may(request.user, "view", model=self.model)


class ModelAdmin(PermissionHomeAdmin, admin.ModelAdmin):
    """A plain ModelAdmin that asks the permission home."""


class TabularInline(GuardedInline, admin.TabularInline):
    pass


class StackedInline(GuardedInline, admin.StackedInline):
    pass


class ListedTabularInline(ListedInline, admin.TabularInline):
    pass


class ListedStackedInline(ListedInline, admin.StackedInline):
    pass


class PortalUserAdmin(UserAdmin):
    """Django's user admin, with each person's roles (permissions.ROLES) in the list."""

    list_display = (*UserAdmin.list_display, "roles")

    @admin.display(description="役割")
    def roles(self, user):
        held = sorted(group.name for group in user.groups.all() if group.name in ROLES)
        return "・".join(role_name(role) for role in held) or "—"

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("groups")


admin.site.unregister(get_user_model())
admin.site.register(get_user_model(), PortalUserAdmin)
