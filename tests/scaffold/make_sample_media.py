"""Generate the sample repository's illustrations, the CM Bordeaux logo and the starter image.

These are flat illustrations drawn with Pillow, with a light grain so that they compress like
photos. Everything is deterministic (fixed seeds, no clock), so running the script again gives the
same pictures. The results are committed; run this only to change them:

    python tests/scaffold/make_sample_media.py

Not a test module (pytest collects only ``test_*.py``).
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from pathlib import Path

from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageFont

ROOT = Path(__file__).resolve().parents[2]
FONT_BOLD = ROOT / "brand" / "assets" / "fonts" / "DejaVuSans-Bold.ttf"

RGB = tuple[int, int, int]
BLUE: RGB = (0x1F, 0x4E, 0x79)
TERRACOTTA: RGB = (0xE0, 0x7A, 0x5F)
CREAM: RGB = (0xF7, 0xF3, 0xEE)
INK: RGB = (0x1B, 0x1B, 0x1F)
GOLD: RGB = (0xE9, 0xC4, 0x6A)
STONE: RGB = (0xD9, 0xC8, 0xA9)
WOOD: RGB = (0x9C, 0x6B, 0x45)
SKIN: tuple[RGB, ...] = (
    (0xF1, 0xC2, 0x9C),
    (0xC6, 0x8B, 0x62),
    (0x8D, 0x5A, 0x3B),
    (0xE8, 0xB4, 0x8A),
)
CLOTHES: tuple[RGB, ...] = (BLUE, TERRACOTTA, (0x3D, 0x7A, 0x5C), (0x6B, 0x4C, 0x9A), GOLD, INK)

MAX_BYTES = 800_000


def mix(a: RGB, b: RGB, t: float) -> RGB:
    """The colour at `t` (0..1) between `a` and `b`."""
    return (
        round(a[0] + (b[0] - a[0]) * t),
        round(a[1] + (b[1] - a[1]) * t),
        round(a[2] + (b[2] - a[2]) * t),
    )


def gradient(size: tuple[int, int], top: RGB, bottom: RGB) -> Image.Image:
    """A vertical gradient from `top` to `bottom`."""
    column = Image.new("RGB", (1, 256))
    for y in range(256):
        column.putpixel((0, y), mix(top, bottom, y / 255))
    return column.resize(size, Image.Resampling.BILINEAR)


def grain(image: Image.Image, seed: int, amount: int = 5) -> Image.Image:
    """Add a fine, deterministic, slightly soft noise, as a camera sensor would."""
    rng = random.Random(seed)
    w, h = image.size
    noise = Image.frombytes("L", (w, h), rng.randbytes(w * h))
    noise = noise.point(lambda v: 128 + (v - 128) * amount // 128)
    noise = noise.filter(ImageFilter.GaussianBlur(0.6))
    return ImageChops.add(image, Image.merge("RGB", (noise, noise, noise)), scale=1.0, offset=-128)


def person(
    draw: ImageDraw.ImageDraw, x: int, y: int, scale: float, skin: RGB, clothes: RGB
) -> None:
    """A simple bust: shoulders and a head, centred on x, head top at y."""
    head = int(90 * scale)
    draw.ellipse((x - head // 2, y, x + head // 2, y + head), fill=skin)
    draw.pieslice(
        (x - head // 2 - 4, y - 6, x + head // 2 + 4, y + head // 2),
        180,
        360,
        fill=mix(INK, clothes, 0.2),
    )
    body_top = y + head - int(8 * scale)
    draw.rounded_rectangle(
        (x - int(95 * scale), body_top, x + int(95 * scale), body_top + int(260 * scale)),
        radius=int(60 * scale),
        fill=clothes,
    )


def font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(FONT_BOLD), size)


def bokeh(image: Image.Image, rng: random.Random, count: int, colors: tuple[RGB, ...]) -> None:
    """Soft out-of-focus lights in the background."""
    layer = Image.new("RGB", image.size, (0, 0, 0))
    draw = ImageDraw.Draw(layer)
    w, h = image.size
    for _ in range(count):
        r = rng.randint(w // 40, w // 12)
        cx, cy = rng.randint(0, w), rng.randint(0, h)
        c = rng.choice(colors)
        draw.ellipse((cx - r, cy - r, cx + r, cy + r), fill=mix((0, 0, 0), c, 0.55))
    layer = layer.filter(ImageFilter.GaussianBlur(w / 120))
    image.paste(ImageChops.screen(image, layer))


# --- Scenes -------------------------------------------------------------------------------------


def salle_formation(rng: random.Random) -> Image.Image:
    w, h = 3000, 2000
    img = gradient((w, h), (0xE9, 0xE1, 0xD3), (0xCF, 0xC2, 0xAE))
    d = ImageDraw.Draw(img)
    # a tall window on the river
    d.rectangle((180, 160, 1180, 1150), fill=(0xF2, 0xEE, 0xE6))
    d.rectangle((210, 190, 1150, 1120), fill=(0x9C, 0xC3, 0xDD))
    d.rectangle((210, 860, 1150, 1120), fill=(0x4E, 0x7D, 0x9E))
    d.rectangle((210, 760, 1150, 860), fill=STONE)
    d.line((680, 190, 680, 1120), fill=(0xF2, 0xEE, 0xE6), width=24)
    d.line((210, 655, 1150, 655), fill=(0xF2, 0xEE, 0xE6), width=24)
    # a whiteboard
    d.rectangle(
        (1500, 260, 2750, 960), fill=(0xFB, 0xFB, 0xF8), outline=(0x9A, 0x9A, 0xA0), width=14
    )
    for i in range(5):
        y = 360 + i * 110
        d.line((1600, y, 1600 + rng.randint(500, 1000), y), fill=BLUE, width=16)
    # six trainees behind a long table
    for i in range(6):
        x = 330 + i * 470
        person(d, x, 930 + rng.randint(-30, 30), 1.6, SKIN[i % 4], CLOTHES[i % len(CLOTHES)])
    d.rectangle((0, 1400, w, 1520), fill=WOOD)
    d.rectangle((0, 1520, w, h), fill=mix(WOOD, INK, 0.45))
    for i in range(6):
        x = 330 + i * 470
        d.polygon(
            [(x - 170, 1410), (x + 170, 1410), (x + 140, 1190), (x - 140, 1190)],
            fill=(0x5F, 0x63, 0x6B),
        )
        d.ellipse((x - 16, 1285, x + 16, 1317), fill=(0xC8, 0xCC, 0xD2))
    return img


def atelier_post_it(rng: random.Random) -> Image.Image:
    w, h = 2400, 2400
    img = gradient((w, h), (0xEF, 0xEA, 0xE2), (0xD8, 0xD0, 0xC4))
    colors: tuple[RGB, ...] = (
        (0xF7, 0xDC, 0x6F),
        (0xF2, 0xA7, 0xB5),
        (0x8E, 0xC5, 0xE8),
        (0xA8, 0xD8, 0x9E),
    )
    for col in range(5):
        for row in range(5):
            note = Image.new("RGBA", (360, 360), (0, 0, 0, 0))
            nd = ImageDraw.Draw(note)
            c = rng.choice(colors)
            nd.rectangle((20, 20, 340, 340), fill=(*mix(c, INK, 0.15), 255))
            nd.rectangle((10, 10, 330, 330), fill=(*c, 255))
            for k in range(rng.randint(2, 4)):
                y = 80 + k * 60
                nd.line((50, y, 50 + rng.randint(120, 240), y), fill=(*INK, 200), width=10)
            note = note.rotate(rng.uniform(-6, 6), resample=Image.Resampling.BICUBIC, expand=True)
            img.paste(note, (140 + col * 430 + rng.randint(-15, 15), 140 + row * 430), note)
    return img


def temoignage_portrait(rng: random.Random) -> Image.Image:
    w, h = 2000, 3000
    img = gradient((w, h), (0x5B, 0x4A, 0x45), (0x2E, 0x2A, 0x33))
    bokeh(img, rng, 40, (GOLD, TERRACOTTA, CREAM))
    d = ImageDraw.Draw(img)
    # shoulders and a terracotta jumper
    d.rounded_rectangle((300, 2050, 1700, 3300), radius=420, fill=TERRACOTTA)
    d.polygon([(860, 2050), (1140, 2050), (1000, 2260)], fill=SKIN[1])
    d.rectangle((900, 1750, 1100, 2120), fill=SKIN[1])
    # face and dark hair tied back
    d.ellipse((700, 1000, 1300, 1850), fill=SKIN[1])
    d.pieslice((670, 940, 1330, 1620), 180, 360, fill=(0x3A, 0x24, 0x1A))
    d.ellipse((1180, 900, 1420, 1140), fill=(0x3A, 0x24, 0x1A))
    d.ellipse((840, 1380, 900, 1420), fill=INK)
    d.ellipse((1100, 1380, 1160, 1420), fill=INK)
    d.arc((880, 1520, 1120, 1700), 20, 160, fill=(0x8A, 0x3B, 0x2E), width=14)
    return img


def cite_numerique(rng: random.Random) -> Image.Image:
    w, h = 3000, 2000
    img = gradient((w, h), (0x1B, 0x2A, 0x4A), (0xE8, 0x9B, 0x6C))
    d = ImageDraw.Draw(img)
    d.rectangle((300, 520, 2700, 1700), fill=(0x3B, 0x3F, 0x4C))
    for col in range(12):
        for row in range(4):
            lit = rng.random() < 0.7
            x, y = 380 + col * 190, 600 + row * 230
            d.rectangle((x, y, x + 140, y + 170), fill=GOLD if lit else (0x2A, 0x2E, 0x3A))
    d.rectangle((1300, 1400, 1700, 1700), fill=(0xFF, 0xE3, 0xA3))
    d.rectangle((0, 1700, w, h), fill=(0x55, 0x52, 0x57))
    for i in range(7):
        x = 700 + i * 240 + rng.randint(-40, 40)
        d.ellipse((x - 28, 1520, x + 28, 1576), fill=INK)
        d.rounded_rectangle((x - 45, 1570, x + 45, 1800), radius=30, fill=INK)
    return img


def meetup_scene(rng: random.Random) -> Image.Image:
    w, h = 3000, 1688
    img = gradient((w, h), (0x22, 0x20, 0x2A), (0x10, 0x10, 0x16))
    d = ImageDraw.Draw(img)
    d.rectangle((900, 150, 2500, 1050), fill=(0xF4, 0xF1, 0xEA))
    for i, height in enumerate((220, 340, 300, 480, 620)):
        x = 1080 + i * 260
        d.rectangle((x, 950 - height, x + 160, 950), fill=TERRACOTTA if i == 4 else BLUE)
    d.rectangle((400, 900, 620, 1300), fill=(0x3A, 0x3A, 0x44))
    person(d, 720, 700, 1.7, SKIN[2], (0x6B, 0x4C, 0x9A))
    for row in range(3):
        for k in range(14):
            x = k * 230 + (115 if row % 2 else 0) + rng.randint(-20, 20)
            y = 1330 + row * 150
            d.ellipse((x - 80, y, x + 80, y + 170), fill=mix(INK, (0x30, 0x2C, 0x38), row / 3))
    return img


def calendrier_editorial(rng: random.Random) -> Image.Image:
    w, h = 2400, 2400
    img = gradient((w, h), mix(WOOD, CREAM, 0.35), mix(WOOD, INK, 0.1))
    d = ImageDraw.Draw(img)
    for i in range(0, h, 90):
        d.line(
            (0, i + rng.randint(-6, 6), w, i + rng.randint(-6, 6)),
            fill=mix(WOOD, INK, 0.2),
            width=3,
        )
    d.rectangle((330, 330, 1830, 2030), fill=(0xFB, 0xFA, 0xF6))
    d.rectangle((330, 330, 1830, 520), fill=BLUE)
    for col in range(7):
        for row in range(5):
            x, y = 380 + col * 205, 570 + row * 290
            d.rectangle((x, y, x + 185, y + 270), outline=(0xC9, 0xC3, 0xB8), width=5)
            roll = rng.random()
            if roll < 0.3:
                d.rectangle((x + 15, y + 120, x + 170, y + 180), fill=TERRACOTTA)
            elif roll < 0.55:
                d.rectangle((x + 15, y + 120, x + 170, y + 180), fill=BLUE)
    d.ellipse((1900, 1700, 2250, 2050), fill=(0xF2, 0xEE, 0xE6))
    d.ellipse((1950, 1750, 2200, 2000), fill=(0x4B, 0x2E, 0x1E))
    d.line((1950, 500, 2150, 1400), fill=INK, width=34)
    return img


def quai_chartrons(rng: random.Random) -> Image.Image:
    w, h = 3000, 2000
    img = gradient((w, h), (0x2B, 0x3F, 0x6B), (0xF0, 0xB2, 0x7A))
    d = ImageDraw.Draw(img)
    x = 0
    while x < w:
        fw = rng.randint(260, 420)
        top = rng.randint(430, 620)
        d.rectangle(
            (x, top, x + fw - 8, 1200), fill=mix(STONE, (0x8A, 0x7E, 0x9A), rng.uniform(0.1, 0.4))
        )
        for wx in range(x + 40, x + fw - 60, 90):
            for wy in range(top + 60, 1120, 150):
                d.rectangle(
                    (wx, wy, wx + 44, wy + 90),
                    fill=GOLD if rng.random() < 0.45 else (0x4A, 0x45, 0x55),
                )
        x += fw
    d.rectangle((0, 1200, w, 1260), fill=(0x6E, 0x6A, 0x6C))
    for i in range(9):
        lx = 160 + i * 340
        d.line((lx, 1010, lx, 1200), fill=INK, width=12)
        d.ellipse((lx - 26, 985, lx + 26, 1037), fill=(0xFF, 0xE9, 0xB0))
    river = img.crop((0, 560, w, 1260)).transpose(Image.Transpose.FLIP_TOP_BOTTOM)
    river = river.resize((w, h - 1260)).filter(ImageFilter.GaussianBlur(10))
    river = Image.blend(river, Image.new("RGB", river.size, (0x22, 0x3A, 0x5C)), 0.45)
    img.paste(river, (0, 1260))
    return img


def bilan_2026(rng: random.Random) -> Image.Image:
    w, h = 2000, 3000
    img = gradient((w, h), BLUE, (0x12, 0x2E, 0x48))
    d = ImageDraw.Draw(img)
    for _ in range(260):
        cx, cy = rng.randint(0, w), rng.randint(0, h)
        r = rng.randint(8, 22)
        d.ellipse((cx - r, cy - r, cx + r, cy + r), fill=rng.choice((GOLD, TERRACOTTA, CREAM)))
    d.text((w // 2, 620), "2026", font=font(380), fill=CREAM, anchor="mm")
    for i, height in enumerate((420, 640, 820, 1060, 1320)):
        x = 230 + i * 320
        d.rectangle((x, 2600 - height, x + 220, 2600), fill=TERRACOTTA)
    d.rectangle((160, 2600, 1840, 2630), fill=CREAM)
    return img


def voeux_2027(rng: random.Random) -> Image.Image:
    w, h = 2400, 2400
    img = gradient((w, h), (0x0E, 0x1A, 0x33), BLUE)
    d = ImageDraw.Draw(img)
    for cx, cy, radius, color in (
        (620, 620, 420, GOLD),
        (1750, 520, 360, TERRACOTTA),
        (1250, 1050, 300, CREAM),
    ):
        for k in range(36):
            a = 2 * math.pi * k / 36 + rng.uniform(-0.04, 0.04)
            r0, r1 = radius * 0.25, radius * rng.uniform(0.8, 1.0)
            d.line(
                (
                    cx + r0 * math.cos(a),
                    cy + r0 * math.sin(a),
                    cx + r1 * math.cos(a),
                    cy + r1 * math.sin(a),
                ),
                fill=color,
                width=12,
            )
            d.ellipse(
                (
                    cx + r1 * math.cos(a) - 14,
                    cy + r1 * math.sin(a) - 14,
                    cx + r1 * math.cos(a) + 14,
                    cy + r1 * math.sin(a) + 14,
                ),
                fill=color,
            )
    d.text((w // 2, 1820), "2027", font=font(520), fill=CREAM, anchor="mm")
    return img


def moderation_smartphone(rng: random.Random) -> Image.Image:
    w, h = 800, 600
    img = gradient((w, h), mix(WOOD, CREAM, 0.4), WOOD)
    d = ImageDraw.Draw(img)
    d.rounded_rectangle((270, 40, 530, 580), radius=36, fill=INK)
    d.rounded_rectangle((285, 80, 515, 540), radius=14, fill=(0xF4, 0xF4, 0xF6))
    y = 100
    for i in range(6):
        mine = i % 2 == 1
        bw = rng.randint(110, 170)
        x0 = 500 - bw if mine else 300
        color: RGB = (0xFA, 0xD4, 0xD0) if i == 3 else (BLUE if mine else (0xDD, 0xDD, 0xE3))
        d.rounded_rectangle((x0, y, x0 + bw, y + 54), radius=18, fill=color)
        if i == 3:
            d.rounded_rectangle(
                (x0, y, x0 + bw, y + 54), radius=18, outline=(0xC0, 0x39, 0x2B), width=5
            )
        y += 72
    return img


def pin_conseils(rng: random.Random) -> Image.Image:
    w, h = 2000, 3000
    img = gradient((w, h), CREAM, (0xEA, 0xE2, 0xD6))
    d = ImageDraw.Draw(img)
    d.rectangle((0, 0, w, 90), fill=BLUE)
    title = ("Un calendrier", "éditorial", "en 5 étapes")
    for i, line in enumerate(title):
        d.text((160, 300 + i * 230), line, font=font(180), fill=BLUE)
    for i in range(5):
        y = 1150 + i * 330
        d.ellipse((160, y, 400, y + 240), fill=TERRACOTTA)
        d.text((280, y + 120), str(i + 1), font=font(150), fill=CREAM, anchor="mm")
        d.rounded_rectangle(
            (470, y + 70, 470 + rng.randint(900, 1300), y + 170), radius=40, fill=(0xD8, 0xD0, 0xC2)
        )
    d.rectangle((0, h - 90, w, h), fill=BLUE)
    return img


def welcome(rng: random.Random) -> Image.Image:
    """The starter repository's image: neutral, no brand.

    Large enough for every starter channel's recommended size once cropped (X: 1600×900), so that
    the starter builds without a warning.
    """
    s = 1.5
    w, h = 1800, 1200
    img = gradient((w, h), (0xBF, 0xDD, 0xF2), (0xEE, 0xF6, 0xFB))
    d = ImageDraw.Draw(img)
    d.ellipse((850 * s, 110 * s, 1030 * s, 290 * s), fill=(0xF6, 0xD3, 0x5B))
    for i, color in enumerate(((0x8C, 0xC0, 0x84), (0x5E, 0x9E, 0x62), (0x3E, 0x7A, 0x48))):
        base = (470 + i * 110) * s
        points = [
            (x, base + 90 * math.sin(x / s / (180 + 40 * i) + i * 1.7 + rng.random() * 0.2))
            for x in range(0, w + 30, 30)
        ]
        d.polygon([*points, (w, h), (0, h)], fill=color)
    return img


SCENES: dict[str, tuple[Callable[[random.Random], Image.Image], int]] = {
    "media/salle-formation.jpg": (salle_formation, 101),
    "media/atelier-post-it.jpg": (atelier_post_it, 102),
    "media/temoignage-portrait.jpg": (temoignage_portrait, 103),
    "media/cite-numerique.jpg": (cite_numerique, 104),
    "media/meetup-scene.jpg": (meetup_scene, 105),
    "media/calendrier-editorial.jpg": (calendrier_editorial, 106),
    "media/quai-chartrons.jpg": (quai_chartrons, 107),
    "media/bilan-2026.jpg": (bilan_2026, 108),
    "media/voeux-2027.jpg": (voeux_2027, 109),
    "media/moderation-smartphone.jpg": (moderation_smartphone, 110),
    "media/pin-calendrier-editorial.jpg": (pin_conseils, 111),
    "cmbuild/scaffold/media/welcome.jpg": (welcome, 201),
}


def save_jpeg(image: Image.Image, path: Path, seed: int) -> int:
    """Encode with grain, lowering the quality until the file is under MAX_BYTES."""
    photo = grain(image, seed)
    path.parent.mkdir(parents=True, exist_ok=True)
    for quality in (84, 80, 76, 72, 68, 64):
        photo.save(path, "JPEG", quality=quality, optimize=True, progressive=True)
        if path.stat().st_size < MAX_BYTES:
            break
    return path.stat().st_size


def logo(path: Path) -> None:
    """CM Bordeaux: « CM » over a Garonne wave, on a rounded blue square (transparent corners)."""
    size = 600
    scale = 4  # drawn large, then reduced, for smooth edges
    big = Image.new("RGBA", (size * scale, size * scale), (0, 0, 0, 0))
    d = ImageDraw.Draw(big)
    s = size * scale
    d.rounded_rectangle((0, 0, s - 1, s - 1), radius=s // 6, fill=(*BLUE, 255))
    d.text((s // 2, int(s * 0.42)), "CM", font=font(int(s * 0.42)), fill=(*CREAM, 255), anchor="mm")
    for k, color in enumerate((TERRACOTTA, CREAM)):
        base = s * (0.74 + 0.09 * k)
        r = s * 0.02  # half the stroke: the wave is a trail of discs, for round, smooth edges
        for x in range(int(s * 0.14), int(s * 0.86), 2):
            y = base + s * 0.035 * math.sin(2 * math.pi * x / (s * 0.42) + k * 0.9)
            d.ellipse((x - r, y - r, x + r, y + r), fill=(*color, 255))
    big.resize((size, size), Image.Resampling.LANCZOS).save(path, "PNG", optimize=True)


def main() -> None:
    for relative, (scene, seed) in SCENES.items():
        path = ROOT / relative
        size = save_jpeg(scene(random.Random(seed)), path, seed)
        with Image.open(path) as check:
            print(f"{relative}: {check.width}x{check.height}, {size // 1024} KB")
    logo_path = ROOT / "brand" / "assets" / "logo.png"
    logo(logo_path)
    print(f"{logo_path.relative_to(ROOT)}: {logo_path.stat().st_size // 1024} KB")


if __name__ == "__main__":
    main()
