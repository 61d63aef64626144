"""Benchmark: survey submissions under load, and durability when a worker is killed.

    .venv/bin/python bench/survey_load.py --database-url postgres://USER:PASS@HOST:PORT/DB
    .venv/bin/python bench/survey_load.py --start-postgres      # a throwaway cluster in /tmp

Against PostgreSQL with the production server (gunicorn, 2 x cores workers with a few
threads each, the repository's gunicorn.conf.py) it:

1. builds an organisation of --people staff, a wave (culture pulse + staff engagement +
   team working) over all of them, and launches it (one single-use token per person);
2. phase "sustained": locust submits whole responses through POST /api/v1/take/submit at
   --rate per second for --duration seconds, as independent senders (Poisson arrivals;
   --arrivals paced for locust's fixed beat); target >= 200/s, p99 <= 250 ms, no errors;
3. phase "worker killed": the same load again with fresh tokens, and half way through one
   gunicorn worker is killed with SIGKILL (the master starts a new one);
4. checks durability: every acknowledged (201) submission is stored (its invitation is
   marked responded), ballots and responded invitations match one to one, and every
   request that failed during the kill is retried: it is either stored now (201) or was
   stored before its reply was lost (409), never twice.

The database named by --database-url is flushed. Results go to
bench/results/survey_load.json and are printed.
"""

