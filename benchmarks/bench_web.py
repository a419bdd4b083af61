"""Response times of the staff web application under ten concurrent clients, over many synthetic cases.

Loads N synthetic cases (interchange format, generated here with a fixed seed, imported in batches through the
same service as `dutycare import`), starts `dutycare serve` on a free loopback port in a subprocess, then sends
a bounded number of requests from 10 concurrent httpx clients and prints p50/p95 per scenario. The baseline,
measured in the same run against the same server, is the sign-in page (no database work), so the ratios show
what the case queries cost on top of the HTTP stack.

    python benchmarks/bench_web.py [--cases 100000] [--requests 400] [--clients 10] [--db PATH]
"""

from __future__ import annotations

import argparse
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from dutycare.bootstrap import initialise
from dutycare.entrypoints.cli.users import staff_uow
from dutycare.service_layer import accounts, services
from dutycare.settings import Settings

REGIONS = [f"Регион {i:02d}" for i in range(1, 21)]
STATUSES = ("open", "escalated", "resolved", "closed")
INJURIES = ("осколочное ранение бедра", "травма коленного сустава", "перелом голени", "контузия", "ранение плеча")
TREATMENTS = ("удаление осколка", "операция на коленном суставе", "остеосинтез", "реабилитация")


def institutions() -> list[dict[str, Any]]:
    """A hospital and its commission in every region."""
    out = []
    for n, region in enumerate(REGIONS, 1):
        out.append({"id": f"h{n}", "name": f"Военный госпиталь № {n}", "type": "hospital", "region": region})
        out.append({"id": f"c{n}", "name": f"ВВК при госпитале № {n}", "type": "medical_commission",
                    "region": region, "parent": f"h{n}"})
    return out


def case_records(i: int, rng: random.Random) -> dict[str, list[dict[str, Any]]]:
    """One synthetic person, source, case and about six events."""
    r = rng.randrange(len(REGIONS)) + 1
    start = date(2022, 1, 1) + timedelta(days=rng.randrange(900))
    day = lambda k: (start + timedelta(days=20 * k)).isoformat()  # noqa: E731
    cid, pid, sid = f"case-{i}", f"p-{i}", f"s-{i}"
    treatment = rng.choice(TREATMENTS)
    cite = [{"source": sid}]
    events = [
        {"id": f"e-{i}-1", "type": "injury", "date": day(0)[:7], "cases": [cid], "sources": cite,
         "details": {"injury": rng.choice(INJURIES)}},
        {"id": f"e-{i}-2", "type": "medical_finding", "date": day(1), "cases": [cid], "institution": f"h{r}",
         "sources": cite, "details": {"finding": "показано оперативное лечение", "documents_injury": True}},
        {"id": f"e-{i}-3", "type": "treatment_recommended", "date": day(2), "cases": [cid], "institution": f"h{r}",
         "sources": cite, "details": {"treatment": treatment, "urgency": rng.choice(["routine", "urgent"])}},
        {"id": f"e-{i}-4", "type": "treatment_refused", "date": day(3), "cases": [cid], "institution": f"h{r}",
         "sources": cite, "details": {"treatment": treatment, "reason": "указание сверху",
                                      "reason_kind": rng.choice(["unwritten_directive", "no_capacity"])}},
        {"id": f"e-{i}-5", "type": "fitness_decision", "date": day(4), "cases": [cid], "institution": f"c{r}",
         "sources": cite, "details": {"category": rng.choice("АБВГ")}},
        {"id": f"e-{i}-6", "type": "testimony", "date": day(5), "cases": [cid], "sources": cite,
         "details": {"given_by": pid, "text": f"Мне отказали в лечении ({treatment}), хотя врачи его рекомендовали."}},
    ]
    return {
        "people": [{"id": pid, "pseudonym": f"Военнослужащий {i}", "service_status": "mobilised", "age": 20 + i % 40}],
        "sources": [{"id": sid, "kind": "interview", "title": f"Интервью {i}", "reliability": rng.choice("BCD")}],
        "cases": [{"id": cid, "person": pid, "title": f"Дело {i}: отказ в лечении", "status": rng.choice(STATUSES),
                   "region": REGIONS[r - 1], "opened": day(5)[:7],
                   "summary": f"Рекомендовано: {treatment}; отказано со ссылкой на указание."}],
        "events": events,
    }


def documents(cases: int, batch: int, seed: int) -> Iterator[dict[str, Any]]:
    """Interchange documents of `batch` cases each (the first also carries the institutions)."""
    rng = random.Random(seed)
    for first in range(0, cases, batch):
        doc: dict[str, Any] = {"format": "dutycare-case-file", "format_version": 1, "people": [],
                               "institutions": institutions() if first == 0 else [], "sources": [], "cases": [],
                               "events": []}
        for i in range(first, min(cases, first + batch)):
            for section, records in case_records(i, rng).items():
                doc[section].extend(records)
        yield doc


