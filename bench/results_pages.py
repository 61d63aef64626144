"""Benchmark: every results page of the demo trust DEMO1, warm (p95) and first after a start.

Builds the demo (``colead demo --no-serve --staff N``) in a fresh SQLite database, unless
--database-url points at one already built. Then:

1. first view after a start: starts ``colead runserver`` (as ``make demo`` serves), waits
   until it answers, signs in as the OD lead as a person would, and times the first unit
   page and the first heatmap (``first``). It does this twice more: waiting first until
   the server has warmed its caches (``after_warming``, the log line of
   ``colead.insights.warm``), and with the warming switched off (``cold``, what every
   start cost before it);
2. warm pages: in this process, through Django's test client, each results page (the list,
   the heatmap at each kind of unit, by staff group and by pay band, compact, sorted, by
   change; unit pages of the organisation, a division and a team; drivers; reliability)
   ``--runs`` times after one warm-up view, with the median, p95, bytes and queries;
3. the home pages: the board's (its headline of engagement, response rate and coverage)
   first after a start (``home_first``, in its own start, signed in as the board member)
   and warm, and the manager's home and to-do pages warm (``home_pages``).

    .venv/bin/python bench/results_pages.py [--staff 6000] [--runs 20] [--database-url URL]
        [--skip-start] [--home-only]

Targets (issue 13): every results page p95 <= 500 ms on the demo trust; the first view after
a start <= 1.5 s. Writes bench/results/results_pages_<staff>.json.
"""

import argparse
import http.cookiejar
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT / "src") not in sys.path:
    sys.path.insert(0, str(ROOT / "src"))

PERSONA = "od@demo.test"
BOARD = "board@demo.test"
PROFILE = "/accounts/profile/"  # where the board member lands, so "/" is first timed
MANAGER = "manager@demo.test"
# (name, path, who signs in): the home pages, each as the person it is for.
HOME_PAGES = [
    ("home, board (headline)", "/", BOARD),
    ("home, manager (to-do list)", "/", MANAGER),
    ("to-do, manager", "/to-do/", MANAGER),
]
WARMED = "Results caches warmed"


def heatmap_views(wave: int) -> list[tuple[str, str]]:
    page = f"/insights/waves/{wave}/heatmap/"
    return [
        ("heatmap, default (divisions)", page),
        ("heatmap, directorates, compact", page + "?level=directorate&compact=1"),
        ("heatmap, teams", page + "?level=team"),
        ("heatmap, teams, every row", page + "?level=team&show_hidden=1"),
        ("heatmap, teams by pay band", page + "?level=team&by=band"),
        ("heatmap, teams by pay band, every row", page + "?level=team&by=band&show_hidden=1"),
        ("heatmap, divisions by staff group", page + "?level=division&by=staff_group"),
        ("heatmap, teams by change, sorted", page + "?level=team&colour=change&sort=engagement"),
        ("heatmap, depth 3 (an older link)", page + "?level=3"),
    ]


def pages(wave: int, units: dict[str, str]) -> list[tuple[str, str]]:
    unit = f"/insights/waves/{wave}/units/"
    return [
        ("results list", "/insights/"),
        *heatmap_views(wave),
        ("unit page, organisation", unit + units["organisation"] + "/"),
        ("unit page, a division", unit + units["division"] + "/"),
        ("unit page, a team", unit + units["team"] + "/"),
        ("drivers", f"/insights/waves/{wave}/drivers/"),
        ("reliability", f"/insights/waves/{wave}/reliability/"),
    ]


