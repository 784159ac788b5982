"""The throttle's counters in a shared cache (Redis): exact under parallel failures, seen by every worker.

Runs when TEST_REDIS_URL names a Redis server (CI sets it; .ci/run starts Redis). Threads stand in
for gunicorn workers: Django gives each thread its own cache connection.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache

from baclotrack.clinic.throttle import Window

REDIS_URL = os.environ.get("TEST_REDIS_URL", "")
pytestmark = pytest.mark.skipif(not REDIS_URL, reason="TEST_REDIS_URL not set (CI sets it)")


@pytest.fixture
def redis_cache(settings: Any) -> Iterator[None]:
    settings.CACHES = {
        **settings.CACHES,
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": f"baclotrack-test-{os.getpid()}",
        },
    }
    cache.clear()
    yield
    cache.clear()


def test_parallel_failures_on_several_workers_are_all_counted(redis_cache: None) -> None:
    window = Window("address", limit=40, seconds=60)
    start = threading.Barrier(8)

    def worker() -> None:
        start.wait()
        for _ in range(5):
            window.fail("203.0.113.7")

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # 8 workers x 5 failures = 40 = the limit: refused now, not one try lost to a race.
    assert window.blocked_for("203.0.113.7") > 0


def test_a_block_set_by_one_worker_is_seen_by_another(redis_cache: None) -> None:
    window = Window("user", limit=3, seconds=60)
    seen: list[int] = []
    first = threading.Thread(target=lambda: [window.fail("alice") for _ in range(3)])
    first.start()
    first.join()
    other = threading.Thread(target=lambda: seen.append(window.blocked_for("Alice ")))
    other.start()
    other.join()
    assert 0 < seen[0] <= 60
    window.clear("alice")
    assert window.blocked_for("alice") == 0
