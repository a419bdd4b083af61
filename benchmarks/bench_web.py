"""Response times of the staff web application under ten concurrent clients, over many synthetic cases.

Loads N synthetic cases (interchange format, generated here with a fixed seed, imported in batches through the
same service as `dutycare import`), starts `dutycare serve` on a free loopback port in a subprocess, then sends
a bounded number of requests from 10 concurrent clients and prints p50/p95 per scenario. The baseline,
measured in the same run against the same server, is the sign-in page (no database work), so the ratios show
what the case queries cost on top of the HTTP stack.

The clients are threads of one process sharing its interpreter lock and the machine's cores with the server, so
they use the standard library's http.client (a kept-alive connection each): httpx spends about four times as
much processor per request, which showed up in every figure, the baseline most (7.5 ms for a page the server
answers in under 1 ms). `--client httpx` measures with httpx as earlier runs did.

    python benchmarks/bench_web.py [--cases 100000] [--requests 400] [--clients 10] [--db PATH] [--workdir DIR]

With --workdir the key file (and, without --db, the SQLite database) stay in DIR, and a later run with the same
DIR, --db, --cases and --seed measures the data loaded before instead of loading it again.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
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
from urllib.parse import quote

from dutycare.adapters.storage.bulk_writer import SqlBulkStore
from dutycare.bootstrap import Dutycare, initialise, open_dutycare
from dutycare.domain.errors import NotFound
from dutycare.entrypoints.cli.common import staff_uow
from dutycare.service_layer import accounts
from dutycare.service_layer.bulk_import import DocumentRecords, import_records
from dutycare.settings import Settings

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import report

# ms, from the national-scale issue and issue 16 (a common word: in every case's title)
TARGETS_P95 = {"page: case": 50, "page: case list, filtered": 150}
SEARCH_TARGET_P95 = {"sqlite": 150, "postgresql": 250}
COMMON_WORD = "отказ"

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


def stdlib_getter(port: int, headers: dict[str, str]) -> tuple[Callable[[str], int], Callable[[], None]]:
    """A GET function on one kept-alive http.client connection, and its closer."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)

    def get(path: str) -> int:
        connection.request("GET", quote(path, safe="/?=&"), headers=headers)
        response = connection.getresponse()
        response.read()
        return response.status

    return get, connection.close


def httpx_getter(port: int, headers: dict[str, str]) -> tuple[Callable[[str], int], Callable[[], None]]:
    """A GET function on one httpx client (what this benchmark used before), and its closer."""
    import httpx

    client = httpx.Client(base_url=f"http://127.0.0.1:{port}", headers=headers, timeout=60)
    return (lambda path: client.get(path).status_code), client.close


