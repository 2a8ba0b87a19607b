"""Time the queue: 500 evergreen posts placed into a year of slots on 4 channels.

Run with ``python bench/queue.py``; prints the CPU seconds of one placement (best of five runs;
target ≤ 1 s), and how many of the 2,000 (post, channel) asks moved when one post changed its
first day (the posts an incremental rebuild renders again: only those whose time changed).
Figures before and after closed days were skipped at once are in docs/planning.md.
"""

from __future__ import annotations

import time
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from cmbuild.model import Channel, QueueRules, Utm
from cmbuild.schedule.queue import Plan, Rules, Wanted, place

CHANNELS = {
    name: Channel(
        name,
        "x",
        "x.j2",
        "Europe/Paris",
        "fr",
        None,
        Utm(name),
        slots=("Tue 12:30", "09:00", "18:00"),
        slot_scores=(0.82, 0.6, 0.4),
        queue=QueueRules(max_per_day=2, min_gap_hours=3, country="FR", horizon_weeks=52),
    )
    for name in ("x", "bluesky", "mastodon", "linkedin")
}
START = date(2027, 1, 4)
EVENTS = [
    datetime(2027, 1, 4, 12, tzinfo=ZoneInfo("Europe/Paris")) + timedelta(weeks=3 * n)
    for n in range(17)
]


def asks(first_of_one: date = START) -> list[Wanted]:
    found = []
    for number in range(500):
        first = first_of_one if number == 250 else START + timedelta(days=number % 7)
        for name in CHANNELS:
            found.append(Wanted(f"posts/tip-{number:03}.md", name, first, 3))
    return found


def timed(wanted: list[Wanted]) -> tuple[float, Plan]:
    best, plan = float("inf"), Plan()
    for _ in range(5):
        started = time.process_time()
        plan = place(wanted, {}, CHANNELS, Rules(events=EVENTS))
        best = min(best, time.process_time() - started)
    return best, plan


def main() -> None:
    seconds, before = timed(asks())
    print(f"placement of 500 evergreen posts x 4 channels over a year: {seconds:.3f} s (≤ 1 s)")
    print(f"placed {len(before.placed)}, left out {len(before.findings)}")
    _, after = timed(asks(first_of_one=START + timedelta(days=200)))
    moved = {key[0] for key, p in after.placed.items() if before.placed.get(key) != p}
    moved |= {key[0] for key in before.placed.keys() - after.placed.keys()}
    print(f"one post moved 200 days later: {len(moved)} posts change time (re-rendered)")


if __name__ == "__main__":
    main()
