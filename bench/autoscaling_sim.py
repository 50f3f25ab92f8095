"""Autoscaling policies for vLLM, compared on replayed traces. THIS IS A SIMULATION.

Replica capacity comes from the sizing model (the reference stack's qwen-7b: AWQ on an L40S):
each replica serves `slots` sequences at once (vLLM's batch, from the KV cache) and one request
takes `output_tokens / per-sequence decode rate` seconds. A request waits in the queue until a
slot frees. Cold start = time from a scale-up decision to a ready replica, from the kit's cold-start
model (serving/vllm/coldstart.py: node provisioning, image pull, weight verify and load, torch.compile
and CUDA graphs) for the same model: on a node already in the pool, and on a new node. The GPU is
paid for during the cold start.

Policies (all with min 1 replica, the same max):
- hpa-cpu: HPA on CPU at 70%. CPU sees busy slots, never the queue; metrics lag ~60 s; 15 s sync;
  scale-down stabilisation 300 s.
- keda-default: KEDA on vllm:num_requests_waiting, threshold 5 per replica, KEDA's defaults
  (30 s polling, 300 s cooldown).
- production-stack: the vLLM production-stack example: threshold 5, 15 s polling, 30 s cooldown.
- privllm: the kit's policy: demand (running + waiting) over 75% of the replica's slots, 10 s
  polling, scale up at once, a 10-minute scale-down window. Because it counts running requests, it sees a load
  step before a queue forms, which is what matters when a cold start costs minutes.

Reported per policy: seconds during which the oldest waiting request has waited longer than the
objective, and GPU-minutes. Goal: privllm at most half the over-objective seconds of
keda-default, at no more GPU-minutes.

Run: python bench/autoscaling_sim.py
"""

from __future__ import annotations

import math
import random
from collections import deque
from dataclasses import dataclass

from privllm.stack import load_stack
from privllm.stack.sizing import for_model, max_num_seqs_for

OBJECTIVE_WAIT_SECONDS = 5.0
OUTPUT_TOKENS = 256
DECODE_EFFICIENCY = 0.5  # share of the bandwidth ceiling a busy vLLM batch reaches per sequence
MAX_REPLICAS = 12
GPUS_PER_REPLICA = 1


@dataclass(frozen=True)
class Policy:
    name: str
    metric: str  # "cpu", "waiting", "demand"
    target: float  # per replica (waiting: requests; cpu: utilisation; demand: share of slots)
    polling: int  # seconds between metric reads
    lag: int  # seconds the metric is behind
    cooldown: int  # scale-down stabilisation
    max_step_up: int | None  # pods added per decision (None: as many as needed)


POLICIES = (
    Policy("hpa-cpu", "cpu", 0.70, 15, 60, 300, 4),
    Policy("keda-default", "waiting", 5, 30, 15, 300, 4),
    Policy("production-stack", "waiting", 5, 15, 15, 30, 4),
    Policy("privllm", "demand", 0.75, 10, 15, 600, None),
)


def capacity() -> tuple[int, float]:
    cfg = load_stack("reference")
    model = cfg.model("qwen-7b")
    sizing = for_model(model, cfg.pool(model.pool))
    slots = max_num_seqs_for(sizing)
    service = OUTPUT_TOKENS / (sizing.decode_tokens_per_second_ceiling * DECODE_EFFICIENCY)
    return slots, service


def step_trace(per_replica_rps: float, seconds: int = 3600, seed: int = 7) -> list[int]:
    """Half a replica's load for 10 minutes, a step to 5 replicas' worth for 20, then one replica's."""
    rng = random.Random(seed)
    rate = lambda t: 0.5 if t < 600 else (5.0 if t < 1800 else 1.0)  # noqa: E731
    return [_poisson(rng, rate(t) * per_replica_rps) for t in range(seconds)]


def bursty_trace(per_replica_rps: float, period: int = 480, seconds: int = 3600, seed: int = 11) -> list[int]:
    """0.8 replicas' worth, with a one-minute burst to 4 replicas' worth every `period` seconds."""
    rng = random.Random(seed)
    return [_poisson(rng, (4.0 if (t % period) < 60 else 0.8) * per_replica_rps) for t in range(seconds)]


def _poisson(rng: random.Random, lam: float) -> int:
    # Normal approximation above 30 (Knuth's method underflows there).
    if lam > 30:
        return max(0, round(rng.gauss(lam, math.sqrt(lam))))
    limit, k, p = math.exp(-lam), 0, 1.0
    while True:
        p *= rng.random()
        if p <= limit:
            return k
        k += 1


