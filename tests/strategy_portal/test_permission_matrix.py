"""Every admin door × every role × GET and POST: each answers as the permission home says.

The matrix is generated: every URL each registered ModelAdmin serves (list, add,
change, delete, history, a past version's form, import and export, its own
extra pages) and every admin action, for an object in a published edition and
one in a draft, × anonymous, every role of strategy_portal.permissions.ROLES and
a superuser. A model, admin, URL, action or role added later joins by itself.

What is asserted, for each cell:
- not signed in to the admin (anonymous, `staff`): sent to the login page;
- refused by the home: 403 (or, for an action Django does not offer, nothing
  done), and nothing in the database changed;
- allowed: the page (200) or the change made (302).
"""

import datetime

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.forms.models import model_to_dict
from django.urls import NoReverseMatch, reverse

from harness.forms import browser_form
from indicators.models import Heading, Indicator, Result, Target
from projects.models import (
    Category,
    Department,
    Edition,
    Erratum,
    Measure,
    Section,
    SourceCorrection,
    ToConfirm,
)
from strategy_portal.admin import ListedInline
from strategy_portal.checks import PORTAL_APPS
from strategy_portal.permissions import ROLES, PublicationQuerySet, may

pytestmark = pytest.mark.slow

ROLE_NAMES = ["anonymous", *ROLES, "superuser"]
MARK = "MATRIX-CHANGED"

# admin URL name suffix → (the permission a GET needs, the one a POST needs)
KINDS = {
    "changelist": ("view", "view"),  # POST without an action: nothing to do; actions below
    "add": ("add", "add"),
    "change": ("view", "change"),
    "delete": ("delete", "delete"),
    "history": ("view", "view"),
    "simple_history": ("view", "change"),  # a past version; POST is 「この版に戻す」
    "import": ("import", "import"),
    "process_import": ("import", "import"),
    "export": ("view", "view"),
    "missing": ("view", "view"),
}


def _portal_admins():
    return sorted(
        (
            (model, model_admin)
            for model, model_admin in admin.site._registry.items()
            if model._meta.app_label in PORTAL_APPS
        ),
        key=lambda pair: pair[0]._meta.label,
    )


def _doors():
    """(model label, url kind, state, action) for every door of every portal admin."""
    doors = []
    for model, model_admin in _portal_admins():
        info = f"{model._meta.app_label}_{model._meta.model_name}"
        names = {p.name for p in model_admin.get_urls() if p.name}
        for name in sorted(names):
            kind = name.removeprefix(f"{info}_").removeprefix(f"{model._meta.app_label}_")
            kind = kind.removeprefix(f"{model._meta.model_name}_")
            assert kind in KINDS, f"an admin URL the matrix does not know: {name}"
            per_object = kind in ("change", "delete", "history", "simple_history")
            for state in _states(model) if per_object else ("-",):
                doors.append((model._meta.label, kind, state, None))
        for action in sorted(_admin_actions(model_admin)):
            for state in _states(model):
                doors.append((model._meta.label, "action", state, action))
    return doors


def _states(model):
    """Objects with a public and a draft state are tried in both."""
    if isinstance(model._default_manager.all(), PublicationQuerySet):
        return ("public", "draft")
    return ("stored",)


def _admin_actions(model_admin):
    return {name for _, name, _ in model_admin._get_base_actions()}


