"""Build benchmark: 2,000 posts × 8 channels (text only), timed as a user runs it.

Prints the first build (into an empty output/: file creation dominates on our disks), the cold
build (no build state, output/ present: every post rendered, only changed files written), the no-op
rebuild, the rebuild after editing one post, and peak memory. Then the floor under the one-post
edit: starting Python with the libraries a rebuild needs, and replacing the manifest and calendar
durably, which any rebuild that changes a post has to do.
Each figure is the median of several runs of the `cmbuild build` command in a fresh process
(start-up and imports included), on a generated repository in a temporary folder.

    python bench/build.py [--posts 2000] [--runs 5] [--jobs N] [--with-preview]

Targets (2-core machine): cold ≤ 2.5 s, no-op ≤ 0.25 s, one-post edit ≤ 0.3 s, peak RSS ≤ 300 MB.
"""

from __future__ import annotations

import argparse
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

CHANNELS = [
    ("x-bench", "x"),
    ("mastodon-bench", "mastodon"),
    ("bluesky-bench", "bluesky"),
    ("threads-bench", "threads"),
    ("linkedin-bench", "linkedin"),
    ("facebook-bench", "facebook"),
    ("tumblr-bench", "tumblr"),
    ("blog", "blog"),
]

WORDS = [
    "community",
    "manager",
    "formation",
    "Bordeaux",
    "réseaux",
    "sociaux",
    "stratégie",
    "éditoriale",
    "calendrier",
    "publication",
    "audience",
    "engagement",
    "charte",
    "graphique",
    "ligne",
    "éditoriale",
    "veille",
    "modération",
    "campagne",
    "atelier",
    "rencontre",
    "conseil",
    "écriture",
    "visuel",
    "vidéo",
    "newsletter",
    "blog",
    "communauté",
]


