"""Image stage benchmark: 200 photo-like 3000×2000 JPEGs → the variants of 8 channels.

Prints the cold build (every variant rendered), the no-op rebuild (nothing changed), the rebuild
after one photo changed, and peak memory, next to a straight Pillow baseline run in the same
session on the same number of processes (open, Lanczos resize to each variant's size, save), so
that the speed-up is a ratio that holds from one machine to another.

    python bench/images.py [--sources 200] [--workers 2]

Targets (2-core machine): cold ≥ 40 variants/s, no-op ≤ 0.3 s.
"""

from __future__ import annotations

import argparse
import io
import json
import multiprocessing
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cmbuild.images import ImageJob

ROOT = Path(__file__).resolve().parent.parent
CHANNELS: list[tuple[str, str, tuple[tuple[str, str], ...]]] = [
    ("x-bench", "x", ()),
    ("mastodon-bench", "mastodon", ()),
    ("bluesky-bench", "bluesky", ()),
    ("threads-bench", "threads", ()),
    ("linkedin-bench", "linkedin", ()),
    ("facebook-bench", "facebook", ()),
    ("instagram-bench", "instagram", (("image_format", "portrait"),)),
    ("pinterest-bench", "pinterest", ()),
]
SIZE = (3000, 2000)


def _base_picture(seed: int) -> object:
    """Photo-like: soft colour fields, shapes and sensor grain (compresses like a photo)."""
    from PIL import Image, ImageChops, ImageDraw, ImageFilter

    rng = random.Random(seed)
    small = Image.new("RGB", (30, 20))
    small.putdata([tuple(rng.randrange(40, 230) for _ in range(3)) for _ in range(600)])
    picture = small.resize(SIZE, Image.Resampling.BICUBIC)
    draw = ImageDraw.Draw(picture)
    for _ in range(30):
        x, y, r = rng.randrange(SIZE[0]), rng.randrange(SIZE[1]), rng.randrange(30, 260)
        draw.ellipse((x - r, y - r, x + r, y + r), fill=tuple(rng.randrange(256) for _ in range(3)))
    picture = picture.filter(ImageFilter.GaussianBlur(2))
    noise = Image.frombytes("L", SIZE, rng.randbytes(SIZE[0] * SIZE[1]))
    noise = noise.point(lambda v: 128 + (v - 128) * 10 // 128)
    return ImageChops.add(picture, Image.merge("RGB", (noise, noise, noise)), offset=-128)


def _make_source(args: tuple[Path, int, int]) -> None:
    from PIL import Image, ImageDraw

    folder, number, bases = args
    picture = _base_picture(number % bases)
    assert isinstance(picture, Image.Image)
    rng = random.Random(1000 + number)
    draw = ImageDraw.Draw(picture)
    for _ in range(6):  # every file differs, so no two sources share a digest
        x, y = rng.randrange(SIZE[0] - 400), rng.randrange(SIZE[1] - 300)
        color = tuple(rng.randrange(256) for _ in range(3))
        draw.rectangle((x, y, x + rng.randrange(50, 400), y + rng.randrange(50, 300)), fill=color)
    picture.save(folder / f"photo-{number:03d}.jpg", quality=90)


def _retouch(path: Path) -> None:
    """A new version of one photo: a small mark drawn on it."""
    from PIL import Image, ImageDraw

    with Image.open(path) as image:
        image.load()
    ImageDraw.Draw(image).rectangle((100, 100, 400, 300), fill=(250, 250, 250))
    image.save(path, quality=90)


def make_repository(root: Path, sources: int, workers: int) -> None:
    (root / "media").mkdir(parents=True)
    shutil.copytree(ROOT / "brand" / "assets", root / "brand" / "assets")
    shutil.copy(ROOT / "brand" / "charter.toml", root / "brand" / "charter.toml")
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        pool.map(_make_source, [(root / "media", n, 8) for n in range(sources)])


def jobs_for(root: Path) -> list[ImageJob]:
    from cmbuild.images import ImageJob

    jobs: list[ImageJob] = []
    for source in sorted((root / "media").glob("*.jpg")):
        for channel, platform, options in CHANNELS:
            jobs.append(
                ImageJob(
                    variant_id=f"{source.stem}#{channel}",
                    channel=channel,
                    platform=platform,
                    options=options,
                    source=f"media/{source.name}",
                    focus=(0.5, 0.5),
                    alt="Une photo de test.",
                    title=source.stem,
                    output=f"{channel}/{source.stem}-1",
                    post=f"posts/{source.stem}.md",
                    line=5,
                )
            )
    return jobs


def run_stage(root: Path, workers: int) -> dict[str, float]:
    """One build of the image stage, timed in this (fresh) process."""
    from cmbuild.images import process_images
    from cmbuild.load.charter import load_charter

    charter = load_charter(root, None)  # the build has it loaded when its image stage runs
    started = time.perf_counter()
    jobs = jobs_for(root)
    out = root / "output"
    result = process_images(
        root,
        out,
        jobs,
        charter,
        workers=workers,
        cache_dir=out / ".cmbuild",
    )
    elapsed = time.perf_counter() - started
    if result.errors:
        raise SystemExit("\n".join(str(e) for e in result.errors))
    sizes = sorted({(m.width, m.height) for ms in result.media.values() for m in ms})
    return {
        "seconds": elapsed,
        "variants": sum(len(m) for m in result.media.values()),
        "encoded": result.encoded,
        "written": len(result.written),
        "rss_mb": _peak_rss_mb(),
        "sizes": json.dumps(sizes),  # type: ignore[dict-item]
    }


def _peak_rss_mb() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, children) / 1024


