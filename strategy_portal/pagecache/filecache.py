"""Django's file cache, with an add() and an incr() that are atomic across processes.

FileBasedCache.add() looks for the key, then writes it: two workers adding the
same key at the same moment both succeed. The page cache uses add() as a claim
("this worker renders the page, the others wait for its copy"), and for the
first generation number, so here the entry is written to a temporary file and
linked into place, which fails if the key's file already exists.

FileBasedCache.incr() is BaseCache's get() then set(): two workers counting at
once both write the same number, so the API's per-address limit let every
request through under load. Here the entry's file is locked (flock) while it
is read and rewritten in place, keeping its expiry.
"""

import fcntl
import os
import pickle
import tempfile
import time
import zlib

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.filebased import FileBasedCache


class FileCache(FileBasedCache):
    def stamp(self, key, version=None):
        """When the entry's file was last replaced (inode, mtime, size), or None: a
        reader that remembers the value it read under a stamp need not read again
        while the stamp is the same (every write replaces the file)."""
        try:
            status = os.stat(self._key_to_file(key, version))
        except OSError:
            return None
        return (status.st_ino, status.st_mtime_ns, status.st_size)

    def incr(self, key, delta=1, version=None):
        fname = self._key_to_file(key, version)
        while True:
            try:
                f = open(fname, "r+b")
            except FileNotFoundError:
                raise ValueError(f"Key '{key}' not found") from None
            with f:
                fcntl.flock(f, fcntl.LOCK_EX)  # released when the file is closed
                try:
                    current = os.stat(fname).st_ino
                except FileNotFoundError:
                    current = None
                if current != os.fstat(f.fileno()).st_ino:
                    continue  # replaced or removed (set, cull) while we waited: look again
                # The cache's own file, written by this server, read as Django's
                # FileBasedCache.get reads it (the same trust in the cache directory).
                try:
                    expiry = pickle.load(f)  # nosec B301
                except EOFError:
                    expiry = 0  # an empty file is an expired entry, as in Django
                if expiry is not None and expiry < time.time():
                    raise ValueError(f"Key '{key}' not found")
                value = pickle.loads(zlib.decompress(f.read())) + delta  # nosec B301
                f.seek(0)
                f.write(pickle.dumps(expiry, self.pickle_protocol))
                f.write(zlib.compress(pickle.dumps(value, self.pickle_protocol)))
                f.truncate()
                return value

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        if self.has_key(key, version):
            # The usual answer while another worker renders (every reader asks):
            # one open, instead of writing, linking and removing a temporary file.
            return False
        self._createdir()  # the cache directory can be deleted at any time
        fname = self._key_to_file(key, version)
        self._cull()  # as set() does: entries only added (the API's counts) stay bounded
        fd, tmp_path = tempfile.mkstemp(dir=self._dir)
        try:
            with open(fd, "wb") as f:
                self._write_content(f, timeout, value)
            for _ in range(2):
                try:
                    os.link(tmp_path, fname)  # atomic: fails if the file exists
                    return True
                except FileExistsError:
                    # A live entry: not added. An expired one: has_key() deletes it; retry once.
                    if self.has_key(key, version):
                        return False
            return False
        finally:
            os.remove(tmp_path)
