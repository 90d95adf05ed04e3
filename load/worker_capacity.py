"""How many requests/s ONE Locust worker process sends, with our scenario's client, on this machine.

    python -m load.worker_capacity [--seconds 10] [--users 50]

A stub server (a gevent WSGI app answering a small JSON document, in a child process, on
127.0.0.1 only) stands in for the API, so the number is the load generator's own ceiling, not
the system's. Locust's HttpUser (python-requests, what load/locustfile.py uses: catch_response,
the same JSON handling) is measured; the figure sizes a distributed run (docs/load.md). Bounded:
it stops after ``--seconds``.
"""

# Locust runs on gevent: patch before anything imports ssl/socket.
from gevent import monkey  # type: ignore[import-untyped]

monkey.patch_all()

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import socket  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

import gevent  # noqa: E402
from locust import HttpUser, constant, task  # noqa: E402
from locust import events as locust_events  # noqa: E402
from locust.env import Environment  # noqa: E402

STUB = """
from gevent.pywsgi import WSGIServer
BODY = b'{"transaction_id":"t","amount":"1.00","currency":"EUR","type":"debit"}'
def app(environ, start_response):
    start_response("200 OK", [("Content-Type", "application/json")])
    return [BODY]
WSGIServer(("127.0.0.1", int(__import__("sys").argv[1])), app, log=None).serve_forever()
"""


class StubClient(HttpUser):
    wait_time = constant(0)

    @task
    def request(self) -> None:
        with self.client.get(
            "/transactions?limit=20",
            headers={"Authorization": "Bearer x"},
            name="GET /transactions",
            catch_response=True,
        ) as response:
            response.json()
            response.success()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--users", type=int, default=50)
    args = parser.parse_args(argv)
    port = free_port()
    server = subprocess.Popen([sys.executable, "-c", STUB, str(port)])  # noqa: S603
    try:
        gevent.sleep(1.5)
        environment = Environment(
            user_classes=[StubClient], host=f"http://127.0.0.1:{port}", events=locust_events
        )
        runner = environment.create_local_runner()
        runner.start(args.users, spawn_rate=args.users)
        gevent.sleep(1.0)
        stats = environment.stats
        if stats is None:
            raise RuntimeError("Locust has no stats")
        stats.reset_all()
        cpu_before = os.times()
        started = time.monotonic()
        gevent.sleep(args.seconds)
        elapsed = time.monotonic() - started
        cpu_after = os.times()
        requests_done = stats.total.num_requests
        runner.quit()
    finally:
        server.terminate()
        server.wait(timeout=10)
    cpu = (cpu_after.user - cpu_before.user) + (cpu_after.system - cpu_before.system)
    result = {
        "client": "HttpUser (python-requests)",
        "users": args.users,
        "seconds": round(elapsed, 1),
        "requests_per_second": round(requests_done / elapsed, 1),
        "worker_cpu_share": round(cpu / elapsed, 2),  # 1.0 = one core busy
        "requests_per_cpu_second": round(requests_done / cpu, 1) if cpu else None,
        "cpus": os.cpu_count(),
    }
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