@pytest.fixture
def draft_objects(db):
    """A draft next edition with one of each: section, heading, measure, indicator,
    figure and target (what a report editor and an editor make in the yearly round)."""
    published = Edition.objects.get(year=2018)
    edition = Edition.objects.create(
        strategy=published.strategy,
        year=2019,
        title="草案の表題",
        published_on=datetime.date(2019, 5, 1),
        publisher=published.publisher,
        direction_fiscal_year=2019,
        results_fiscal_year=2018,
        status=Edition.Status.DRAFT,
    )
    old_section = Section.objects.filter(edition=published).first()
    section = Section.objects.create(theme=old_section.theme, edition=edition, kind="direction")
    category = Category.objects.create(section=section, order=1, title="草案の見出し")
    # Owned by the department of the matrix's department roles (role_user): their
    # rules reach these draft rows, and nothing of the seed (owned by nobody).
    measure = Measure.objects.create(
        category=category, order=1, title="草案の施策", department=_matrix_department()
    )
    indicator = Indicator.objects.create(slug="draft-matrix", measure=measure, name="草案の指標")
    result = Result.objects.create(
        indicator=indicator, edition=edition, fiscal_year=2018, value=1, version=1
    )
    target = Target.objects.create(indicator=indicator, fiscal_year=2019, value=2)
    # The seed has no targets: one published target of a published indicator.
    Target.objects.create(
        indicator=Indicator.objects.public().first(),
        fiscal_year=2019,
        value=3,
        status=Target.Status.PUBLISHED,
    )
    correction = SourceCorrection.objects.create(
        edition=edition, location="草案", printed="誤", corrected="正"
    )
    # Corrections are recorded from a change's history: one of the 2018 edition (public)
    # and one of the draft (which could not be recorded, but must stay private if it were).
    errata = {
        year: Erratum.objects.create(
            edition=Edition.objects.get(year=year),
            content_type=ContentType.objects.get_for_model(Measure),
            object_id=measure.pk,
            subject="施策「草案の施策」",
            field="名称",
            before="誤",
            after="正",
            reason="権限の行列の確認",
        )
        for year in (2018, 2019)
    }
    return {
        Edition: edition,
        Section: section,
        Category: category,
        Measure: measure,
        Indicator: indicator,
        Result: result,
        Target: target,
        SourceCorrection: correction,
        Erratum: errata[2019],
        Heading: Heading.objects.create(indicator=indicator, edition=edition, text="草案の見出し"),
        ToConfirm: ToConfirm.objects.create(
            edition=edition,
            content_type=ContentType.objects.get_for_model(Edition),
            object_id=edition.pk,
            field="title",
            label="報告書の版の表題",
            text=edition.title,
        ),
    }


def _public_object(model):
    queryset = model._default_manager.order_by("pk")
    if hasattr(queryset, "public"):
        queryset = queryset.public()
    if model is Result:
        queryset = queryset.filter(status=Result.Status.PUBLISHED)
    return queryset.first()


@pytest.fixture
def role_user(request, db):
    role = request.param
    if role == "anonymous":
        return None
    User = get_user_model()
    if role == "superuser":
        return User.objects.create_superuser("matrix-super", password=None)
    user = User.objects.create_user(f"matrix-{role}", password=None, is_staff=ROLES[role]["admin"])
    user.groups.add(Group.objects.get(name=role))
    if ROLES[role].get("scope") == "department":
        _matrix_department().members.add(user)
    return user


def _matrix_department():
    return Department.objects.get_or_create(name="行列の部局")[0]


def _client_for(user):
    from django.test import Client

    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _fingerprint(obj):
    """What a refused POST must leave as it was: how many rows each of the portal's
    tables (history tables included) holds, and every field of the object tried."""
    from django.apps import apps

    counts = {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model._meta.app_label in PORTAL_APPS
    }
    if obj is not None:
        fresh = type(obj)._default_manager.filter(pk=obj.pk).first()
        counts["object"] = fresh and sorted(model_to_dict(fresh).items(), key=str)
    return counts


def _url(model, kind, obj):
    info = f"{model._meta.app_label}_{model._meta.model_name}"
    if kind == "action":
        return reverse(f"admin:{info}_changelist")
    if kind == "missing":
        return reverse(f"admin:{info}_missing")
    if kind == "simple_history":
        record = obj.history.order_by("-history_id").first()
        return reverse(f"admin:{info}_simple_history", args=[obj.pk, record.history_id])
    try:
        return reverse(f"admin:{info}_{kind}", args=[obj.pk] if obj is not None else [])
    except NoReverseMatch:
        return reverse(f"admin:{info}_{kind}")


def _allowed(user, permission, model, obj):
    if user is None or not user.is_staff:
        return False
    if permission == "import":
        return may(user, "add", model=model) and may(user, "change", model=model)
    return may(user, permission, obj, model=model)


def _may_post_rows(user, model):
    """A change page with editable rows below (an indicator's figures) takes a POST from
    someone who may add or change those rows, even if not the object itself."""
    if user is None or not user.is_staff:
        return False
    return any(
        may(user, action, model=inline.model)
        for inline in admin.site._registry[model].inlines
        if not issubclass(inline, ListedInline)  # a list of links takes no rows
        for action in ("add", "change")
    )


_FORMS = {}  # url → the form as the superuser's browser would send it back


