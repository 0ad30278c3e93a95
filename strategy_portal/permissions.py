"""Who may see and who may change: the one home of both rules.

**Seeing.** A model the public can reach has a queryset built on
`PublicationQuerySet`, which says what is public (`public()`: the model's own
`public_filter()`) and what a given user may see (`visible_to(user)`): the
public part, or everything for a signed-in user who may view the model
(staff and editors preview drafts). Pages, the API, downloads, the catalogue,
search, share images, embeds and the printed report ask `visible_to` or
`public()` and nothing else; "published" is written here only.

**Changing.** `may(user, action, obj)` decides whether a user may view, add,
change or delete a model or one object: the role's model permission (the
`ROLES` table below, the one list of who holds what) and the object's state.
What the public can see is a record: nobody but a superuser deletes it, and a
change to it needs a 変更理由 (`reason_required`), kept in its history. Every
admin page, inline row, action, history (revert) view and import asks here,
through `strategy_portal.admin.PermissionHomeAdmin`.

**A department's own rows.** A role with `"scope": "department"` (部局の編集者)
holds its permissions for the rows its departments own only: an object says
whose it is with `owning_department_id` (an indicator: its own department or its
measure's; a figure: its indicator's; a task: its department), and the user's
departments are `user.departments` (projects.Department.members). The rules are
django-rules predicates (`DEPARTMENT_RULES`): the owner is computed from the data,
so nothing is granted row by row (django-guardian's model) and nothing goes stale
when an indicator changes hands. Publishing and reviewing (`OFFICE_ACTIONS`) are
the strategy office's: a department role never holds them.
"""

import rules
from django.contrib.auth import get_permission_codename
from django.contrib.auth.models import AnonymousUser
from django.db import models

ACTIONS = ("view", "add", "change", "delete")
# Actions that need the change permission held for every department's rows: to
# publish (figures, targets) and to accept or return a department's submission.
OFFICE_ACTIONS = ("publish", "review")


class Status(models.TextChoices):
    """Whether a record is public: an edition, a figure, a target."""

    DRAFT = "draft", "下書き（未公開）"
    PUBLISHED = "published", "公開"


PUBLISHED = Status.PUBLISHED


def published(path: str = "") -> models.Q:
    """The condition "published" on the status field at `path` (e.g. "edition__")."""
    return models.Q(**{f"{path}status": PUBLISHED})


ANONYMOUS = AnonymousUser()


class PublicationQuerySet(models.QuerySet):
    """What the public may see of a model, and what a given user may see."""

    def public_filter(self) -> models.Q:
        raise NotImplementedError(f"{self.model.__name__} must say what is public")

    def public(self):
        """What anyone may see, signed in or not (the API and open data serve this)."""
        return self.filter(self.public_filter())

    def visible_to(self, user):
        """Drafts too for a signed-in user who may view this model (a preview)."""
        if may_view_drafts(user, self.model):
            return self
        return self.public()


def may_view_drafts(user, model) -> bool:
    return user is not None and user.is_authenticated and may(user, "view", model=model)


def is_public(obj) -> bool:
    """The stored object is public (what its model's `public()` says, not the form's
    unsaved values). Remembered on the instance for the rest of the request."""
    if obj is None or obj.pk is None:
        return False
    manager = type(obj)._default_manager
    if not isinstance(manager.all(), PublicationQuerySet):
        return False
    cached = getattr(obj, "_is_public", None)
    if cached is None:
        cached = obj._is_public = manager.filter(pk=obj.pk).public().exists()
    return cached


