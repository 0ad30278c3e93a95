"""Create a user with a role: an editor (admin) or prefectural staff (read-only).

    python manage.py create_user hanako --role editor --email hanako@example.jp
    python manage.py create_user taro --role staff
    DJANGO_USER_PASSWORD=... python manage.py create_user taro --role staff --noinput
    python manage.py create_user taro --role editor --update   # change an existing user's role

The password is asked twice (or read from DJANGO_USER_PASSWORD with --noinput,
for scripts) and checked by the site's password validators. The roles are the
groups of strategy_portal.permissions.ROLES: `editor` signs in to /admin/
(is_staff) and enters results; `staff` signs in at /accounts/login/ and reads
everything, drafts included. Neither is a superuser.
"""

import getpass
import os

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
    help = "役割（editor: 編集者 / report_editor: 報告書の編集者 / staff: 職員）を指定してユーザーを作ります。"

    def add_arguments(self, parser):
        parser.add_argument("username", help="ログイン名")
        parser.add_argument("--role", required=True, choices=sorted(ROLES), help="役割")
        parser.add_argument("--email", default="", help="メールアドレス（任意）")
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
            help="既存のユーザーの役割を変える（パスワードは変えない）",
        )

    def handle(self, *args, username, role, email, interactive, update, **options):
        User = get_user_model()
        groups = {group.name: group for group in Group.objects.filter(name__in=ROLES)}
        if set(groups) != set(ROLES):
            raise CommandError(
                "役割のグループ（editor, staff）がありません。先に `manage.py migrate` を実行してください。"
            )
        user = User.objects.filter(username=username).first()
        if user is not None and not update:
            raise CommandError(
                f"ユーザー「{username}」はすでにあります。役割を変えるときは --update を付けてください。"
            )
        if user is None and update:
            raise CommandError(f"ユーザー「{username}」はありません。")
        if user is not None and user.is_superuser:
            raise CommandError(f"「{username}」は管理者（superuser）です。役割は付けられません。")

        password = None
        if user is None:
            candidate = User(username=username, email=email)
            password = self.read_password(candidate, interactive)

        with transaction.atomic():
            if user is None:
                user = User.objects.create_user(username, email=email, password=password)
            elif email:
                user.email = email
            user.is_staff = role in ADMIN_ROLES
            user.is_superuser = False
            user.save()
            user.groups.remove(*groups.values())
            user.groups.add(groups[role])

        where = "/admin/" if role in ADMIN_ROLES else "/accounts/login/"
        self.stdout.write(
            self.style.SUCCESS(
                f"ユーザー「{username}」を{ROLES[role]['label']}にしました。{where} からログインできます。"
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