def _post_data(superuser_client, url, kind, action, obj):
    """What a browser sends: the page's own form as the superuser sees it, with one text
    changed (and a 変更理由), or the confirmation of a delete or an action."""
    if kind == "delete":
        return {"post": "yes"}
    if kind == "action":
        return {"action": action, "_selected_action": [obj.pk], "post": "yes", "confirm": "yes"}
    if kind not in ("add", "change", "simple_history"):
        return {}
    if url not in _FORMS:
        page = superuser_client.get(url)  # a door closed to everyone has no form
        _FORMS[url] = browser_form(page) if page.status_code == 200 else {}
    data = dict(_FORMS[url])
    for name in ("title", "name", "lead", "note", "location", "printed"):
        if name in data:
            data[name] = f"{data[name]} {MARK}"[-100:]
            break
    if "change_reason" in data:
        data["change_reason"] = "権限の行列の確認"
    return data


DOORS = _doors()


@pytest.mark.parametrize("role_user", ROLE_NAMES, indirect=True)
@pytest.mark.parametrize(
    "door", DOORS, ids=["-".join(str(part) for part in door if part) for door in DOORS]
)
def test_every_admin_door_answers_each_role_as_the_permission_home_says(
    door, role_user, draft_objects, django_user_model
):
    label, kind, state, action = door
    model = next(m for m, _ in _portal_admins() if m._meta.label == label)
    obj = None
    if kind in ("change", "delete", "history", "simple_history", "action"):
        obj = draft_objects.get(model) if state == "draft" else _public_object(model)
        if obj is None:
            pytest.skip(f"no {state} {label} to try")
        if kind == "simple_history" and not hasattr(obj, "history"):
            pytest.skip("no history")
    url = _url(model, kind, obj)
    superuser = django_user_model.objects.create_superuser("matrix-root", password=None)
    client = _client_for(role_user)
    get_needs, post_needs = KINDS.get(kind, ("view", "change"))
    if kind == "action":
        functions = {name: f for f, name, _ in admin.site._registry[model]._get_base_actions()}
        needs = getattr(functions[action], "allowed_permissions", ("change",))
        post_needs = "delete" if action == "delete_selected" else needs[0]

    if kind != "action":
        response = client.get(url)
        if kind == "process_import":
            assert response.status_code in (302, 405), response.status_code  # POST only
        else:
            _assert_answer(response, role_user, _allowed(role_user, get_needs, model, obj), url)

    signed_in_to_admin = role_user is not None and role_user.is_staff
    # The admin sends anyone not signed in to it to the login page before reading a POST.
    data = _post_data(_client_for(superuser), url, kind, action, obj) if signed_in_to_admin else {}
    before = _fingerprint(obj)
    allowed = _allowed(role_user, post_needs, model, obj)
    with transaction.atomic():
        response = client.post(url, data)
        after = _fingerprint(obj)
        transaction.set_rollback(True)
    if kind == "action":
        if not allowed:
            assert after == before, f"{url} {action}: a refused action changed data"
            assert response.status_code in (200, 302, 403), response.status_code
        return
    if kind == "change" and not allowed and _may_post_rows(role_user, model):
        # Accepted for the rows; the object's own fields stay as they were.
        assert response.status_code in (200, 302), response.status_code
        assert after["object"] == before["object"], f"POST {url}: a read-only object changed"
        return
    _assert_answer(response, role_user, allowed, url, posted=True)
    if not allowed:
        assert after == before, f"POST {url}: refused, yet the data changed"


def _assert_answer(response, user, allowed, url, posted=False):
    method = "POST" if posted else "GET"
    status = response.status_code
    assert status != 500, f"{method} {url}: 500"
    if user is None or not user.is_staff:
        assert status == 302 and "/login/" in response["Location"], (method, url, status)
    elif not allowed:
        assert status == 403, f"{method} {url} as {user}: {status}, should be refused"
    else:
        assert status in (200, 302), f"{method} {url} as {user}: {status}, should be allowed"


def test_the_matrix_covers_every_role_and_every_portal_admin():
    models = {door[0] for door in DOORS}
    assert models == {model._meta.label for model, _ in _portal_admins()}
    assert set(ROLE_NAMES) >= {"anonymous", "staff", "editor", "report_editor", "superuser"}
    kinds = {door[1] for door in DOORS}
    assert {"change", "delete", "simple_history", "action", "import", "add"} <= kinds
    # The size the closing note quotes: doors × roles × methods.
    print(f"matrix: {len(DOORS)} doors × {len(ROLE_NAMES)} roles × 2 methods")
