"""Time per `understand()` call (the rules policy's NLU) over realistic messages, beside another checkout.

    .venv/bin/python bench/nlu.py [--repeat 5] [--rounds 3] [--compare /path/to/other/checkout]

The messages are every customer turn of every golden suite (SMS, chat and voice transcripts) plus a set of
everyday phrasings of dates, times and services; each is read as a first message, at the goldens' frozen clock
(Monday 2030-01-07 09:00 America/New_York) with the demo catalogue. Printed: a fresh process's start-up
(imports, and dateparser's warm-up where the tree has one, as the worker does it), its first call, the mean
per call over the first pass (every phrase new to the process's caches), then the mean, p50 and p95 per call
over all `--repeat` passes.

`--compare PATH` times the same messages, in a child process, with the `backend` package of another checkout
(e.g. `mkdir /tmp/main-nlu && git archive main backend | tar -x -C /tmp/main-nlu`), so a change is measured
against its baseline in one run on one machine. Nothing here touches a database or Redis.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOLDENS = ROOT / "fixtures" / "goldens"
SERVICES = ["haircut", "beard trim", "color touch-up", "dental cleaning", "eye exam", "massage"]
EVERYDAY = [
    "can I get a haircut next week?",
    "anything in two weeks for a massage",
    "sometime this week please",
    "end of the month works",
    "a week from today at 2",
    "Friday week",
    "14/01 at 10",
    "15.01.2030 please",
    "at 2.30",
    "3 30 pm",
    "half 4 on friday",
    "between 2 and 4 tomorrow",
    "after 3 on thursday",
    "3 or 4?",
    "Book haircut Friday 4",
    "just a trim",
    "a cut and blow dry saturday",
    "want my hair dyed",
    "haircut please",
    "my number is 555 123 4567",
    "call me on +44 20 7946 0958",
    "yeah um so like i need a beard trim uh tuesday after lunch",
]


def messages() -> list[str]:
    """Every customer turn of the goldens, then the everyday phrasings, in a fixed order."""
    import yaml

    found = []
    for path in sorted(GOLDENS.glob("*/*.yaml")):
        case = yaml.safe_load(path.read_text())
        found.extend(
            turn["customer"] for turn in case.get("turns", []) if isinstance(turn.get("customer"), str)
        )
    return found + EVERYDAY


def measure(texts: list[str], repeat: int) -> dict:
    """Seconds for the first call (fresh process) and for each later call."""
    import datetime as dt
    from zoneinfo import ZoneInfo

    began = time.perf_counter()
    from backend.agent.nlu import understand

    try:  # what the worker does when it builds the rules policy, where the tree has it
        from backend.agent.nlu.calendar_parser import warm_up
    except ImportError:
        pass
    else:
        warm_up()
    start_up = time.perf_counter() - began
    now = dt.datetime(2030, 1, 7, 9, 0, tzinfo=ZoneInfo("America/New_York"))
    began = time.perf_counter()
    understand(texts[0], now=now, services=SERVICES)
    first = time.perf_counter() - began
    calls = []
    for _ in range(repeat):
        for text in texts:
            started = time.perf_counter()
            understand(text, now=now, services=SERVICES)
            calls.append(time.perf_counter() - started)
    return {
        "start_up": start_up,
        "first": first,
        "calls": calls,
        "messages": len(texts),
        "source": str(Path(sys.modules["backend"].__file__).parent.parent),
    }


def report(label: str, result: dict) -> None:
    # The first pass meets every phrase once (caches cold); later passes show a process that has heard them.
    first_pass = result["calls"][: result["messages"]]
    calls = sorted(result["calls"])
    p95 = calls[int(len(calls) * 0.95)]
    print(
        f"{label:<10} start-up {result['start_up'] * 1000:4.0f} ms, first call "
        f"{result['first'] * 1000:5.1f} ms"
        f" | first pass mean {statistics.fmean(first_pass) * 1e6:5.0f} µs"
        f" | all passes: mean {statistics.fmean(calls) * 1e6:5.0f} µs  p50 "
        f"{statistics.median(calls) * 1e6:5.0f} µs"
        f"  p95 {p95 * 1e6:5.0f} µs   ({result['source']})"
    )


def in_child(checkout: Path, texts: list[str], repeat: int) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump(texts, handle)
    try:
        environment = {**os.environ, "PYTHONPATH": str(checkout)}
        output = subprocess.run(
            [
                sys.executable,
                "-c",
                "import sys, json; sys.path.insert(0, sys.argv[1]); sys.path.insert(0, sys.argv[2]);"
                " import nlu; print(json.dumps(nlu.measure(json.load(open(sys.argv[3])), int(sys.argv[4]))))",
                str(checkout),
                str(ROOT / "bench"),
                handle.name,
                str(repeat),
            ],
            env=environment,
            cwd=checkout,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    finally:
        os.unlink(handle.name)
    return json.loads(output.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument(
        "--compare", type=Path, help="another checkout whose backend to time on the same messages"
    )
    parser.add_argument(
        "--rounds", type=int, default=3, help="fresh processes per tree, alternating; the fastest is kept"
    )
    options = parser.parse_args()
    texts = messages()
    trees = [("this tree", ROOT)] + ([("compared", options.compare.resolve())] if options.compare else [])
    print(
        f"{len(texts)} messages x{options.repeat} per process, {options.rounds} alternating processes per "
        "tree; "
        f"the round with the lowest mean is shown (a shared machine only ever adds time)"
    )
    best: dict[str, dict] = {}
    for _ in range(options.rounds):
        for label, checkout in trees:
            result = in_child(checkout, texts, options.repeat)
            if label not in best or statistics.fmean(result["calls"]) < statistics.fmean(
                best[label]["calls"]
            ):
                best[label] = result
    for label, _ in trees:
        report(label, best[label])
    if options.compare:
        ratio = statistics.fmean(best["this tree"]["calls"]) / statistics.fmean(best["compared"]["calls"])
        print(f"this tree / compared (mean per call): {ratio:.2f}")


if __name__ == "__main__":
    main()