def may(user, action: str, obj=None, *, model=None) -> bool:
    """May `user` do `action` ("view", "add", "change", "delete") on `model`, or on `obj`?

    - The role must hold the model permission (superusers hold all).
    - Nobody but a superuser deletes what the public can see.
    - Viewing is allowed with "view" or "change" (Django's own rule).
    - A permission held only through a department role (`"scope": "department"`)
      reaches only the rows of the user's departments, and only drafts
      (`DEPARTMENT_RULES`); never the office's actions (publish, review).
    """
    if action not in ACTIONS and action not in OFFICE_ACTIONS:
        raise ValueError(action)
    if user is None or not user.is_active:
        return False
    opts = (model or type(obj))._meta
    if obj is not None and opts.auto_created:  # a many-to-many row: its owner decides
        return may(user, action, model=opts.auto_created)

    def holds(name):
        return user.has_perm(f"{opts.app_label}.{get_permission_codename(name, opts)}")

    if action == "view":
        return holds("view") or holds("change")
    if opts.label_lower in WRITTEN_BY_COMMANDS_ONLY:
        return False
    if action == "add" and opts.label_lower in ADDED_BY_CODE_ONLY:
        return False
    needed = "change" if action in OFFICE_ACTIONS else action
    if not holds(needed):
        return False
    if action == "delete" and obj is not None and not user.is_superuser and is_public(obj):
        return False
    if _held_in_scope_only(user, f"{opts.app_label}.{get_permission_codename(needed, opts)}"):
        if action in OFFICE_ACTIONS:
            return False
        if obj is not None and not DEPARTMENT_RULES.test_rule(action, user, obj):
            return False
    return True


def department_ids(user) -> frozenset[int]:
    """The departments whose rows `user` writes for (remembered for the request)."""
    cached = getattr(user, "_portal_department_ids", None)
    if cached is None:
        related = getattr(user, "departments", None)
        found = related.values_list("pk", flat=True) if related is not None else ()
        cached = user._portal_department_ids = frozenset(found)
    return cached


def _role_names(user) -> frozenset[str]:
    cached = getattr(user, "_portal_roles", None)
    if cached is None:
        names = user.groups.values_list("name", flat=True) if user.pk else ()
        cached = user._portal_roles = frozenset(name for name in names if name in ROLES)
    return cached


def is_scoped(role: str) -> bool:
    return bool(ROLES[role].get("scope"))


def _held_in_scope_only(user, permission: str) -> bool:
    """Does `user` hold `permission` ("indicators.change_result") only through a
    department role, so that it reaches only the department's own rows?"""
    if user.is_superuser:
        return False
    app_label, codename = permission.split(".")
    holders = [
        role for role in _role_names(user) if (app_label, codename) in role_permissions(role)
    ]
    if not any(is_scoped(role) for role in holders):
        return False
    if any(not is_scoped(role) for role in holders):
        return False
    return permission not in user.get_user_permissions()


@rules.predicate
def of_users_department(user, obj) -> bool:
    owner = getattr(obj, "owning_department_id", None)
    return owner is not None and owner in department_ids(user)


@rules.predicate
def not_yet_public(user, obj) -> bool:
    return not is_public(obj)


# What a department role may do to one row; publishing and corrections of what the
# public sees stay with the strategy office.
DEPARTMENT_RULES = rules.RuleSet()
DEPARTMENT_RULES.add_rule("add", of_users_department)
DEPARTMENT_RULES.add_rule("change", of_users_department & not_yet_public)
DEPARTMENT_RULES.add_rule("delete", of_users_department & not_yet_public)


# Models only code writes: read-only for everyone in the admin. The demo marker is
# written by `demo_years`; an erratum by projects.errata, from a correction's history.
# A notice (a reminder mail sent) by indicators.reminders.
WRITTEN_BY_COMMANDS_ONLY = {"indicators.demomarker", "projects.erratum", "indicators.notice"}
# Models whose rows only code makes, though people change them: a task (入力依頼) is
# made by opening a round (indicators.rounds.open_round).
ADDED_BY_CODE_ONLY = {"indicators.task"}


def reason_required(obj) -> bool:
    """A change to a stored public record needs a 変更理由 (kept in its history)."""
    return is_public(obj)


def refusal(action: str, obj, user=None) -> str:
    """Why `may` said no, in the editor's words."""
    name = obj._meta.verbose_name
    if action == "delete" and is_public(obj):
        return (
            f"公開中の{name}「{obj}」は削除できません。"
            "誤りは変更理由を付けて訂正するか、下書きに戻してから削除してください。"
        )
    opts = obj._meta
    permission = f"{opts.app_label}.{get_permission_codename(action, opts)}"
    if user is not None and action in ACTIONS and _held_in_scope_only(user, permission):
        if not of_users_department(user, obj):
            return (
                f"{name}「{obj}」は、あなたの担当部局のものではないため"
                f"{ACTION_LABELS[action]}ことができません。担当の部局に依頼してください。"
            )
        if is_public(obj):
            return (
                f"{name}「{obj}」は公開済みです。公開後の訂正は総合政策部"
                "（報告書の編集者・編集者）が変更理由を付けて行います。"
            )
    return f"{name}「{obj}」を{ACTION_LABELS[action]}権限がありません。"