import argparse
import csv
import io
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from colead.org.imports import workforce as workforce_file

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PORT = 8790


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_postgres(tmp: Path) -> tuple[str, callable]:
    pg_bin = sorted(Path("/usr/lib/postgresql").glob("*/bin"))[-1]
    data = tmp / "pgdata"
    data.mkdir()
    shutil.chown(data, "postgres")
    shutil.chown(tmp, "postgres")
    run_as = ["su", "postgres", "-c"]
    subprocess.run(
        [*run_as, f"{pg_bin}/initdb -D {data} -A trust -U postgres"],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    port = free_port()
    subprocess.run(
        [
            *run_as,
            f"{pg_bin}/pg_ctl -D {data} -o '-p {port} -k {tmp} -c listen_addresses=127.0.0.1 -c max_connections=200' -l {data}/log -w start",
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    subprocess.run(
        [
            "psql",
            "-h",
            "127.0.0.1",
            "-p",
            str(port),
            "-U",
            "postgres",
            "-c",
            "CREATE DATABASE colead_bench",
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )

    def stop():
        subprocess.run(
            [*run_as, f"{pg_bin}/pg_ctl -D {data} -m fast stop"], stdout=subprocess.DEVNULL
        )

    return f"postgres://postgres@127.0.0.1:{port}/colead_bench", stop


def workforce_csv(people: int) -> tuple[bytes, bytes]:
    units = io.StringIO()
    writer = csv.writer(units)
    writer.writerow(["unit_code", "name", "parent_code", "level", "site"])
    writer.writerow(["ROOT", "Load Test Trust", "", "organisation", "Main"])
    teams = []
    for d in range(10):
        writer.writerow([f"D{d}", f"Division {d}", "ROOT", "division", "Main"])
        for t in range(30):
            code = f"D{d}T{t}"
            teams.append(code)
            writer.writerow([code, f"Team {d}-{t}", f"D{d}", "team", "Main"])
    staff = io.StringIO()
    writer = csv.writer(staff)
    writer.writerow(workforce_file.REQUIRED_COLUMNS)
    for i in range(people):
        writer.writerow(
            [
                f"L{i:06d}",
                "Alex",
                f"Tester{i}",
                f"l{i}@load.test",
                teams[i % len(teams)],
                "Nursing and Midwifery Registered",
                "Band 5",
                "Staff Nurse",
                "",
                "2020-01-01",
                "N",
            ]
        )
    return units.getvalue().encode(), staff.getvalue().encode()


def prepare(people: int, tmp: Path) -> dict:
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    call_command("flush", interactive=False, verbosity=0)
    from colead.core.actor import Actor
    from colead.org import services as org_services
    from colead.surveys import services, tokens
    from colead.surveys.models import Invitation

    bench = Actor.system("bench")
    organisation = org_services.create_organisation(
        code="LOAD1", name="Load Test Trust", sector="acute", actor=bench
    )
    units_csv, staff_csv = workforce_csv(people)
    org_services.import_units(
        organisation=organisation, content=units_csv, filename="units.csv", actor=bench
    )
    org_services.import_workforce(
        organisation=organisation, content=staff_csv, filename="staff.csv", actor=bench
    )
    services.ensure_builtin_instruments(organisation=organisation, actor=bench)
    wave = services.create_wave(
        organisation=organisation,
        settings=services.WaveSettings(
            title="Load test",
            instruments=["culture-pulse", "staff-engagement", "team-working"],
            unit_codes=["ROOT"],
        ),
        actor=bench,
    )
    services.launch_wave(wave=wave, actor=bench)
    all_tokens = [
        tokens.invitation_token(pk, nonce)
        for pk, nonce in Invitation.objects.filter(wave=wave).values_list("pk", "nonce")
    ]
    items = [
        item.code
        for instrument in services.wave_instruments(wave)
        for item in instrument.items
        if item.type == "scale" and not item.show_if
    ]
    (tmp / "items").write_text("\n".join(items))
    return {"wave_id": wave.pk, "tokens": all_tokens}


def wait_for(url: str, seconds: float = 60):
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"{url} did not come up")


def worker_pids(master: int) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(master)], capture_output=True, text=True).stdout
    return [int(pid) for pid in out.split()]


def run_locust(
    tmp: Path,
    name: str,
    tokens: list[str],
    host: str,
    rate: float,
    duration: int,
    users: int,
    env: dict,
    kill_master: int | None,
) -> dict:
    tokens_file = tmp / f"{name}.tokens"
    tokens_file.write_text("\n".join(tokens))
    prefix = tmp / name
    locust_env = {
        **env,
        "TOKENS_FILE": str(tokens_file),
        "ITEMS_FILE": str(tmp / "items"),
        "RESULTS_PREFIX": str(prefix),
        "RATE_PER_USER": str(rate / users),
    }
    process = subprocess.Popen(
        [
            str(BIN / "locust"),
            "-f",
            str(ROOT / "bench" / "survey_locustfile.py"),
            "--headless",
            "-u",
            str(users),
            "-r",
            str(users),
            "-t",
            f"{duration}s",
            "--host",
            host,
            "--csv",
            str(prefix),
            "--only-summary",
            "--stop-timeout",
            "5",
            "--exit-code-on-error",
            "0",
        ],
        env=locust_env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    killed = None
    if kill_master is not None:
        time.sleep(duration / 2)
        killed = worker_pids(kill_master)[0]
        os.kill(killed, signal.SIGKILL)
    process.wait(timeout=duration + 120)
    with open(f"{prefix}_stats.csv") as handle:
        rows = {row["Name"]: row for row in csv.DictReader(handle)}
    stats = rows["POST /api/v1/take/submit"]
    acknowledged = [t for t in (prefix.with_suffix(".ack")).read_text().split("\n") if t]
    failed = [t for t in (prefix.with_suffix(".failed")).read_text().split("\n") if t]
    requests = int(stats["Request Count"])
    return {
        "requests": requests,
        "failures": int(stats["Failure Count"]),
        "requests_per_s": round(requests / duration, 1),
        "median_ms": float(stats["50%"]),
        "p95_ms": float(stats["95%"]),
        "p99_ms": float(stats["99%"]),
        "max_ms": round(float(stats["Max Response Time"]), 1),
        "acknowledged": acknowledged,
        "failed": failed,
        "killed_worker": killed,
    }


def retry(host: str, token: str, item_codes: list[str]) -> int:
    body = json.dumps({"answers": {code: "3" for code in item_codes}}).encode()
    request = urllib.request.Request(
        f"{host}/api/v1/take/submit",
        data=body,
        method="POST",
        headers={"Content-Type": "application/json", "X-Survey-Token": token},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def check_durability(wave_id: int, acknowledged: list[str]) -> dict:
    from colead.surveys import tokens
    from colead.surveys.models import Ballot, Invitation

    digests = [tokens.lookup_digest(t) for t in acknowledged]
    stored = 0
    for start in range(0, len(digests), 1000):
        stored += Invitation.objects.filter(
            wave_id=wave_id, token_digest__in=digests[start : start + 1000], responded=True
        ).count()
    responded = Invitation.objects.filter(wave_id=wave_id, responded=True).count()
    ballots = Ballot.objects.filter(wave_id=wave_id).count()
    return {
        "acknowledged": len(acknowledged),
        "acknowledged_and_stored": stored,
        "responded_invitations": responded,
        "ballots": ballots,
    }


def parse_arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url")
    parser.add_argument("--start-postgres", action="store_true")
    parser.add_argument("--people", type=int, default=36000)
    parser.add_argument("--rate", type=float, default=230, help="offered submissions per second")
    parser.add_argument("--duration", type=int, default=60)
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument(
        "--arrivals",
        choices=("poisson", "paced"),
        default="poisson",
        help="poisson: independent senders (judged); paced: locust's constant_throughput, "
        "every user sending in the same instant twice a second (see docs/benchmarks.md)",
    )
    parser.add_argument("--workers", type=int, default=2 * os.cpu_count())
    parser.add_argument(
        "--threads",
        type=int,
        default=4,
        help="threads per worker (gunicorn.conf.py's default; 1: sync workers)",
    )
    parser.add_argument(
        "--warm-up",
        type=int,
        default=15,
        help="seconds of load before the measured phases (each worker's first submissions "
        "load the wave's instruments and build the comment masker); reported, not judged",
    )
    return parser.parse_args()


def main() -> None:
    args = parse_arguments()
    tmp = Path(tempfile.mkdtemp(prefix="colead-load-"))
    url, stop_postgres = choose_database(args, tmp)
    host = f"http://127.0.0.1:{PORT}"
    env = server_environment(args, url, tmp, host)
    os.environ.update(env)
    (tmp / "static").mkdir()
    server = None
    try:
        prepared = prepare(args.people, tmp)
        per_phase, warm = phase_sizes(args, len(prepared["tokens"]))
        server = start_server(args, tmp, env)
        wait_for(f"{host}/healthz")
        warm_up, sustained, killed = run_phases(
            args, tmp, host, env, server.pid, prepared["tokens"], per_phase, warm
        )
        retried = retry_failed(host, killed["failed"], tmp)
        durability = check_durability(
            prepared["wave_id"],
            sustained["acknowledged"]
            + killed["acknowledged"]
            + killed["failed"]
            + (warm_up["acknowledged"] if warm_up else []),
        )
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        if stop_postgres:
            stop_postgres()
    result = report(args, warm_up, sustained, killed, retried, durability)
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / "survey_load.json").write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))


