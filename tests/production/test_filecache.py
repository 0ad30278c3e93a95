"""The file cache's add() is atomic across processes: one claim, one winner."""

import subprocess
import sys
import time

from strategy_portal.pagecache.filecache import FileCache

ADD = """
import sys, time
from strategy_portal.pagecache.filecache import FileCache
cache = FileCache(sys.argv[1], {})
start = float(sys.argv[2])
while time.time() < start:
    pass
print(cache.add("claim", sys.argv[3], 30))
"""


def test_of_many_processes_adding_one_key_at_once_exactly_one_succeeds(tmp_path):
    start = time.time() + 1.5  # every process is started and waiting by then
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", ADD, str(tmp_path), str(start), str(n)],
            stdout=subprocess.PIPE,
            text=True,
        )
        for n in range(8)
    ]
    answers = [process.communicate()[0].strip() for process in processes]
    assert sorted(answers) == ["False"] * 7 + ["True"]
    winner = answers.index("True")
    assert FileCache(str(tmp_path), {}).get("claim") == str(winner)


def test_an_expired_entry_can_be_added_again_and_a_live_one_cannot(tmp_path, monkeypatch):
    cache = FileCache(str(tmp_path), {})
    assert cache.add("claim", "first", 10)
    assert not cache.add("claim", "second", 10)
    assert cache.get("claim") == "first"
    later = time.time() + 60
    monkeypatch.setattr("django.core.cache.backends.filebased.time.time", lambda: later)
    assert cache.add("claim", "third", 10)
    assert cache.get("claim") == "third"
    assert list(tmp_path.glob("tmp*")) == []  # no temporary file is left behind