def placement_refusal(obj, *, into, out_of=None) -> str | None:
    """Why the report's text `obj` may not go into edition `into` (from `out_of`, where
    it is stored), or None. A published edition is a record: nothing is added to it
    and nothing moved into or out of it; what is there is corrected in place (a 訂正
    with a reason, listed on the edition's 正誤表: projects.errata)."""
    name = obj._meta.verbose_name
    if obj.pk is None:
        if into is not None and not into.is_draft:
            return (
                f"{into.year}年版は公開済みの記録なので、{name}を追加できません。"
                f"次の版（下書き）の見出しを選んでください。公開済みの版の誤りは、"
                f"その{name}を変更理由を付けて訂正します（正誤表に載ります）。"
            )
        return None
    if into is None or out_of is None or into.pk == out_of.pk:
        return None
    published = next((e for e in (out_of, into) if not e.is_draft), None)
    if published is not None:
        return (
            f"{name}を{out_of.year}年版から{into.year}年版へ移すことはできません："
            f"{published.year}年版は公開済みの記録です。同じ版の見出しを選んでください。"
        )
    return None


ACTION_LABELS = {
    "view": "閲覧する",
    "add": "追加する",
    "change": "変更する",
    "delete": "削除する",
    "publish": "公開する",
    "review": "確認・差し戻しする",
}


# --- roles -----------------------------------------------------------------------------
# The one list of which role holds which model permissions. Applied to the groups
# after every migrate (`apply_roles`); the roles table of docs/editors-and-roles.md is generated from it
# (`roles_table`, checked by tests/strategy_portal/test_permissions.py).
VIEW = ("view",)
FIGURES = ("view", "add", "change")

ROLES = {
    "editor": {
        "label": "編集者（管理画面で実績・目標を入力・公開）",
        "admin": True,
        "permissions": {
            "projects.strategy": VIEW,
            "projects.strategyphase": VIEW,
            "projects.edition": VIEW,
            "projects.sourcecorrection": VIEW,
            "projects.erratum": VIEW,
            "projects.toconfirm": VIEW,
            "projects.project": VIEW,
            "projects.theme": VIEW,
            "projects.section": VIEW,
            "projects.category": VIEW,
            "projects.measure": VIEW,
            "indicators.indicator": VIEW,
            "indicators.heading": VIEW,
            "indicators.result": (*FIGURES, "delete"),
            "indicators.target": FIGURES,
            "projects.department": VIEW,
            "indicators.round": VIEW,
            "indicators.task": VIEW,
            "indicators.notice": VIEW,
            "indicators.gradingrule": VIEW,
            "indicators.selfassessment": VIEW,
            "projects.committeemeeting": VIEW,
            "projects.committeecomment": VIEW,
        },
    },
    "report_editor": {
        "label": "報告書の編集者（管理画面で次の版の本文を作成・公開）",
        "admin": True,
        "permissions": {
            "projects.strategy": VIEW,
            "projects.strategyphase": VIEW,
            "projects.edition": FIGURES,
            "projects.sourcecorrection": FIGURES,
            "projects.erratum": VIEW,
            "projects.toconfirm": ("view", "delete"),
            "projects.project": VIEW,
            "projects.theme": VIEW,
            "projects.section": ("view", "change"),
            "projects.category": (*FIGURES, "delete"),
            "projects.measure": (*FIGURES, "delete"),
            "indicators.indicator": FIGURES,
            "indicators.heading": (*FIGURES, "delete"),
            "indicators.result": VIEW,
            "indicators.target": VIEW,
            "municipalities.municipality": VIEW,
            "projects.department": (*FIGURES, "delete"),
            "indicators.round": FIGURES,
            "indicators.task": ("view", "change"),
            "indicators.notice": VIEW,
            "indicators.gradingrule": FIGURES,
            "indicators.selfassessment": (*FIGURES, "delete"),
            "projects.committeemeeting": (*FIGURES, "delete"),
            "projects.committeecomment": (*FIGURES, "delete"),
        },
    },
    "department_editor": {
        "label": "部局の編集者（担当部局の指標の実績を入力し、調査に提出）",
        "admin": True,
        # Its permissions reach only its departments' rows, and drafts only
        # (DEPARTMENT_RULES); the office publishes and reviews.
        "scope": "department",
        "permissions": {
            **{
                f"projects.{name}": VIEW
                for name in ("strategy", "edition", "project", "theme", "section", "category")
            },
            "projects.measure": VIEW,
            "projects.department": VIEW,
            "indicators.indicator": VIEW,
            "indicators.heading": VIEW,
            "indicators.target": VIEW,
            "indicators.result": (*FIGURES, "delete"),
            "indicators.round": VIEW,
            "indicators.task": ("view", "change"),
            "indicators.gradingrule": VIEW,
            "indicators.selfassessment": (*FIGURES, "delete"),
            "projects.committeemeeting": VIEW,
            "projects.committeecomment": VIEW,
        },
    },
    "staff": {
        "label": "職員（ログインして下書きを含めて閲覧のみ）",
        "admin": False,
        "permissions": {
            **{
                f"projects.{name}": VIEW
                for name in (
                    "strategy",
                    "strategyphase",
                    "edition",
                    "sourcecorrection",
                    "erratum",
                    "toconfirm",
                    "project",
                    "theme",
                    "section",
                    "category",
                    "measure",
                    "department",
                    "committeemeeting",
                    "committeecomment",
                )
            },
            **{
                f"indicators.{name}": VIEW
                for name in (
                    "indicator",
                    "heading",
                    "result",
                    "target",
                    "round",
                    "task",
                    "notice",
                    "gradingrule",
                    "selfassessment",
                )
            },
            **{
                f"municipalities.{name}": VIEW
                for name in ("subprefecture", "municipality", "collaborationarea", "dmo")
            },
        },
    },
}


