"""Faults on the real production stack (gunicorn, DEBUG off, a SQLite file): a
locked database, editors saving at once, a full cache disk, a killed worker, a
stuck request. In each, public pages answer 200 (or 503), nothing is lost, and
the site recovers by itself."""

import http.client
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import threading
import time
from contextlib import contextmanager

import pytest

from harness.live import Browser, Server, build_site, form_fields, production_env

pytestmark = pytest.mark.live

EDITOR = ("chief", "pw-chief-correct-horse")
CONSULTATIONS = "p1-marriage-support-consultations"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """One seeded database for the module; each test copies it."""
    folder = tmp_path_factory.mktemp("faults")
    database = folder / "portal.sqlite3"
    build_site(production_env(database, folder / "cache"), editor=EDITOR)
    return database


@pytest.fixture
def database(site, tmp_path):
    copy = tmp_path / "portal.sqlite3"
    source = sqlite3.connect(site)
    target = sqlite3.connect(copy)
    source.backup(target)
    source.close()
    target.close()
    return copy


@contextmanager
def running(database, cache_dir, **env):
    server = Server(
        production_env(database, cache_dir, **{"WEB_CONCURRENCY": 2, **env}),
        log=database.parent / "gunicorn.log",
    )
    server.start()
    try:
        yield server
    finally:
        server.stop()


def result_pk(database, slug=CONSULTATIONS, fiscal_year=2017):
    with sqlite3.connect(database) as connection:
        return connection.execute(
            "SELECT r.id FROM indicators_result r JOIN indicators_indicator i"
            " ON i.id = r.indicator_id WHERE i.slug = ? AND r.fiscal_year = ?",
            (slug, fiscal_year),
        ).fetchone()[0]


def stored_value(database, pk):
    with sqlite3.connect(database) as connection:
        return connection.execute(
            "SELECT value FROM indicators_result WHERE id = ?", (pk,)
        ).fetchone()[0]


@contextmanager
def write_lock(database):
    """Another process's write transaction (a shell, a migration, a backup restore)."""
    locker = sqlite3.connect(database, isolation_level=None, timeout=0)
    locker.execute("BEGIN EXCLUSIVE")
    locker.execute("UPDATE django_session SET expire_date = expire_date")
    try:
        yield
    finally:
        locker.execute("ROLLBACK")
        locker.close()


def municipality_paths(database, n):
    with sqlite3.connect(database) as connection:
        codes = connection.execute(
            "SELECT code FROM municipalities_municipality ORDER BY code LIMIT ?", (n,)
        ).fetchall()
    return [f"/municipalities/{code}/" for (code,) in codes]


def test_a_locked_database_answers_503_to_a_save_and_200_to_readers_then_recovers(
    database, tmp_path
):
    with running(database, tmp_path / "cache", DJANGO_DB_BUSY_TIMEOUT_MS=1000) as server:
        editor = Browser(server).log_in(*EDITOR)
        pk = result_pk(database)
        with write_lock(database):
            # Pages nobody has asked for yet: rendered from the database.
            for path in municipality_paths(database, 12):
                assert server.get(path).status == 200, path
            path = f"/admin/indicators/result/{pk}/change/"
            page = editor.get(path)
            assert page.status == 200
            data = form_fields(page.body.decode())
            data.update({"value": "820", "change_reason": "ロック中の保存"})
            busy = editor.post(path, data)
            assert busy.status == 503
            assert busy.getheader("Retry-After") == "5"
            assert "混み合っています" in busy.body.decode()
        assert stored_value(database, pk) == 813
        assert editor.change_result(pk, 821) == 302  # the same save, retried
        assert stored_value(database, pk) == 821
        assert "821" in server.get(f"/indicators/{CONSULTATIONS}/").body.decode()


