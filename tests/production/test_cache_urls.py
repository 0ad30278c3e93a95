"""Every cache built from DJANGO_CACHE_URL is one its client accepts."""

import pytest
import redis
from django.core.cache.backends.redis import RedisCache

from strategy_portal.settings import cache_from_url

URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1


@pytest.mark.parametrize("part, max_entries", [("", None), ("pages", 3000), ("throttle", None)])
def test_with_redis_each_cache_reaches_the_server_with_no_unknown_option(part, max_entries):
    """A bound meant for the file cache (MAX_ENTRIES) would reach redis-py as a
    connection argument and break every read: the only error here is that no
    server listens."""
    config = cache_from_url(URL, part, max_entries=max_entries)
    backend = RedisCache(config["LOCATION"], config)
    with pytest.raises(redis.exceptions.ConnectionError):
        backend.get("pages:generation")
    assert backend.make_key("k").startswith(f"{part}:")
