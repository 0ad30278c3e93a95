"""The API's per-address limit holds under concurrency: of many requests sent at
once from one address, by threads and by processes sharing the file cache that
`make serve` uses, exactly the limit get through. (The production stack with
several gunicorn workers is tested in test_faults.)"""

import subprocess
import sys
import threading
import time

import pytest
from django.test import RequestFactory

from api.api import ClientAddressThrottle

LIMIT = 25


def outside_a_window_boundary(seconds=3600, margin=30):
    """The limit counts per fixed window: start well inside one."""
    left = seconds - time.time() % seconds
    if left < margin:
        time.sleep(left + 1)


def request_from(address="203.0.113.7"):
    return RequestFactory().get("/api/v1/indicators", REMOTE_ADDR=address)


def test_of_many_threads_from_one_address_exactly_the_limit_get_through(settings, tmp_path):
    settings.API_THROTTLE_RATE = f"{LIMIT}/h"
    settings.CACHES = {
        **settings.CACHES,
        "throttle": {
            "BACKEND": "strategy_portal.pagecache.filecache.FileCache",
            "LOCATION": str(tmp_path / "throttle"),
        },
    }
    outside_a_window_boundary()
    throttle = ClientAddressThrottle()  # one instance serves every thread, as in a worker
    answers = []
    start = threading.Barrier(32)

    def client():
        start.wait()
        for _ in range(5):
            answers.append(throttle.allow_request(request_from()))

    threads = [threading.Thread(target=client) for _ in range(32)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert answers.count(True) == LIMIT
    assert answers.count(False) == 32 * 5 - LIMIT
    # Another address has its own count.
    assert throttle.allow_request(request_from("198.51.100.1"))


WORKER = """
import os, sys, threading, time
import django
django.setup()
from django.test import RequestFactory
from api.api import ClientAddressThrottle
throttle = ClientAddressThrottle()
start = float(sys.argv[1])
answers = []
def client():
    while time.time() < start:
        time.sleep(0.001)
    for _ in range(5):
        request = RequestFactory().get("/api/v1/indicators", REMOTE_ADDR="203.0.113.7")
        answers.append(throttle.allow_request(request))
threads = [threading.Thread(target=client) for _ in range(8)]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
print(answers.count(True))
"""


def test_of_many_worker_processes_sharing_the_file_cache_exactly_the_limit_get_through(tmp_path):
    """Six processes of eight threads, as gunicorn's workers share one file cache."""
    outside_a_window_boundary()
    env = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "strategy_portal.settings",
        "DJANGO_CACHE_URL": f"file://{tmp_path / 'cache'}",
        "DJANGO_API_THROTTLE_RATE": f"{LIMIT}/h",
    }
    start = time.time() + 4  # every process is set up and waiting by then
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, str(start)], env=env, stdout=subprocess.PIPE, text=True
        )
        for _ in range(6)
    ]
    allowed = [int(process.communicate()[0].strip()) for process in processes]
    assert sum(allowed) == LIMIT, allowed


@pytest.mark.parametrize("rate", ["3/m", "3/h"])
def test_retry_after_says_when_a_request_gets_through_again(settings, tmp_path, rate):
    """Refused until Retry-After has passed, allowed just after (a client that
    waits as told is never refused twice)."""
    settings.API_THROTTLE_RATE = rate
    settings.CACHES = {
        **settings.CACHES,
        "throttle": {
            "BACKEND": "strategy_portal.pagecache.filecache.FileCache",
            "LOCATION": str(tmp_path / "throttle"),
        },
    }
    now = time.time()
    throttle = ClientAddressThrottle()
    throttle.timer = lambda: now
    assert [throttle.allow_request(request_from()) for _ in range(3)] == [True] * 3
    for _ in range(2):
        assert not throttle.allow_request(request_from())
        wait = throttle.wait()
        assert 0 < wait <= (60 if rate.endswith("m") else 3600)
        now += wait - 0.5
        assert not throttle.allow_request(request_from())
        now += 0.6
        assert throttle.allow_request(request_from())
        assert throttle.allow_request(request_from())
        assert throttle.allow_request(request_from())