def free_port() -> int:
    """A free loopback port."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0–100) of the values."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def load(url: str, paths: Callable[[int], str], total: int, clients: int, headers: dict[str, str],
         cookies: dict[str, str]) -> list[float]:
    """Send `total` GETs from `clients` threads; return each response time in milliseconds."""
    times: list[float] = []
    lock = threading.Lock()
    counter = iter(range(total))

    def worker() -> None:
        with httpx.Client(base_url=url, headers=headers, cookies=cookies, timeout=60) as client:
            while True:
                with lock:
                    n = next(counter, None)
                if n is None:
                    return
                began = time.perf_counter()
                response = client.get(paths(n))
                elapsed = (time.perf_counter() - began) * 1000
                if response.status_code != 200:
                    raise SystemExit(f"{paths(n)} answered {response.status_code}")
                with lock:
                    times.append(elapsed)

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return times


def main() -> None:
    """Load, serve, measure, print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=400, help="requests per scenario")
    parser.add_argument("--clients", type=int, default=10)
    parser.add_argument("--batch", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--db", help="database path or postgresql:// URL (default: a temporary SQLite file)")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="dutycare-bench-"))
    db = args.db or str(work / "data" / "bench.db")
    key = work / "keys" / "org.key"
    dc = initialise(Settings(db=db, key_file=key, actor="bench"))
    began = time.perf_counter()
    for n, doc in enumerate(documents(args.cases, args.batch, args.seed), 1):
        services.import_case_file(dc.uow(), doc)
        if n % 10 == 0:
            print(f"  imported {n * args.batch:,} cases", file=sys.stderr)
    loaded = time.perf_counter() - began
    print(f"loaded {args.cases:,} cases ({args.cases * 6:,} events) in {loaded:.0f} s "
          f"({args.cases / loaded:,.0f} cases/s, including encryption, ledger and search index)")
    now = datetime.now(UTC)
    user, _ = accounts.add_user(staff_uow(dc), "bench", "lawyer", now, password="bench-password-1234")
    _, token = accounts.create_token(staff_uow(dc), user.id, "bench", now)
    session, _info = accounts.sign_in(staff_uow(dc), "bench", "bench-password-1234", "bench", now,
                                      accounts.SessionPolicy())
    dc.close()

    port = free_port()
    server = subprocess.Popen([str(Path(sys.executable).with_name("dutycare")), "serve", "--db", db,
                               "--key-file", str(key), "--port", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                httpx.get(f"{url}/login", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        rng = random.Random(args.seed)
        ids = [f"case-{rng.randrange(args.cases)}" for _ in range(args.requests)]
        bearer = {"Authorization": f"Bearer {token}"}
        cookie = {"dc_session": session}
        scenarios: list[tuple[str, Callable[[int], str], dict[str, str], dict[str, str]]] = [
            ("baseline: sign-in page", lambda n: "/login", {}, {}),
            ("API case list, filtered (status+region)",
             lambda n: f"/api/v1/cases?status=escalated&region={REGIONS[n % 20]}&limit=50", bearer, {}),
            ("API case list, filtered + text search",
             lambda n: f"/api/v1/cases?region={REGIONS[n % 20]}&q=остеосинтез&limit=50", bearer, {}),
            ("API case detail", lambda n: f"/api/v1/cases/{ids[n]}", bearer, {}),
            ("page: case list, filtered", lambda n: f"/cases?status=open&region={REGIONS[n % 20]}", {}, cookie),
            ("page: case", lambda n: f"/cases/{ids[n]}", {}, cookie),
        ]
        print(f"\n{args.requests} requests per scenario, {args.clients} concurrent clients, {args.cases:,} cases")
        print(f"{'scenario':<42} {'p50 ms':>8} {'p95 ms':>8} {'req/s':>7} {'p50 ratio':>10}")
        base = None
        for name, paths, headers, cookies in scenarios:
            load(url, paths, min(40, args.requests), args.clients, headers, cookies)  # warm up
            began = time.perf_counter()
            times = load(url, paths, args.requests, args.clients, headers, cookies)
            rate = len(times) / (time.perf_counter() - began)
            p50, p95 = statistics.median(times), percentile(times, 95)
            base = base or p50
            print(f"{name:<42} {p50:8.1f} {p95:8.1f} {rate:7.0f} {p50 / base:9.1f}x")
    finally:
        server.terminate()
        server.wait(10)


if __name__ == "__main__":
    main()