def load(port: int, paths: Callable[[int], str], total: int, clients: int, headers: dict[str, str],
         getter: Callable[[int, dict[str, str]], tuple[Callable[[str], int], Callable[[], None]]]) -> list[float]:
    """Send `total` GETs from `clients` threads; return each response time in milliseconds."""
    times: list[float] = []
    lock = threading.Lock()
    counter = iter(range(total))

    def worker() -> None:
        get, close = getter(port, headers)
        try:
            while True:
                with lock:
                    n = next(counter, None)
                if n is None:
                    return
                began = time.perf_counter()
                status = get(paths(n))
                elapsed = (time.perf_counter() - began) * 1000
                if status != 200:
                    raise SystemExit(f"{paths(n)} answered {status}")
                with lock:
                    times.append(elapsed)
        finally:
            close()

    threads = [threading.Thread(target=worker) for _ in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return times


def load_cases(settings: Settings, cases: int, batch: int, seed: int) -> Dutycare:
    """A new database holding `cases` synthetic cases (through the bulk import, as `dutycare import` writes)."""
    dc = initialise(settings)
    began = time.perf_counter()
    for n, doc in enumerate(documents(cases, batch, seed), 1):
        import_records(dc.uow(), DocumentRecords(doc), SqlBulkStore.for_uow)
        if n % 10 == 0:
            print(f"  imported {n * batch:,} cases", file=sys.stderr)
    loaded = time.perf_counter() - began
    print(f"loaded {cases:,} cases ({cases * 6:,} events) in {loaded:.0f} s "
          f"({cases / loaded:,.0f} cases/s, including encryption, ledger and search index)")
    return dc


def bench_user(dc: Dutycare) -> tuple[str, str]:
    """An API token and a session cookie of the benchmark's lawyer (created on first use)."""
    now = datetime.now(UTC)
    try:
        user = accounts.user_by_name(staff_uow(dc), "bench")
    except NotFound:
        boss, _ = accounts.add_user(staff_uow(dc), "bench-coordinator", "coordinator", now, by=None)
        user, _ = accounts.add_user(staff_uow(dc), "bench", "lawyer", now, by=boss, password="bench-password-1234")
    _, token = accounts.create_token(staff_uow(dc), user.id, "bench", now, by=user)
    session, _info = accounts.sign_in(staff_uow(dc), "bench", "bench-password-1234", "bench", now,
                                      accounts.SessionPolicy())
    return token, session


def main() -> None:
    """Load, serve, measure, print."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=400, help="requests per scenario")
    parser.add_argument("--clients", type=int, default=10)
    parser.add_argument("--batch", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--db", help="database path or postgresql:// URL (default: a temporary SQLite file)")
    parser.add_argument("--client", choices=("stdlib", "httpx"), default="stdlib",
                        help="the HTTP client of the load generator (httpx: as runs before 2026-11-25 measured)")
    parser.add_argument("--workdir", type=Path,
                        help="keep the key (and the default database) here and reuse data loaded by an earlier run")
    args = parser.parse_args()

    work = args.workdir or Path(tempfile.mkdtemp(prefix="dutycare-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    db = args.db or str(work / "data" / "bench.db")
    settings = Settings(db=db, key_file=work / "keys" / "org.key", actor="bench")
    marker = work / "loaded.json"
    wanted = {"db": db, "cases": args.cases, "seed": args.seed}
    if args.workdir and marker.exists() and json.loads(marker.read_text()) == wanted:
        dc = open_dutycare(settings)
        print(f"reusing {args.cases:,} cases loaded earlier into {db}")
    else:
        dc = load_cases(settings, args.cases, args.batch, args.seed)
        marker.write_text(json.dumps(wanted))
    token, session = bench_user(dc)
    dc.close()
    key = settings.key_file
    assert key is not None

    port = free_port()
    server = subprocess.Popen([str(Path(sys.executable).with_name("dutycare")), "serve", "--db", db,
                               "--key-file", str(key), "--port", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    getter = stdlib_getter if args.client == "stdlib" else httpx_getter
    try:
        for _ in range(300):
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                time.sleep(0.1)
        rng = random.Random(args.seed)
        ids = [f"case-{rng.randrange(args.cases)}" for _ in range(args.requests)]
        bearer = {"Authorization": f"Bearer {token}"}
        cookie = {"Cookie": f"dc_session={session}"}
        scenarios: list[tuple[str, Callable[[int], str], dict[str, str]]] = [
            ("baseline: sign-in page", lambda n: "/login", {}),
            ("API case list, filtered (status+region)",
             lambda n: f"/api/v1/cases?status=escalated&region={REGIONS[n % 20]}&limit=50", bearer),
            ("API case list, filtered + text search",
             lambda n: f"/api/v1/cases?region={REGIONS[n % 20]}&q=остеосинтез&limit=50", bearer),
            ("API case detail", lambda n: f"/api/v1/cases/{ids[n]}", bearer),
            ("page: case list, filtered", lambda n: f"/cases?status=open&region={REGIONS[n % 20]}", cookie),
            ("page: case list + a common search word", lambda n: f"/cases?q={COMMON_WORD}&page={1 + n % 3}", cookie),
            ("API case list + a common search word", lambda n: f"/api/v1/cases?q={COMMON_WORD}&limit=50", bearer),
            ("page: case", lambda n: f"/cases/{ids[n]}", cookie),
        ]
        print(f"\n{args.requests} requests per scenario, {args.clients} concurrent clients ({args.client}), "
              f"{args.cases:,} cases")
        print(f"{'scenario':<42} {'p50 ms':>8} {'p95 ms':>8} {'req/s':>7} {'p50 ratio':>10}")
        base = base95 = None
        for name, paths, headers in scenarios:
            load(port, paths, min(40, args.requests), args.clients, headers, getter)  # warm up
            began = time.perf_counter()
            times = load(port, paths, args.requests, args.clients, headers, getter)
            rate = len(times) / (time.perf_counter() - began)
            p50, p95 = statistics.median(times), percentile(times, 95)
            base, base95 = base or p50, base95 or p95
            print(f"{name:<42} {p50:8.1f} {p95:8.1f} {rate:7.0f} {p50 / base:9.1f}x")
            backend = "postgresql" if "://" in db else "sqlite"
            common = name.startswith("page: case list + a common")
            target = SEARCH_TARGET_P95[backend] if common else TARGETS_P95.get(name)
            if target is not None:
                report(f"{name}, {args.cases:,} cases, {args.clients} clients, {backend}: p95 (p50 {p50:,.1f} ms)",
                       round(p95, 1), "ms", baseline=round(base95, 1),
                       baseline_label=f"sign-in page p95; its p50 {base:,.1f} ms", ratio=round(p95 / base95, 1),
                       target=f"p95 <= {target} ms", met=p95 <= target, p50_ms=round(p50, 1),
                       baseline_p50_ms=round(base, 1), load_average=round(os.getloadavg()[0], 1))
    finally:
        server.terminate()
        server.wait(10)


if __name__ == "__main__":
    main()