def choose_database(args, tmp: Path) -> tuple[str, callable]:
    """The database URL, and how to stop the throwaway cluster (None when given a URL)."""
    if args.start_postgres:
        return start_postgres(tmp)
    if args.database_url:
        return args.database_url, None
    raise SystemExit("Give --database-url postgres://... or --start-postgres.")


def server_environment(args, url: str, tmp: Path, host: str) -> dict:
    """The production settings the server, locust and this script share."""
    return {
        **os.environ,
        "DATABASE_URL": url,
        "DATABASE_CONN_MAX_AGE": "300",
        "COLEAD_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "SURVEY_TOKEN_KEY": secrets.token_urlsafe(32),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "false",
        "COLEAD_BASE_URL": host,
        "DJANGO_SETTINGS_MODULE": "colead.config.settings",
        "STATIC_ROOT": str(tmp / "static"),
        "LOG_LEVEL": "ERROR",
        "ARRIVALS": args.arrivals,
    }


def phase_sizes(args, tokens: int) -> tuple[int, int]:
    """Tokens for each measured phase and for the warm-up (a fifth to spare), checked
    against the people invited."""
    per_phase = int(args.rate * args.duration * 1.2)
    warm = int(args.rate * args.warm_up * 1.2)
    if tokens < 2 * per_phase + warm + 100:
        raise SystemExit(
            f"--people must be at least {2 * per_phase + warm + 100} for this rate, "
            "duration and warm-up"
        )
    return per_phase, warm