def _baseline_one(args: tuple[str, int, int, str]) -> None:
    from PIL import Image

    source, width, height, _ = args
    with Image.open(source) as image:
        resized = image.resize((width, height), Image.Resampling.LANCZOS)
    resized.save(io.BytesIO(), "JPEG", quality=85)


def run_baseline(root: Path, workers: int, outputs: dict[str, list[tuple[int, int]]]) -> float:
    """Straight Pillow: each variant opens its source, resizes it (Lanczos) and saves a JPEG."""
    work = [
        (str(root / "media" / name), w, h, name)
        for name, sizes in sorted(outputs.items())
        for w, h in sizes
    ]
    started = time.perf_counter()
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        pool.map(_baseline_one, work, chunksize=4)
    return len(work) / (time.perf_counter() - started)


def _in_child(root: Path, workers: int) -> dict[str, float]:
    command = [sys.executable, __file__, "--stage", str(root), "--workers", str(workers)]
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"stage failed:\n{done.stderr[-3000:]}")
    figures: dict[str, float] = json.loads(done.stdout)
    figures["process"] = time.perf_counter() - started
    return figures


def _output_sizes(root: Path) -> dict[str, list[tuple[int, int]]]:
    from PIL import Image

    found: dict[str, list[tuple[int, int]]] = {}
    for source in sorted((root / "media").glob("*.jpg")):
        found[source.name] = []
        for channel, _, _ in CHANNELS:
            with Image.open(root / "output" / channel / f"{source.stem}-1.jpg") as image:
                found[source.name].append(image.size)
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sources", type=int, default=200)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--stage", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.stage is not None:
        print(json.dumps(run_stage(args.stage, args.workers)))
        return 0
    with tempfile.TemporaryDirectory(prefix="cmbuild-images-") as temp:
        root = Path(temp) / "repo"
        started = time.perf_counter()
        make_repository(root, args.sources, args.workers)
        print(
            f"generated {args.sources} sources of {SIZE[0]}×{SIZE[1]} in"
            f" {time.perf_counter() - started:.1f} s"
        )
        cold = _in_child(root, args.workers)
        warm = _in_child(root, args.workers)
        _retouch(root / "media" / "photo-007.jpg")
        one = _in_child(root, args.workers)
        baseline = run_baseline(root, args.workers, _output_sizes(root))
    rate = cold["variants"] / cold["seconds"]
    print(f"channels: {', '.join(p for _, p, _ in CHANNELS)}; output sizes: {cold['sizes']}")
    print(
        f"cold build      {cold['seconds']:7.2f} s  {cold['variants']:.0f} variants"
        f" ({cold['encoded']:.0f} distinct encodes)  {rate:6.1f} variants/s"
    )
    print(
        f"Pillow baseline {'':7}    {'':4} same variants, {args.workers} processes"
        f"      {baseline:6.1f} variants/s  → speed-up ×{rate / baseline:.2f}"
    )
    print(
        f"no-op rebuild   {warm['seconds']:7.3f} s  (stage call; whole process with imports"
        f" {warm['process']:.2f} s), {warm['encoded']:.0f} encoded"
    )
    print(
        f"one photo new   {one['seconds']:7.3f} s  {one['encoded']:.0f} encoded,"
        f" {one['written']:.0f} written"
    )
    print(f"peak RSS        {cold['rss_mb']:7.0f} MB (largest single process, cold build)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
