"""The comment masker is built once per organisation and process, however many threads ask
for it at once (a gthread worker starts with every thread submitting)."""

import threading
import time
from types import SimpleNamespace

import pytest

from colead.surveys import services


@pytest.fixture
def builds(monkeypatch):
    calls = []

    def fake_build(organisation_id):
        calls.append(organisation_id)
        time.sleep(0.2)  # long enough for the other threads to arrive meanwhile
        built = (time.monotonic(), lambda text: (text.upper(), 0))
        services._MASKERS[organisation_id] = built
        return built

    services._MASKERS.clear()
    monkeypatch.setattr(services, "_build_masker", fake_build)
    yield calls
    services._MASKERS.clear()


def _mask_at_once(count):
    results, start = [], threading.Barrier(count)
    wave = SimpleNamespace(organisation_id=7)

    def run():
        start.wait()
        results.append(services.mask_comment(wave, "text"))

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_threads_wait_for_the_first_build_rather_than_each_building(builds):
    assert _mask_at_once(8) == ["TEXT"] * 8
    assert builds == [7]


def test_an_out_of_date_masker_is_rebuilt_by_one_thread_while_others_use_it(builds):
    services._MASKERS[7] = (
        time.monotonic() - services.MASKER_MAX_AGE - 1,
        lambda text: (text.lower(), 0),
    )
    results = _mask_at_once(8)
    assert builds == [7]
    # The rebuilding thread uses the new masker; the others did not wait for it.
    assert results.count("TEXT") >= 1
    assert results.count("text") >= 1
    assert services._MASKERS[7][1]("x") == ("X", 0)


def test_a_masker_rebuilt_meanwhile_is_not_rebuilt_again(builds):
    """A thread that saw an out-of-date masker, but got the lock only after another thread
    had rebuilt it, uses the new one."""
    stale = (time.monotonic() - services.MASKER_MAX_AGE - 1, lambda text: (text.lower(), 0))
    fresh = (time.monotonic(), lambda text: (text.upper() + "!", 0))
    services._MASKERS[7] = stale
    real_acquire = services._MASKER_LOCK

    class RebuiltWhileWaiting:
        def acquire(self, blocking=True):
            services._MASKERS[7] = fresh  # another thread finished just before
            return real_acquire.acquire(blocking)

        def release(self):
            real_acquire.release()

    services._MASKER_LOCK, saved = RebuiltWhileWaiting(), services._MASKER_LOCK
    try:
        assert services.mask_comment(SimpleNamespace(organisation_id=7), "text") == "TEXT!"
    finally:
        services._MASKER_LOCK = saved
    assert builds == []
