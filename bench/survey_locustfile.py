"""Locust user for bench/survey_load.py: each request submits one whole response with a
single-use survey token through the API, as a kiosk or other front end would.

Environment: TOKENS_FILE (one token per line), RESULTS_PREFIX (acknowledged and failed
tokens are written to <prefix>.ack and <prefix>.failed when the run stops), RATE_PER_USER,
ARRIVALS:

- ``poisson`` (default): each simulated kiosk sends at exponentially distributed intervals
  on its own fixed schedule (it does not slow down when replies are slow), so together the
  users make a Poisson stream at users x RATE_PER_USER per second: many people submitting
  independently.
- ``paced``: locust's ``constant_throughput``. Locust starts every user in the same instant
  (spawn rate = user count) and each then sends on a fixed beat, so every request comes in
  a burst of one per user, twice a second at the default settings (docs/benchmarks.md).
"""

import os
import random
import time

import gevent
from locust import FastHttpUser, constant_throughput, events, task

TOKENS = [line.strip() for line in open(os.environ["TOKENS_FILE"]) if line.strip()]
random.Random(1).shuffle(TOKENS)
ACKNOWLEDGED: list[str] = []
FAILED: list[str] = []
ITEMS = [line.strip() for line in open(os.environ["ITEMS_FILE"]) if line.strip()]
RATE_PER_USER = float(os.environ.get("RATE_PER_USER", "2"))
ARRIVALS = os.environ.get("ARRIVALS", "poisson")
COMMENTS = [
    "More time for handovers would help.",
    "The new rota works well for our team.",
    "Ask Sam about the equipment backlog.",
]


def answers(rng: random.Random) -> dict:
    result = {code: str(rng.choice((2, 3, 4, 4, 5))) for code in ITEMS}
    if rng.random() < 0.3:
        result["comment"] = rng.choice(COMMENTS)
    return result


def poisson_schedule(user) -> float:
    """Seconds to wait until this user's next send: its schedule advances by an
    exponential interval each time, whatever the last reply took."""
    user.next_send += user.rng.expovariate(RATE_PER_USER)
    return max(0.0, user.next_send - time.monotonic())


class Kiosk(FastHttpUser):
    wait_time = poisson_schedule if ARRIVALS == "poisson" else constant_throughput(RATE_PER_USER)

    def on_start(self):
        self.rng = random.Random(id(self))
        if ARRIVALS == "poisson":
            # The first send, too, comes after an exponential interval, not at spawn.
            self.next_send = time.monotonic() + self.rng.expovariate(RATE_PER_USER)
            gevent.sleep(max(0.0, self.next_send - time.monotonic()))

    @task
    def submit(self):
        if not TOKENS:
            return
        token = TOKENS.pop()
        with self.client.post(
            "/api/v1/take/submit",
            json={"answers": answers(self.rng)},
            headers={"X-Survey-Token": token},
            name="POST /api/v1/take/submit",
            catch_response=True,
        ) as response:
            if response.status_code == 201:
                ACKNOWLEDGED.append(token)
                response.success()
            else:
                FAILED.append(token)
                response.failure(f"status {response.status_code}")


@events.test_stop.add_listener
def write_results(environment, **kwargs):
    prefix = os.environ["RESULTS_PREFIX"]
    with open(prefix + ".ack", "w") as handle:
        handle.write("\n".join(ACKNOWLEDGED))
    with open(prefix + ".failed", "w") as handle:
        handle.write("\n".join(FAILED))
