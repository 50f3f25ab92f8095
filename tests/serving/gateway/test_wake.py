"""Scale from zero: the gateway holds requests for a scale-to-zero model while it has no ready
endpoint, exports the pending demand KEDA wakes on, and releases the requests when the model is
ready. Time is injected; tests wait on events and responses, never assert on elapsed time."""

from __future__ import annotations

import asyncio
import threading
import time

import httpx
import pytest

from privllm.facts import METRIC_PENDING_REQUESTS as PENDING_METRIC
from privllm.serving.gateway.errors import GatewayError
from privllm.serving.gateway.wake import WakeGate
from privllm.serving.vllm.standin import create_standin
from tests.servers import ServerThread, free_port

MODEL = "standin-model"


def _wait_until(condition, what: str, limit: float = 20.0) -> None:
    """Poll a condition (a bound on a hang, not a timing assertion)."""
    deadline = time.monotonic() + limit
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"never happened: {what}")
        time.sleep(0.01)


def _pending(gw) -> float | None:
    for line in gw.client.get("/metrics").text.splitlines():
        if line.startswith(f'{PENDING_METRIC}{{model="{MODEL}"}}'):
            return float(line.rsplit(" ", 1)[1])
    return None


def _chat_in_thread(gw, key, results: list) -> threading.Thread:
    def run():
        with httpx.Client(base_url=gw.server.url, timeout=60) as client:
            results.append(client.post("/v1/chat/completions", headers={"Authorization": f"Bearer {key}"},
                                       json={"model": MODEL, "messages": [{"role": "user", "content": "wake up"}]}))
    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def test_stand_in_absent_then_ready_releases_the_held_request(make_gateway):
    port = free_port()
    gw = make_gateway({"upstreams": [{"name": MODEL, "url": f"http://127.0.0.1:{port}", "scale_to_zero": True}]})
    gw.state.upstreams.wake.poll_seconds = 0.05
    assert _pending(gw) == 0.0  # exported from the start, so the ScaledObject's query has a series
    key = gw.key(rpm=100)
    results: list = []
    thread = _chat_in_thread(gw, key, results)
    _wait_until(lambda: _pending(gw) == 1.0, "the request is held and counted as pending demand")
    assert results == []
    # KEDA scales the Deployment up: the model server appears on its address and becomes ready.
    with ServerThread(create_standin(MODEL), port=port):
        thread.join(30)
        assert results and results[0].status_code == 200, results and results[0].text
        assert results[0].json()["choices"][0]["message"]["content"] == "Echo: wake up"
        assert _pending(gw) == 0.0
        # Ready now: the next request goes straight through.
        assert gw.chat(key, "again").status_code == 200


def test_held_too_long_is_503_with_retry_after_in_openai_shape(make_gateway):
    now = [1000.0]
    port = free_port()
    gw = make_gateway({"upstreams": [{"name": MODEL, "url": f"http://127.0.0.1:{port}", "scale_to_zero": True}]})
    gate = gw.state.upstreams.wake
    gate._clock = lambda: now[0]
    gate.poll_seconds = 0.05
    key = gw.key(rpm=100)
    results: list = []
    thread = _chat_in_thread(gw, key, results)
    _wait_until(lambda: _pending(gw) == 1.0, "the request is held")
    now[0] += gate.hold_seconds + 1  # the model did not come up within the hold time
    thread.join(30)
    r = results[0]
    assert r.status_code == 503
    assert r.headers["retry-after"] == str(gate.retry_after)
    error = r.json()["error"]
    assert error["code"] == "model_waking" and error["type"] == "service_unavailable"
    assert MODEL in error["message"] and "not ready within" in error["message"]
    assert _pending(gw) == 0.0


def test_models_that_do_not_scale_to_zero_are_not_held(make_gateway):
    gw = make_gateway({"upstreams": [{"name": MODEL, "url": f"http://127.0.0.1:{free_port()}"}]})
    assert gw.state.upstreams.wake.models == frozenset()
    r = httpx.post(f"{gw.server.url}/v1/chat/completions", timeout=5, headers={"Authorization": f"Bearer {gw.key(rpm=100)}"},
                   json={"model": MODEL, "messages": [{"role": "user", "content": "x"}]})
    assert r.json()["error"]["code"] == "upstream_unavailable"


class FakeTime:
    def __init__(self):
        self.now = 0.0

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds
        await asyncio.sleep(0)


def test_queue_is_bounded_per_model_and_all_held_are_released_together():
    ready = asyncio.Event()
    probes = []

    async def probe(target: str) -> bool:
        probes.append(target)
        return ready.is_set()

    async def scenario():
        t = FakeTime()
        gate = WakeGate({"m"}, max_pending=2, probe=probe, clock=t.clock, sleep=t.sleep, hold_seconds=10**9)
        first = asyncio.create_task(gate.hold("m", "http://m", session=None))
        second = asyncio.create_task(gate.hold("m", "http://m", session=None))
        while gate.pending("m") < 2:
            await asyncio.sleep(0)
        with pytest.raises(GatewayError) as exc:
            await gate.hold("m", "http://m", session=None)
        assert exc.value.status == 503 and "already waiting" in exc.value.message
        assert exc.value.headers == {"Retry-After": str(gate.retry_after)}
        ready.set()
        await asyncio.gather(first, second)
        assert gate.pending("m") == 0
        # Ready within the TTL: no probe at all for the next request.
        before = len(probes)
        await gate.hold("m", "http://m", session=None)
        assert len(probes) == before
        # Another model is not held and not probed.
        await gate.hold("other", "http://other", session=None)
        assert "http://other" not in probes

    asyncio.run(scenario())


def test_each_model_is_held_for_its_own_time():
    async def never(target: str) -> bool:
        return False

    async def scenario():
        t = FakeTime()
        gate = WakeGate({"slow", "fast"}, probe=never, clock=t.clock, sleep=t.sleep, hold_seconds=60, poll_seconds=1)
        gate.hold_by_model = {"slow": 500.0}
        with pytest.raises(GatewayError, match="within 500 s"):
            await gate.hold("slow", "http://slow", session=None)
        assert 500 <= t.now <= 501
        started = t.now
        with pytest.raises(GatewayError, match="within 60 s"):
            await gate.hold("fast", "http://fast", session=None)
        assert 60 <= t.now - started <= 61

    asyncio.run(scenario())


def test_hold_deadline_follows_the_injected_clock():
    async def never(target: str) -> bool:
        return False

    async def scenario():
        t = FakeTime()
        gate = WakeGate({"m"}, probe=never, clock=t.clock, sleep=t.sleep, hold_seconds=60, poll_seconds=2)
        with pytest.raises(GatewayError) as exc:
            await gate.hold("m", "http://m", session=None)
        assert exc.value.code == "model_waking"
        assert 60 <= t.now <= 62  # released by the fake clock's deadline, not by waiting
        return gate

    gate = asyncio.run(scenario())
    assert gate.pending("m") == 0