def simulate(policy: Policy, trace: list[int], cold_start: int, slots: int, service: float) -> tuple[int, float]:
    queue: deque[int] = deque()  # arrival times
    finishing: list[float] = []  # finish times of running requests
    replicas: list[int] = [0]  # ready_at per provisioned replica
    history: list[tuple[int, int, int]] = []  # (running, waiting, ready) per second
    recommendations: deque[tuple[int, int]] = deque()  # (time, desired), for the stabilisation window
    over = 0
    gpu_seconds = 0.0
    for t, arrivals in enumerate(trace):
        queue.extend([t] * arrivals)
        finishing = [f for f in finishing if f > t]
        ready = sum(1 for r in replicas if r <= t)
        free = ready * slots - len(finishing)
        while free > 0 and queue:
            queue.popleft()
            finishing.append(t + service)
            free -= 1
        if queue and t - queue[0] > OBJECTIVE_WAIT_SECONDS:
            over += 1
        gpu_seconds += len(replicas) * GPUS_PER_REPLICA
        history.append((len(finishing), len(queue), ready))
        if t % policy.polling:
            continue
        running, waiting, ready_then = history[max(0, t - policy.lag)]
        current = len(replicas)
        if policy.metric == "cpu":
            desired = math.ceil(max(1, ready_then) * (running / max(1, ready_then * slots)) / policy.target)
        elif policy.metric == "waiting":
            # KEDA AverageValue: total waiting / threshold.
            desired = math.ceil(waiting / policy.target)
        else:
            desired = math.ceil((running + waiting) / (slots * policy.target))
        desired = min(MAX_REPLICAS, max(1, desired))
        recommendations.append((t, desired))
        while recommendations and recommendations[0][0] < t - policy.cooldown:
            recommendations.popleft()
        if desired > current:
            step = desired - current if policy.max_step_up is None else min(desired - current, max(policy.max_step_up, current))
            replicas += [t + cold_start] * step
        else:
            # Kubernetes' scale-down stabilisation: the highest recommendation within the window.
            target = max(d for _, d in recommendations)
            if target < current:
                replicas = sorted(replicas)[:target]
    return over, gpu_seconds / 60


def cold_starts() -> tuple[tuple[str, int], ...]:
    """The reference stack's scale-to-zero model, on a warm node and on a new node (serving/vllm/coldstart.py)."""
    from privllm.serving.vllm.coldstart import estimate
    from privllm.stack.sizing import for_model as sizing_for

    cfg = load_stack("reference")
    model = cfg.model("qwen-7b")
    weights = sizing_for(model, cfg.pool(model.pool)).weights_bytes
    source = model.weights.uri.split("://", 1)[0]
    warm = estimate(weights, source, new_node=False, node_cache=model.weights.node_cache)
    new = estimate(weights, source, new_node=True, node_cache=model.weights.node_cache)
    return (("warm node", round(warm.total_s)), ("new node", round(new.total_s)))


def main() -> None:
    slots, service = capacity()
    colds = cold_starts()
    print("cold starts (serving/vllm/coldstart.py): " + ", ".join(f"{name} {seconds} s" for name, seconds in colds))
    print("SIMULATION (not a measurement): autoscaling policies replayed on synthetic traces")
    print(f"replica: {slots} slots, {service:.1f} s per request (sizing: qwen2.5-7b AWQ on L40S); objective: wait <= {OBJECTIVE_WAIT_SECONDS:.0f} s\n")
    print(f"{'trace':<10} {'cold':>5} {'policy':<17} {'s over objective':>17} {'GPU-minutes':>12} {'vs keda-default':>22}")
    verdicts = []
    per_replica = slots / service
    traces = (("step", step_trace(per_replica)), ("burst/8m", bursty_trace(per_replica, 480)), ("burst/17m", bursty_trace(per_replica, 1020, seconds=5400)))
    for trace_name, trace in traces:
        for _, cold in colds:
            results = {p.name: simulate(p, trace, cold, slots, service) for p in POLICIES}
            base_over, base_gpu = results["keda-default"]
            for name, (over, gpu) in results.items():
                ratio = f"{over / base_over:.2f}x over, {gpu / base_gpu:.2f}x GPU" if base_over else "-"
                print(f"{trace_name:<10} {cold:>4}s {name:<17} {over:>17} {gpu:>12.1f} {ratio:>22}")
            ours_over, ours_gpu = results["privllm"]
            if base_over == 0:
                print("  (keda-default never missed the objective here: this scenario says nothing)")
            else:
                verdicts.append(ours_over <= 0.5 * base_over and ours_gpu <= base_gpu)
            print()
    print("goal (privllm <= 0.5x the over-objective seconds of keda-default, at no more GPU-minutes):",
          f"met in {sum(verdicts)} of {len(verdicts)} informative scenarios")


if __name__ == "__main__":
    main()