def test_two_editors_saving_at_once_and_a_login_flood_never_fail(database, tmp_path):
    with running(database, tmp_path / "cache") as server:
        editors = [Browser(server).log_in(*EDITOR) for _ in range(2)]
        first = result_pk(database)
        with sqlite3.connect(database) as connection:
            (other,) = connection.execute(
                "SELECT id FROM indicators_result WHERE id != ? ORDER BY id LIMIT 1", (first,)
            ).fetchone()
        targets = [first, other]
        statuses = {"saves": [], "logins": []}

        def save(editor, pk):
            for n in range(20):
                statuses["saves"].append(editor.change_result(pk, 1000 + n))

        def flood(k):
            """Wrong passwords through the real login form: axes writes each failure."""
            browser = Browser(server)
            token = browser.csrf(browser.get("/admin/login/").body.decode())
            for n in range(20):
                answer = browser.post(
                    "/admin/login/",
                    {"csrfmiddlewaretoken": token, "username": f"user{k}-{n}", "password": "guess"},
                )
                statuses["logins"].append(answer.status)

        threads = [
            threading.Thread(target=save, args=pair) for pair in zip(editors, targets, strict=True)
        ]
        threads += [threading.Thread(target=flood, args=(k,)) for k in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert statuses["saves"] == [302] * 40
        # 200: the form again; 429: the address is throttled (20 failures, all from 127.0.0.1).
        assert set(statuses["logins"]) <= {200, 429}, statuses["logins"]
        assert statuses["logins"].count(200) >= 19
        for pk in targets:
            assert stored_value(database, pk) == 1019


@pytest.mark.skipif(os.geteuid() != 0, reason="mounting a small tmpfs needs root")
def test_a_full_cache_disk_means_uncached_pages_and_recovers_when_space_returns(database, tmp_path):
    mount = tmp_path / "small-disk"
    mount.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=512k", "tmpfs", str(mount)], check=True)
    try:
        cache_dir = mount / "cache"
        with running(database, cache_dir) as server:
            editor = Browser(server).log_in(*EDITOR)
            shutil.rmtree(cache_dir)  # the key and the shared pages are gone, and then
            filler = mount / "filler"  # the disk is full: no cache file can be written
            with open(filler, "wb", buffering=0) as handle:
                try:
                    while True:
                        handle.write(b"\0" * 4096)
                except OSError:
                    pass
            for path in [
                "/",
                "/projects/sumairu/",
                f"/indicators/{CONSULTATIONS}/",
                "/api/v1/editions",  # the API's limit cannot count: it lets requests in
                "/api/v1/indicators",
                f"/indicators/{CONSULTATIONS}/results.csv",
                "/data/all.zip",
            ]:
                assert server.get(path).status == 200, path
            pk = result_pk(database)
            assert editor.change_result(pk, 8141) == 302
            assert stored_value(database, pk) == 8141
            assert "8,141" in server.get(f"/indicators/{CONSULTATIONS}/").body.decode()

            filler.unlink()
            assert server.get("/").status == 200
            assert any(cache_dir.iterdir()), "the generation is stored again"
            assert "8,141" in server.get(f"/indicators/{CONSULTATIONS}/").body.decode()
    finally:
        subprocess.run(["umount", str(mount)], check=True)


def test_a_killed_worker_is_replaced_and_public_pages_keep_answering(database, tmp_path):
    with running(database, tmp_path / "cache") as server:
        editor = Browser(server).log_in(*EDITOR)
        pk = result_pk(database)
        assert editor.change_result(pk, 830) == 302
        before = server.worker_pids()
        answers, stop = [], threading.Event()

        def read():
            while not stop.is_set():
                try:
                    answers.append(server.get("/projects/sumairu/").status)
                except (OSError, http.client.HTTPException):
                    answers.append("connection lost")

        def wait_for_answers(count):
            """Until the reader has `count` answers (it reads without pause)."""
            deadline = time.monotonic() + 20
            while len(answers) < count and time.monotonic() < deadline:
                time.sleep(0.01)
            assert len(answers) >= count, answers

        reader = threading.Thread(target=read)
        reader.start()
        wait_for_answers(5)  # the reader is being served before the kill
        os.kill(before[0], signal.SIGKILL)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            now = server.worker_pids()
            if len(now) == len(before) and before[0] not in now:
                break
            time.sleep(0.2)
        wait_for_answers(len(answers) + 10)  # and is served after the replacement
        stop.set()
        reader.join()
        assert before[0] not in server.worker_pids()
        assert len(server.worker_pids()) == len(before)
        # One request can be on the killed worker; every other answer is a page.
        assert answers.count("connection lost") <= 1
        assert set(answers) - {"connection lost"} == {200}
        assert stored_value(database, pk) == 830
        assert editor.change_result(pk, 831) == 302


def test_a_request_past_the_hard_timeout_restarts_its_worker(database, tmp_path):
    with running(
        database,
        tmp_path / "cache",
        GUNICORN_HARD_TIMEOUT=2,
        GUNICORN_GRACEFUL_TIMEOUT=1,
        DJANGO_DB_BUSY_TIMEOUT_MS=15000,
    ) as server:
        editor = Browser(server).log_in(*EDITOR)
        pk = result_pk(database)
        before = set(server.worker_pids())
        with write_lock(database):
            started = time.monotonic()
            with pytest.raises((OSError, http.client.HTTPException)):
                editor.change_result(pk, 840)  # waits on the lock, far past 2 s
            assert time.monotonic() - started < 10  # cut long before the 15 s wait
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and set(server.worker_pids()) & before == before:
            time.sleep(0.2)
        assert set(server.worker_pids()) != before
        assert server.get("/").status == 200
        assert stored_value(database, pk) == 813  # nothing half-written
        assert editor.change_result(pk, 841) == 302


def test_the_api_limit_holds_for_concurrent_clients_across_gunicorn_workers(database, tmp_path):
    """32 clients at once from one address, spread over four workers that share the
    file cache: exactly the limit answer 200, every other request 429."""
    limit = 40
    left = 3600 - time.time() % 3600  # the limit counts per fixed window (an hour here)
    if left < 60:
        time.sleep(left + 1)
    with running(
        database, tmp_path / "cache", WEB_CONCURRENCY=4, DJANGO_API_THROTTLE_RATE=f"{limit}/h"
    ) as server:
        assert len(server.worker_pids()) == 4
        answers = []
        start = threading.Barrier(32)

        def client():
            start.wait()
            for _ in range(5):
                response = server.get("/api/v1/editions")
                answers.append((response.status, response.getheader("Retry-After")))

        threads = [threading.Thread(target=client) for _ in range(32)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        statuses = [status for status, _ in answers]
        assert statuses.count(200) == limit
        assert statuses.count(429) == 32 * 5 - limit
        waits = {int(wait) for status, wait in answers if status == 429}
        assert waits and all(0 < wait <= 3600 for wait in waits)


@contextmanager
def database_gone(database):
    """The database cannot be opened: the file is moved away and a directory takes
    its name (new connections fail, as with PostgreSQL stopped), then it comes back."""
    away = database.with_name(database.name + ".away")
    database.rename(away)
    database.mkdir()
    try:
        yield
    finally:
        database.rmdir()
        away.rename(database)


def test_while_the_database_is_down_cached_pages_serve_their_last_copy_and_the_rest_503(
    database, tmp_path
):
    """Each request opens its own connection (DJANGO_CONN_MAX_AGE=0), so every
    request after the database goes finds it gone, in both workers."""
    project = "/projects/sumairu/"
    with running(database, tmp_path / "cache", DJANGO_CONN_MAX_AGE=0) as server:
        editor = Browser(server).log_in(*EDITOR)
        for _ in range(4):  # both workers, as readers would
            assert "813件" in server.get(project).body.decode()
        pk = result_pk(database)
        assert editor.change_result(pk, 815) == 302  # every cached page is stale now
        history = history_rows(database, pk)
        uncached = municipality_paths(database, 1)[0]
        with database_gone(database):
            for _ in range(6):
                page = server.get(project)
                assert page.status == 200
                assert "813件" in page.body.decode()  # the copy from before the edit

            page = server.get(uncached)
            assert page.status == 503
            assert page.getheader("Retry-After") == "5"
            assert "混み合っています" in page.body.decode()
            assert "no-store" in page.getheader("Cache-Control")

            api = server.get("/api/v1/editions")
            assert api.status == 503
            assert api.getheader("Retry-After") == "5"
            error = json.loads(api.body)["error"]
            assert error["status"] == 503 and error["code"] == "service_unavailable"
            assert "しばらく" in error["message"]

            assert editor.change_result(pk, 816) == 503  # a save: refused whole
        assert stored_value(database, pk) == 815
        assert history_rows(database, pk) == history
        assert "815件" in server.get(project).body.decode()
        assert editor.change_result(pk, 817) == 302
        assert history_rows(database, pk) == history + 1


def history_rows(database, pk):
    with sqlite3.connect(database) as connection:
        return connection.execute(
            "SELECT COUNT(*) FROM indicators_historicalresult WHERE id = ?", (pk,)
        ).fetchone()[0]


def test_the_production_stack_names_no_server_software(database, tmp_path):
    with running(database, tmp_path / "cache") as server:
        for path in ["/", "/nothing-here", "/static/favicon.svg"]:
            response = server.get(path)
            assert response.getheader("Server") is None, path
            assert response.getheader("Cross-Origin-Resource-Policy") == "same-origin"
            assert not [name for name, _ in response.getheaders() if name.lower() == "x-page-cache"]
