"""Watch-mode benchmark: time from saving a post to its rebuilt variant file on disk.

Runs the serve loop in this process (as `cmbuild serve` does), saves one post several times and
measures, for each save, the time until the rebuild that wrote the new variant has returned (the
debounce of 150 ms included). Prints the median, on tests/sites/basic and on a generated
repository (2,000 posts × 8 channels, as bench/build.py makes it).

    python bench/watch.py [--posts 2000] [--runs 7]
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from build import make_repository

from cmbuild.serve.loop import Event, Rebuilt, Serving, serve

BASIC = Path(__file__).parent.parent / "tests/sites/basic"


def measure(root: Path, post: Path, variant: Path, runs: int) -> list[float]:
    """Seconds from each save of `post` to a rebuild that left its new text in `variant`."""
    stop, changed = threading.Event(), threading.Event()
    ready = threading.Event()

    def report(event: Event) -> None:
        if isinstance(event, Serving):
            ready.set()
        elif isinstance(event, Rebuilt) and ready.is_set():
            changed.set()

    thread = threading.Thread(
        target=serve, args=(root,), kwargs={"port": 0, "stop": stop, "report": report}
    )
    thread.start()
    try:
        if not ready.wait(300):
            raise SystemExit("the first build did not finish")
        original = post.read_text(encoding="utf-8")
        times = []
        for run in range(runs):
            marker = f"mesure{run}"
            changed.clear()
            started = time.perf_counter()
            # At the start of the body: templates may cut its end to fit.
            head, _, body = original.partition("\n---\n")
            post.write_text(f"{head}\n---\n{marker} {body}", encoding="utf-8")
            while marker not in variant.read_text(encoding="utf-8"):
                if not changed.wait(30):
                    raise SystemExit(f"no rebuild after saving {post}")
                changed.clear()
            times.append(time.perf_counter() - started)
            time.sleep(0.3)  # let the observer settle: each save is its own batch
        return times
    finally:
        stop.set()
        thread.join()


def show(name: str, times: list[float]) -> None:
    figures = ", ".join(f"{t * 1000:.0f}" for t in times)
    print(f"{name}: median {statistics.median(times) * 1000:.0f} ms (runs: {figures} ms)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--posts", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=7)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        basic = Path(folder) / "basic"
        shutil.copytree(BASIC, basic)
        post = basic / "posts/2026-12-05-conseil.md"
        variant = basic / "output/x-test/2026-12-05-conseil.txt"
        show("tests/sites/basic", measure(basic, post, variant, options.runs))

        large = Path(folder) / "large"
        make_repository(large, options.posts)
        post = sorted((large / "posts").glob("*.md"))[options.posts // 2]
        variant = large / "output/mastodon-bench" / f"{post.stem}.txt"
        show(f"{options.posts} posts", measure(large, post, variant, options.runs))


if __name__ == "__main__":
    main()
