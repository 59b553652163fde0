"""Locust users for bench/latency.py: each user is one signed-in client asking for the same
page in a closed loop (no think time). bench/latency.py passes a JSON object in the
environment (`LATENCY_RUN`, internal to the benchmark): `path` to GET, `sessions` (session
keys, one per user, round robin), `token` (an API token, sent as `Authorization: Token ...`)
and `expect` (text the body must contain); all but `path` may be empty.
"""

import itertools
import json
import os

from locust import HttpUser, constant, task

RUN = json.loads(os.environ["LATENCY_RUN"])
PATH = RUN["path"]
SESSIONS = RUN["sessions"]
TOKEN = RUN["token"]
EXPECT = RUN["expect"]
_next = itertools.count()


class Client(HttpUser):
    wait_time = constant(0)

    def on_start(self):
        n = next(_next)
        self.headers = {"Accept-Language": "th"}
        if SESSIONS:
            self.headers["Cookie"] = f"sessionid={SESSIONS[n % len(SESSIONS)]}"
        if TOKEN:
            self.headers["Authorization"] = f"Token {TOKEN}"

    @task
    def page(self):
        with self.client.get(
            PATH, headers=self.headers, name="page", catch_response=True, allow_redirects=False
        ) as response:
            if response.status_code != 200:
                response.failure(f"status {response.status_code}")
            elif EXPECT and EXPECT not in response.text:
                response.failure("unexpected body")
            else:
                response.success()