def start_server(args, tmp: Path, env: dict) -> subprocess.Popen:
    return subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "colead.config.wsgi",
            "-c",
            str(ROOT / "gunicorn.conf.py"),
            "-w",
            str(args.workers),
            "--threads",
            str(args.threads),
            "-b",
            f"127.0.0.1:{PORT}",
            "--access-logfile",
            "/dev/null",
            "--error-logfile",
            str(tmp / "gunicorn.log"),
        ],
        env=env,
        cwd=ROOT,
    )


def run_phases(args, tmp, host, env, master: int, tokens, per_phase: int, warm: int):
    """The warm-up (if any), the sustained phase, and the phase in which a worker of
    ``master`` is killed, each with its own tokens."""
    warm_up = None
    if args.warm_up:
        warm_up = run_locust(
            tmp,
            "warm-up",
            tokens[2 * per_phase : 2 * per_phase + warm],
            host,
            args.rate,
            args.warm_up,
            args.users,
            env,
            None,
        )
    sustained = run_locust(
        tmp,
        "sustained",
        tokens[:per_phase],
        host,
        args.rate,
        args.duration,
        args.users,
        env,
        None,
    )
    killed = run_locust(
        tmp,
        "killed",
        tokens[per_phase : 2 * per_phase],
        host,
        args.rate,
        args.duration,
        args.users,
        env,
        master,
    )
    return warm_up, sustained, killed


def retry_failed(host: str, failed: list[str], tmp: Path) -> dict[str, int]:
    """Sends each failed submission again; how many got each status."""
    items = (tmp / "items").read_text().split("\n")
    retried = {}
    for token in failed:
        status = retry(host, token, items)
        retried[str(status)] = retried.get(str(status), 0) + 1
    return retried


def report(args, warm_up, sustained, killed, retried, durability) -> dict:
    acknowledged_total = len(sustained["acknowledged"]) + len(killed["acknowledged"])
    if warm_up:
        acknowledged_total += len(warm_up["acknowledged"])
    return {
        "benchmark": "survey submissions (gunicorn + PostgreSQL)",
        "workers": args.workers,
        "threads_per_worker": args.threads,
        "offered_rate": args.rate,
        "arrivals": args.arrivals,
        "duration_s": args.duration,
        "warm_up_s": args.warm_up,
        "warm_up": warm_up and figures(warm_up),
        "sustained": figures(sustained),
        "worker_killed": figures(killed),
        "failed_during_kill_retried": retried,
        "durability": {
            **durability,
            "acknowledged_in_runs": acknowledged_total,
            "every_acknowledged_stored_once": durability["ballots"]
            == durability["responded_invitations"]
            and durability["acknowledged_and_stored"] == durability["acknowledged"],
        },
        "targets_met": sustained["requests_per_s"] >= 200
        and sustained["p99_ms"] <= 250
        and sustained["failures"] == 0,
    }


def figures(run: dict) -> dict:
    """A phase's figures without its lists of tokens."""
    return {k: v for k, v in run.items() if k not in ("acknowledged", "failed")}


if __name__ == "__main__":
    main()
