"""Locust user for bench/survey_load.py: each request submits one whole response with a
single-use survey token through the API, as a kiosk or other front end would.

Environment: TOKENS_FILE (one token per line), RESULTS_PREFIX (acknowledged and failed
tokens are written to <prefix>.ack and <prefix>.failed when the run stops)."""

import os
import random

from locust import FastHttpUser, constant_throughput, events, task

TOKENS = [line.strip() for line in open(os.environ["TOKENS_FILE"]) if line.strip()]
random.Random(1).shuffle(TOKENS)
ACKNOWLEDGED: list[str] = []
FAILED: list[str] = []
ITEMS = [line.strip() for line in open(os.environ["ITEMS_FILE"]) if line.strip()]
RATE_PER_USER = float(os.environ.get("RATE_PER_USER", "2"))
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


class Kiosk(FastHttpUser):
    wait_time = constant_throughput(RATE_PER_USER)

    def on_start(self):
        self.rng = random.Random(id(self))

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