# -- 1. the first view after a start -------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Browser:
    """Cookies, a sign-in with the form's CSRF token, and timed GETs."""

    def __init__(self, base: str):
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def get(self, path: str) -> tuple[int, bytes, float]:
        started = time.perf_counter()
        with self.opener.open(self.base + path, timeout=120) as response:
            body = response.read()
            return response.status, body, time.perf_counter() - started

    def sign_in(self, email: str, password: str, landing: str | None = None) -> None:
        """Signs in, landing on the home page, or on ``landing`` (so that the home page's
        first view is the one timed)."""
        _, body, _ = self.get("/accounts/sign-in/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1)
        fields = {"csrfmiddlewaretoken": token.decode(), "username": email, "password": password}
        if landing is not None:
            fields["next"] = landing
        data = urllib.parse.urlencode(fields).encode()
        request = urllib.request.Request(
            self.base + "/accounts/sign-in/",
            data=data,
            headers={"Referer": self.base + "/accounts/sign-in/"},
        )
        with self.opener.open(request, timeout=60) as response:
            response.read()


def first_views(
    env: dict,
    targets: list[tuple[str, str]],
    *,
    wait_for_warm: bool,
    warm: bool,
    persona: str = PERSONA,
    landing: str | None = None,
):
    """Starts the server, signs in as ``persona`` (landing on ``landing``, else the home
    page), and times the first GET of each target."""
    port = _free_port()
    log = tempfile.NamedTemporaryFile(prefix="colead-serve-", suffix=".log", delete=False)
    server_env = {**env, "LOG_LEVEL": "INFO"}
    command = [sys.executable, "-m", "colead", "runserver", f"127.0.0.1:{port}", "--noreload"]
    if not warm:  # what a start cost before warming: the same server, without it
        command = [sys.executable, str(Path(__file__).with_name("_serve_cold.py")), str(port)]
    started = time.perf_counter()
    server = subprocess.Popen(command, env=server_env, stdout=log, stderr=log)
    try:
        browser = Browser(f"http://127.0.0.1:{port}")
        while True:
            try:
                browser.get("/accounts/sign-in/")
                break
            except OSError:
                if time.perf_counter() - started > 120:
                    raise
                time.sleep(0.1)
        answering = time.perf_counter() - started
        if wait_for_warm:
            while WARMED not in Path(log.name).read_text(errors="replace"):
                if time.perf_counter() - started > 300:
                    raise TimeoutError("the server did not log that it had warmed its caches")
                time.sleep(0.2)
        warmed = time.perf_counter() - started
        browser.sign_in(persona, env["COLEAD_DEMO_PASSWORD"], landing)
        out = {"answering_s": round(answering, 1)}
        if wait_for_warm:
            out["warmed_s"] = round(warmed, 1)
        for name, path in targets:
            status, body, seconds = browser.get(path)
            assert status == 200, (name, status)
            out[name] = {"first_ms": round(seconds * 1000), "bytes": len(body)}
        return out
    finally:
        server.terminate()
        server.wait(timeout=30)
        os.unlink(log.name)


# -- 2. warm pages -------------------------------------------------------------------------------


def warm_pages(targets: list[tuple], runs: int) -> dict:
    """Each target, (name, path) as the OD lead or (name, path, email) as that person."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from colead.accounts.models import User

    clients: dict[str, Client] = {}
    views, everything = {}, []
    for name, path, *who in targets:
        email = who[0] if who else PERSONA
        if email not in clients:
            clients[email] = Client()
            clients[email].force_login(User.objects.get(email=email))
        client = clients[email]
        started = time.perf_counter()
        response = client.get(path)
        first = time.perf_counter() - started
        assert response.status_code == 200, (name, response.status_code)
        timings = []
        for _ in range(runs):
            started = time.perf_counter()
            response = client.get(path)
            timings.append((time.perf_counter() - started) * 1000)
        with CaptureQueriesContext(connection) as captured:
            client.get(path)
        timings.sort()
        everything += timings
        views[name] = {
            "first_in_process_ms": round(first * 1000),
            "median_ms": round(statistics.median(timings), 1),
            "p95_ms": round(timings[int(0.95 * (len(timings) - 1))], 1),
            "bytes": len(response.content),
            "queries": len(captured),
        }
    everything.sort()
    return {
        "median_ms": round(statistics.median(everything), 1),
        "p95_ms": round(everything[int(0.95 * (len(everything) - 1))], 1),
        "max_ms": round(everything[-1], 1),
        "slowest_p95": max(views.items(), key=lambda kv: kv[1]["p95_ms"])[0],
        "views": views,
    }


def _demo_targets() -> tuple[int, dict[str, str]]:
    from colead.org.models import Organisation, Unit
    from colead.surveys.models import Wave, WaveStatus

    organisation = Organisation.objects.get(code="DEMO1")
    wave = (
        Wave.objects.filter(organisation=organisation, status=WaveStatus.CLOSED)
        .exclude(title__icontains="pulse")
        .order_by("-closed_at")
        .first()
    )
    units = {
        kind: Unit.objects.filter(organisation=organisation, level=kind)
        .order_by("path")
        .values_list("code", flat=True)
        .first()
        for kind in ("organisation", "division", "team")
    }
    return wave.pk, units


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--staff", type=int, default=6000)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--database-url")
    parser.add_argument("--skip-start", action="store_true", help="Only the warm pages.")
    parser.add_argument("--home-only", action="store_true", help="Only the home pages.")
    args = parser.parse_args()

    tmp = tempfile.mkdtemp(prefix="colead-bench-")
    env = {
        **os.environ,
        "DATABASE_URL": args.database_url or f"sqlite:///{tmp}/bench.sqlite3",
        "COLEAD_ENV": "development",
        "DEBUG": "false",
        "COLEAD_SECRET_KEY_FILE": f"{tmp}/key",
        "DJANGO_SETTINGS_MODULE": "colead.config.settings",
        "COLEAD_DEMO_PASSWORD": os.environ.get("COLEAD_DEMO_PASSWORD", "colead-demo-2026"),
        "PYTHONPATH": str(ROOT / "src"),
    }
    os.environ.update(env)
    if not args.database_url:
        subprocess.run(
            [sys.executable, "-m", "colead", "demo", "--no-serve", "--staff", str(args.staff)],
            check=True,
            env=env,
            stdout=subprocess.DEVNULL,
        )
    import django

    django.setup()
    wave, units = _demo_targets()
    targets = pages(wave, units)
    named = dict(targets)
    first_targets = [
        (name, named[name]) for name in ("unit page, organisation", "heatmap, default (divisions)")
    ]
    result = {"benchmark": "results pages (DEMO1)", "staff": args.staff, "wave": wave}
    if not (args.skip_start or args.home_only):
        result["first_view"] = {
            "first": first_views(env, first_targets, wait_for_warm=False, warm=True),
            "after_warming": first_views(env, first_targets, wait_for_warm=True, warm=True),
            "cold": first_views(env, first_targets, wait_for_warm=False, warm=False),
        }
    if not args.skip_start:
        board_home = [HOME_PAGES[0][:2]]
        result["home_first"] = {
            mode: first_views(
                env, board_home, wait_for_warm=wait, warm=warm, persona=BOARD, landing=PROFILE
            )
            for mode, wait, warm in (
                ("first", False, True),
                ("after_warming", True, True),
                ("cold", False, False),
            )
        }
    if not args.home_only:
        result["warm"] = warm_pages(targets, args.runs)
    result["home_pages"] = warm_pages(HOME_PAGES, args.runs)
    result["runs_per_page"] = args.runs
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    suffix = "_home" if args.home_only else ""
    (out / f"results_pages_{args.staff}{suffix}.json").write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