def role_name(role: str) -> str:
    """The role's short name: 編集者, 報告書の編集者, 職員 (its label up to the note)."""
    return ROLES[role]["label"].split("（")[0]


def role_permissions(role: str) -> set[tuple[str, str]]:
    """{(app_label, codename)} of a role, e.g. ("indicators", "change_result")."""
    pairs = set()
    for label, actions in ROLES[role]["permissions"].items():
        app_label, model_name = label.split(".")
        pairs |= {(app_label, f"{action}_{model_name}") for action in actions}
    return pairs


def apply_roles(apps=None, **kwargs):
    """Make each role's group hold exactly its permissions (a post_migrate handler).

    Permissions granted by hand in the admin are replaced: this table is the rule.
    """
    from django.apps import apps as global_apps

    apps = apps or global_apps
    try:
        Group = apps.get_model("auth", "Group")
        Permission = apps.get_model("auth", "Permission")
    except LookupError:
        return
    for role in ROLES:
        wanted = role_permissions(role)
        found = Permission.objects.filter(
            content_type__app_label__in={app for app, _ in wanted},
            codename__in={codename for _, codename in wanted},
        ).select_related("content_type")
        permissions = [p for p in found if (p.content_type.app_label, p.codename) in wanted]
        if len(permissions) != len(wanted):
            continue  # the models' permissions are not all made yet (a partial migrate)
        group, _ = Group.objects.get_or_create(name=role)
        group.permissions.set(permissions)


def roles_table() -> str:
    """The table of who may do what (docs/editors-and-roles.md), from ROLES and the rules."""
    from django.apps import apps

    def name(label):
        return apps.get_model(label)._meta.verbose_name

    lines = [
        "| role | signs in at | view | add | change | delete (drafts only) |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for role, spec in ROLES.items():
        by_action = {action: [] for action in ACTIONS}
        for label, actions in spec["permissions"].items():
            for action in actions:
                by_action[action].append(label)
        cells = ["・".join(name(label) for label in by_action[a]) or "—" for a in ACTIONS]
        if is_scoped(role):  # DEPARTMENT_RULES: the department's own rows, drafts only
            cells[1:] = [
                f"{cell}（担当部局の分だけ）" if cell != "—" else cell for cell in cells[1:]
            ]
        where = "`/admin/`" if spec["admin"] else "`/accounts/login/`"
        lines.append(f"| `{role}` | {where} | " + " | ".join(cells) + " |")
    return "\n".join(lines)
