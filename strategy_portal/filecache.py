"""Django's file cache, with an add() that is atomic across processes.

FileBasedCache.add() looks for the key, then writes it: two workers adding the
same key at the same moment both succeed. The page cache uses add() as a claim
("this worker renders the page, the others wait for its copy"), and for the
first generation number, so here the entry is written to a temporary file and
linked into place, which fails if the key's file already exists.
"""

import os
import tempfile

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.filebased import FileBasedCache


class FileCache(FileBasedCache):
    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        if self.has_key(key, version):
            # The usual answer while another worker renders (every reader asks):
            # one open, instead of writing, linking and removing a temporary file.
            return False
        self._createdir()  # the cache directory can be deleted at any time
        fname = self._key_to_file(key, version)
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