def make_repository(root: Path, posts: int) -> None:
    rng = random.Random(2026)
    (root / "posts").mkdir(parents=True)
    (root / "brand/templates").mkdir(parents=True)
    lines = ['[defaults]\ntimezone = "Europe/Paris"\nlang = "fr"\n']
    for name, platform in CHANNELS:
        lines.append(f'[channels.{name}]\nplatform = "{platform}"\n')
    (root / "channels.toml").write_text("\n".join(lines), encoding="utf-8")
    (root / "brand/charter.toml").write_text(
        '[brand]\nname = "Bench"\nlang = "fr"\ndomains = ["bench.example"]\n\n'
        '[[wording.banned]]\nexpression = "gratuit"\nsuggest = "offert"\n\n'
        "[hashtags]\nmax = 3\n\n[emoji]\nmax = 3\n\n"
        "[complementarity]\nwindow_hours = 2\nsimilarity = 0.9\n"
        'exempt = [["x-bench", "mastodon-bench", "bluesky-bench", "threads-bench", '
        '"linkedin-bench", "facebook-bench", "tumblr-bench", "blog"]]\n',
        encoding="utf-8",
    )
    social = (
        "{{ body | fit(170) }}\n{% if post.link and platform.links_clickable %}\n{{ post.link }}\n"
        "{% endif %}\n{{ post.tags | hashtags }}\n"
    )
    for _, platform in CHANNELS:
        if platform == "blog":
            (root / "brand/templates/blog.html.j2").write_text(
                '<!doctype html>\n<html lang="{{ post.lang }}"><head><meta charset="utf-8">'
                "<title>{{ post.title }}</title></head>\n<body><article><h1>{{ post.title }}</h1>\n"
                "{{ body | safe }}\n</article></body></html>\n",
                encoding="utf-8",
            )
        else:
            (root / f"brand/templates/{platform}.j2").write_text(social, encoding="utf-8")
    start = date(2027, 1, 4)
    names = ", ".join(name for name, _ in CHANNELS)
    for n in range(posts):
        day = start + timedelta(days=n // 8)
        hour = 8 + (n % 8)
        title = " ".join(rng.choice(WORDS) for _ in range(6)).capitalize()
        paragraphs = [
            " ".join(rng.choice(WORDS) for _ in range(rng.randint(25, 45))).capitalize() + "."
            for _ in range(3)
        ]
        body = (
            f"{paragraphs[0]} Voir [le programme](https://bench.example/p/{n}) 🎉\n\n"
            f"{paragraphs[1]} **{rng.choice(WORDS)}** et *{rng.choice(WORDS)}*.\n\n"
            f"- {rng.choice(WORDS)}\n- {rng.choice(WORDS)}\n\n{paragraphs[2]}\n"
        )
        (root / f"posts/{n:05d}-post.md").write_text(
            f'---\ntitle: "{title}"\npublish: {day.isoformat()} {hour:02d}:{n % 60:02d}\n'
            f"campaign: c{n % 12}\ntags: [{rng.choice(WORDS)}, {rng.choice(WORDS)}]\n"
            f"link: https://bench.example/posts/{n}\nstatus: approved\n"
            f"channels: [{names}]\n---\n{body}",
            encoding="utf-8",
        )


def run(root: Path, jobs: int | None, extra: tuple[str, ...]) -> float:
    command = [sys.executable, "-m", "cmbuild", "build", "--quiet", "--root", str(root), *extra]
    if jobs:
        command += ["--jobs", str(jobs)]
    start = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if done.returncode not in (0, 1):
        raise SystemExit(f"build failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--posts", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--jobs", type=int, default=None)
    parser.add_argument(
        "--with-preview",
        action="store_true",
        help="also render the preview site (by default: variants, manifest and calendar only)",
    )
    args = parser.parse_args()
    extra = () if args.with_preview else ("--no-preview",)
    with tempfile.TemporaryDirectory(prefix="cmbuild-bench-") as temp:
        base = Path(temp) / "repo"
        make_repository(base, args.posts)
        first = []
        for attempt in range(args.runs):
            root = Path(temp) / f"first-{attempt}"
            shutil.copytree(base, root)
            first.append(run(root, args.jobs, extra))
        root = Path(temp) / "first-0"
        cold = []
        for _ in range(args.runs):
            shutil.rmtree(root / "output" / ".cmbuild")  # no build state: every post is rendered
            cold.append(run(root, args.jobs, extra))
        noop = [run(root, args.jobs, extra) for _ in range(args.runs)]
        edits = []
        post = root / f"posts/{args.posts // 2:05d}-post.md"
        for attempt in range(args.runs):
            text = post.read_text(encoding="utf-8")
            post.write_text(
                text.replace("\n---\n", f"\n---\nÉdition {attempt}. ", 1), encoding="utf-8"
            )
            edits.append(run(root, args.jobs, extra))
        peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        outputs = sum(1 for p in (root / "output").rglob("*") if p.is_file())
        imports, rewrite = edit_floor(root / "output", args.runs)
    mode = "with the preview site" if args.with_preview else "text pipeline, --no-preview"
    print(f"repository: {args.posts} posts x {len(CHANNELS)} channels -> {outputs} output files")
    print(f"mode: {mode}")
    rows = [
        ("first build (empty output/)", first, None),
        ("cold build (no state, output/ exists)", cold, 2.5),
        ("no-op rebuild", noop, 0.25),
        ("one-post edit", edits, 0.3),
    ]
    for label, values, target in rows:
        aim = f"target {target} s" if target else "no target"
        median = statistics.median(values)
        print(f"{label:38s} median {median:6.3f} s  ({aim}; runs: {_fmt(values)})")
    print(f"{'peak RSS (largest single process)':38s} {peak:6.0f} MB  (target 300 MB)")
    print("floor of a one-post edit in a fresh process, before any build work:")
    for label, values in (
        ("start-up + imports a rebuild needs", imports),
        ("durable replace of manifest+calendar", rewrite),
    ):
        print(f"  {label:36s} median {statistics.median(values):6.3f} s  (runs: {_fmt(values)})")
    return 0


# What rebuilding one post cannot do without in a new process: the libraries that read its front
# matter, render its Markdown and template, count graphemes and write its calendar event.
FLOOR_IMPORTS = "import click, frontmatter, icalendar, jinja2, markdown_it, regex"


def edit_floor(out: Path, runs: int) -> tuple[list[float], list[float]]:
    """Seconds to start Python with those libraries, and to replace this build's manifest and
    calendar the way every build that changes them does (temporary file, fsync, rename)."""
    from cmbuild.files import write_atomic

    imports = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", FLOOR_IMPORTS], check=True)
        imports.append(time.perf_counter() - start)
    files = [(out / name).read_bytes() for name in ("manifest.json", "calendar.ics")]
    for number, data in enumerate(files):
        write_atomic(out.parent / f"floor-{number}", data)  # from now on, each write replaces
    rewrite = []
    for _ in range(runs):
        start = time.perf_counter()
        for number, data in enumerate(files):
            write_atomic(out.parent / f"floor-{number}", data)
        rewrite.append(time.perf_counter() - start)
    return imports, rewrite


def _fmt(values: list[float]) -> str:
    return ", ".join(f"{v:.3f}" for v in values)


if __name__ == "__main__":
    sys.exit(main())
