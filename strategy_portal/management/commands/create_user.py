"""Create a user with one role or several: editors (admin) or prefectural staff (read-only).

    python manage.py create_user hanako --role editor --email hanako@example.jp
    python manage.py create_user hanako --role editor --role report_editor   # both editor roles
    python manage.py create_user taro --role staff
    DJANGO_USER_PASSWORD=... python manage.py create_user taro --role staff --noinput
    python manage.py create_user taro --role editor --update   # replace an existing user's roles
    python manage.py create_user taro --add-role report_editor  # add one, keep the others
    python manage.py create_user taro --remove-role editor      # take one away
    python manage.py create_user jiro --role department_editor --department 経済部 --email jiro@example.jp

The password is asked twice (or read from DJANGO_USER_PASSWORD with --noinput,
for scripts) and checked by the site's password validators. The roles are the
groups of strategy_portal.permissions.ROLES: `editor` signs in to /admin/
(is_staff) and enters results; `staff` signs in at /accounts/login/ and reads
everything, drafts included. Neither is a superuser.
"""

import getpass
import os

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from strategy_portal.permissions import ROLES

ADMIN_ROLES = tuple(role for role, spec in ROLES.items() if spec["admin"])  # sign in to /admin/
PASSWORD_ENV = "DJANGO_USER_PASSWORD"


class Command(BaseCommand):
    help = (
        "役割（editor: 編集者 / report_editor: 報告書の編集者 / department_editor: 部局の編集者"
        " / staff: 職員）を指定してユーザーを作ります。"
    )

    def add_arguments(self, parser):
        parser.add_argument("username", help="ログイン名")
        for flag, dest, text in (
            ("--role", "roles", "役割（複数なら繰り返す）"),
            ("--add-role", "added", "既存のユーザーに役割を足す"),
            ("--remove-role", "removed", "既存のユーザーから役割を外す"),
        ):
            parser.add_argument(
                flag, action="append", dest=dest, default=[], choices=sorted(ROLES), help=text
            )
        parser.add_argument("--email", default="", help="メールアドレス（任意。調査の通知の宛先）")
        parser.add_argument(
            "--department",
            action="append",
            dest="departments",
            default=[],
            help="入力担当者として加える担当部局の名前（部局の編集者。複数なら繰り返す）",
        )
        parser.add_argument(
            "--noinput",
            "--no-input",
            action="store_false",
            dest="interactive",
            help=f"パスワードを尋ねず、環境変数 {PASSWORD_ENV} から読む",
        )
        parser.add_argument(
            "--update",
            action="store_true",
            help="既存のユーザーの役割を --role のとおりに置き換える（パスワードは変えない）",
        )

    def handle(
        self,
        *args,
        username,
        roles,
        added,
        removed,
        email,
        interactive,
        update,
        departments,
        **options,
    ):
        User = get_user_model()
        # By name, not import: the project package imports no app (projects.Department).
        Department = apps.get_model("projects", "Department")
        found = {d.name: d for d in Department.objects.filter(name__in=departments)}
        unknown = [name for name in departments if name not in found]
        if unknown:
            raise CommandError(
                "担当部局「"
                + "」「".join(unknown)
                + "」はありません。管理画面の「担当部局」で先に作ってください。"
            )
        groups = {group.name: group for group in Group.objects.filter(name__in=ROLES)}
        if set(groups) != set(ROLES):
            raise CommandError(
                "役割のグループ（editor, staff）がありません。先に `manage.py migrate` を実行してください。"
            )
        user = User.objects.filter(username=username).first()
        adjusting = bool(added or removed)
        if roles and adjusting:
            raise CommandError(
                "--role と --add-role / --remove-role は一緒に使えません。"
                "置き換えるなら --role と --update、足し引きするなら --add-role / --remove-role を使ってください。"
            )
        if not roles and not adjusting:
            raise CommandError("役割を --role で指定してください（複数なら繰り返します）。")
        if user is not None and roles and not update:
            raise CommandError(
                f"ユーザー「{username}」はすでにあります。役割を置き換えるときは --update を、"
                "足すときは --add-role を付けてください。"
            )
        if user is None and (update or adjusting):
            raise CommandError(f"ユーザー「{username}」はありません。")
        if user is not None and user.is_superuser:
            raise CommandError(f"「{username}」は管理者（superuser）です。役割は付けられません。")

        if adjusting:
            held = set(user.groups.filter(name__in=ROLES).values_list("name", flat=True))
            wanted = (held | set(added)) - set(removed)
            if not wanted:
                raise CommandError(
                    f"「{username}」の役割がなくなります。ユーザーを使わなくするときは管理画面で無効にしてください。"
                )
        else:
            wanted = set(roles)

        password = None
        if user is None:
            candidate = User(username=username, email=email)
            password = self.read_password(candidate, interactive)

        with transaction.atomic():
            if user is None:
                user = User.objects.create_user(username, email=email, password=password)
            elif email:
                user.email = email
            user.is_staff = bool(wanted & set(ADMIN_ROLES))
            user.is_superuser = False
            user.save()
            user.groups.remove(*groups.values())
            user.groups.add(*(groups[role] for role in wanted))
            for department in found.values():
                department.members.add(user)

        names = "・".join(ROLES[role]["label"] for role in sorted(wanted))
        if found:
            names += "。担当部局：" + "・".join(found)
        where = "/admin/" if user.is_staff else "/accounts/login/"
        self.stdout.write(
            self.style.SUCCESS(
                f"ユーザー「{username}」の役割：{names}。{where} からログインできます。"
            )
        )

    def read_password(self, user, interactive):
        if not interactive:
            password = os.environ.get(PASSWORD_ENV, "")
            if not password:
                raise CommandError(
                    f"--noinput のときは環境変数 {PASSWORD_ENV} にパスワードを入れてください。"
                )
            self.validate(password, user)
            return password
        while True:
            password = getpass.getpass("パスワード: ")
            if password != getpass.getpass("パスワード（確認）: "):
                self.stderr.write("パスワードが一致しません。もう一度入力してください。")
                continue
            try:
                self.validate(password, user)
            except CommandError as exc:
                self.stderr.write(str(exc))
                continue
            return password

    def validate(self, password, user):
        try:
            validate_password(password, user)
        except ValidationError as exc:
            raise CommandError("パスワードが使えません：" + " ".join(exc.messages)) from exc
