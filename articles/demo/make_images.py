"""Generate the lead images of the demo stories.

Every picture is an abstract illustration drawn with Pillow: gradients and a few
simple shapes that evoke the subject of a story. The output is deterministic, so
running the script again rewrites the same files.

Usage: python articles/demo/make_images.py
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter

IMAGES_DIR = Path(__file__).resolve().parent / "images"
SCALE = 2  # Draw at twice the size, then downsample for smooth edges.
QUALITY = 80
MAX_BYTES = 150 * 1024

# The one file stored rotated with an EXIF Orientation tag and GPS metadata.
EXIF_FILE = "hula-valley-cranes.jpg"
ORIENTATION_TAG = 0x0112
GPS_IFD_TAG = 0x8825

Color = tuple[int, int, int]
Painter = Callable[[Image.Image, random.Random], None]


# Drawing helpers ------------------------------------------------------------


def vertical_gradient(size: tuple[int, int], top: Color, bottom: Color) -> Image.Image:
    """Return an RGB image fading from ``top`` to ``bottom``."""
    mask = Image.linear_gradient("L").resize(size, Image.Resampling.BICUBIC)
    return Image.composite(Image.new("RGB", size, bottom), Image.new("RGB", size, top), mask)


def glow(img: Image.Image, center: tuple[int, int], radius: int, color: Color) -> None:
    """Blend a soft radial glow of ``color`` into ``img`` around ``center``."""
    mask = Image.radial_gradient("L").resize((radius * 2, radius * 2), Image.Resampling.BICUBIC)
    mask = mask.point(lambda v: max(0, 255 - v * 2) if v < 128 else 0)
    layer = Image.new("RGB", mask.size, color)
    img.paste(layer, (center[0] - radius, center[1] - radius), mask)


def ridge(
    rng: random.Random, width: int, base: int, amplitude: int, waves: int = 3
) -> list[tuple[int, int]]:
    """Return the points of a smooth hill line across the full width."""
    phases = [rng.uniform(0, math.tau) for _ in range(waves)]
    points = []
    for x in range(0, width + 20, 20):
        y = base
        for k, phase in enumerate(phases, start=1):
            y += amplitude / k * math.sin(x / width * math.pi * (k + 0.5) + phase)
        points.append((x, int(y)))
    return points


def hills(
    draw: ImageDraw.ImageDraw,
    rng: random.Random,
    size: tuple[int, int],
    base: int,
    amplitude: int,
    color: Color,
) -> None:
    """Fill the area under a ridge line with ``color``."""
    width, height = size
    points = ridge(rng, width, base, amplitude)
    draw.polygon([*points, (width, height), (0, height)], fill=color)


def circle(draw: ImageDraw.ImageDraw, x: float, y: float, r: float, fill: Color) -> None:
    draw.ellipse((x - r, y - r, x + r, y + r), fill=fill)


# One painter per story --------------------------------------------------------


def desalination(img: Image.Image, rng: random.Random) -> None:
    w, h = img.size
    img.paste(vertical_gradient((w, h), (120, 190, 230), (235, 244, 250)))
    draw = ImageDraw.Draw(img)
    glow(img, (int(w * 0.8), int(h * 0.25)), h // 4, (255, 236, 180))
    circle(draw, w * 0.8, h * 0.25, h * 0.07, (255, 226, 150))
    sea_top = int(h * 0.62)
    draw.rectangle((0, sea_top, w, h), fill=(40, 120, 170))
    for i in range(12):
        y = sea_top + 30 + i * (h - sea_top) // 12
        draw.line((0, y, w, y + rng.randint(-8, 8)), fill=(70, 150, 195), width=6)
    for i, x in enumerate(range(int(w * 0.12), int(w * 0.62), int(w * 0.1))):
        top = sea_top - int(h * (0.16 + 0.04 * (i % 2)))
        draw.rectangle((x, top, x + int(w * 0.08), sea_top), fill=(225, 230, 235))
        draw.rectangle((x, top, x + int(w * 0.08), top + 14), fill=(30, 110, 160))
    draw.rectangle((int(w * 0.1), sea_top - 24, int(w * 0.66), sea_top), fill=(190, 198, 205))
    for i in range(3):
        y = sea_top + 50 + i * 40
        draw.line((int(w * 0.3), y, w, y - 10), fill=(20, 70, 110), width=14)


def galilee_trail(img: Image.Image, rng: random.Random) -> None:
    w, h = img.size
    img.paste(vertical_gradient((w, h), (250, 214, 160), (200, 228, 240)))
    draw = ImageDraw.Draw(img)
    glow(img, (int(w * 0.25), int(h * 0.3)), h // 3, (255, 240, 200))
    layers = [(0.45, (150, 175, 150)), (0.55, (105, 145, 105)), (0.68, (70, 115, 75))]
    for base, color in layers:
        hills(draw, rng, (w, h), int(h * base), int(h * 0.07), color)
    draw.polygon(
        [(w * 0.46, h * 0.7), (w * 0.5, h * 0.7), (w * 0.68, h), (w * 0.3, h)],
        fill=(214, 190, 140),
    )
    for _ in range(14):
        x = rng.uniform(0, w)
        if w * 0.25 < x < w * 0.72:
            continue
        y = rng.uniform(h * 0.72, h * 0.95)
        draw.rectangle((x - 12, y, x + 12, y + 100), fill=(90, 70, 50))
        circle(draw, x, y - 20, rng.uniform(70, 110), (45, 95, 55))


def startup_skyline(img: Image.Image, rng: random.Random) -> None:
    w, h = img.size
    img.paste(vertical_gradient((w, h), (40, 40, 90), (240, 150, 110)))
    draw = ImageDraw.Draw(img)
    x = 0
    while x < w:
        bw = rng.randint(w // 16, w // 8)
        top = rng.randint(int(h * 0.3), int(h * 0.7))
        shade = rng.randint(35, 60)
        draw.rectangle((x, top, x + bw, h), fill=(shade, shade, shade + 30))
        for wy in range(top + 30, h - 20, 50):
            for wx in range(x + 20, x + bw - 20, 40):
                if rng.random() < 0.35:
                    draw.rectangle((wx, wy, wx + 16, wy + 22), fill=(255, 214, 130))
        x += bw + rng.randint(4, 20)
    for i in range(6):
        px = int(w * 0.08) + i * int(w * 0.15)
        draw.polygon(
            [
                (px, h * 0.92),
                (px + w * 0.12, h * 0.92),
                (px + w * 0.1, h * 0.82),
                (px + w * 0.02, h * 0.82),
            ],
            fill=(30, 70, 140),
            outline=(150, 190, 240),
        )


def archaeology(img: Image.Image, rng: random.Random) -> None:
    w, h = img.size
    img.paste(vertical_gradient((w, h), (245, 232, 205), (205, 170, 120)))
    draw = ImageDraw.Draw(img)
    for i in range(7):
        y = int(h * 0.45) + i * int(h * 0.08)
        hills(draw, rng, (w, h), y, 12, (200 - i * 12, 165 - i * 12, 115 - i * 10))
    cx, cy = w * 0.5, h * 0.58
    u = w / 1600  # one pixel of the final 1600-wide picture
    draw.rectangle((cx - 260 * u, cy - 120 * u, cx + 260 * u, cy + 260 * u), fill=(225, 205, 165))
    draw.ellipse((cx - 170 * u, cy - 280 * u, cx + 170 * u, cy + 60 * u), fill=(150, 120, 85))
    draw.rectangle((cx - 170 * u, cy - 110 * u, cx + 170 * u, cy + 260 * u), fill=(150, 120, 85))
    for row in range(5):
        for col in range(4):
            x0 = cx + (-260 + col * 130 + (row % 2) * 40) * u
            y0 = cy + (-120 + row * 76) * u
            draw.rectangle((x0, y0, x0 + 120 * u, y0 + 70 * u), outline=(185, 160, 120), width=6)
    for _ in range(9):
        x, y = rng.uniform(w * 0.05, w * 0.3), rng.uniform(h * 0.7, h * 0.95)
        r = rng.uniform(50, 100)
        draw.pieslice(
            (x - r, y - r, x + r, y + r),
            rng.randint(0, 180),
            rng.randint(200, 340),
            fill=(170, 90, 60),
        )


def heatwave(img: Image.Image, rng: random.Random) -> None:
    w, h = img.size
    img.paste(vertical_gradient((w, h), (250, 120, 60), (255, 222, 140)))
    draw = ImageDraw.Draw(img)
    glow(img, (w // 2, int(h * 0.4)), int(h * 0.45), (255, 240, 170))
    circle(draw, w / 2, h * 0.4, h * 0.16, (255, 250, 215))
    hills(draw, rng, (w, h), int(h * 0.78), int(h * 0.04), (205, 130, 70))
    for i in range(5):
        y = h * 0.84 + i * 36
        points = [(x, y + 10 * math.sin(x / 60 + i)) for x in range(0, w + 40, 40)]
        draw.line(points, fill=(255, 200, 120), width=6)


def light_rail(img: Image.Image, rng: random.Random) -> None:
    w, h = img.size
    img.paste(vertical_gradient((w, h), (170, 205, 235), (240, 240, 235)))
    draw = ImageDraw.Draw(img)
    for i in range(10):
        bw = w // 10
        top = int(h * rng.uniform(0.2, 0.5))
        draw.rectangle(
            (i * bw, top, i * bw + bw - 16, h * 0.7), fill=(200 - i * 4, 205 - i * 3, 215)
        )
    draw.rectangle((0, h * 0.7, w, h), fill=(120, 125, 130))
    draw.rectangle((0, h * 0.86, w, h * 0.88), fill=(80, 80, 85))
    draw.rounded_rectangle((w * 0.18, h * 0.56, w * 0.82, h * 0.85), radius=60, fill=(140, 60, 150))
    for x in range(int(w * 0.22), int(w * 0.78), int(w * 0.075)):
        draw.rounded_rectangle((x, h * 0.6, x + w * 0.06, h * 0.7), radius=10, fill=(220, 235, 250))
    draw.line((0, h * 0.5, w, h * 0.5), fill=(60, 60, 70), width=4)


def marathon(img: Image.Image, rng: random.Random) -> None:
    w, h = img.size
    img.paste(vertical_gradient((w, h), (150, 200, 235), (250, 238, 215)))
    draw = ImageDraw.Draw(img)
    wall_top = int(h * 0.38)
    draw.rectangle((0, wall_top, w, h * 0.62), fill=(225, 205, 160))
    for x in range(0, w, 80):
        draw.rectangle((x, wall_top - 40, x + 44, wall_top), fill=(225, 205, 160))
    for row in range(6):
        y = wall_top + row * 40
        for x in range(-40 * (row % 2), w, 80):
            draw.rectangle((x, y, x + 78, y + 38), outline=(200, 178, 130), width=3)
    road = [(x, h * 0.8 + 60 * math.sin(x / w * math.tau)) for x in range(0, w + 40, 40)]
    draw.line(road, fill=(110, 110, 120), width=110)
    palette = [(230, 70, 60), (40, 120, 200), (250, 190, 40), (60, 160, 90)]
    for _ in range(40):
        x = rng.uniform(0, w)
        y = h * 0.8 + 60 * math.sin(x / w * math.tau) + rng.uniform(-30, 30)
        circle(draw, x, y, 22, rng.choice(palette))


def wine_harvest(img: Image.Image, rng: random.Random) -> None:
    w, h = img.size
    img.paste(vertical_gradient((w, h), (245, 200, 150), (230, 225, 200)))
    draw = ImageDraw.Draw(img)
    hills(draw, rng, (w, h), int(h * 0.38), int(h * 0.06), (150, 150, 120))
    hills(draw, rng, (w, h), int(h * 0.5), int(h * 0.04), (125, 140, 80))
    for i in range(9):
        y0 = h * 0.55 + i * h * 0.05
        draw.line((0, y0, w, y0 + i * 8), fill=(80, 110, 50), width=18 + i * 2)
    for _ in range(9):
        cx, cy = rng.uniform(w * 0.1, w * 0.9), rng.uniform(h * 0.6, h * 0.9)
        for row in range(4):
            for col in range(4 - row):
                circle(draw, cx + col * 52 + row * 26, cy + row * 44, 26, (95, 40, 90))


def hula_cranes(img: Image.Image, rng: random.Random) -> None:
    w, h = img.size
    img.paste(vertical_gradient((w, h), (250, 190, 150), (200, 215, 235)))
    draw = ImageDraw.Draw(img)
    glow(img, (int(w * 0.3), int(h * 0.55)), h // 3, (255, 225, 180))
    hills(draw, rng, (w, h), int(h * 0.5), int(h * 0.08), (110, 120, 140))
    draw.rectangle((0, h * 0.66, w, h), fill=(90, 120, 110))
    draw.ellipse((w * 0.15, h * 0.72, w * 0.85, h * 0.92), fill=(150, 180, 205))
    for _ in range(22):
        x, y = rng.uniform(w * 0.1, w * 0.9), rng.uniform(h * 0.08, h * 0.4)
        span = rng.uniform(40, 70)
        draw.line(
            [(x - span, y - span / 3), (x, y), (x + span, y - span / 3)],
            fill=(50, 50, 60),
            width=10,
        )
    for _ in range(30):
        x = rng.uniform(w * 0.05, w * 0.95)
        draw.line((x, h * 0.68, x + rng.uniform(-10, 10), h * 0.62), fill=(60, 90, 70), width=4)


def tech_conference(img: Image.Image, rng: random.Random) -> None:
    w, h = img.size
    img.paste(vertical_gradient((w, h), (20, 25, 55), (60, 45, 100)))
    draw = ImageDraw.Draw(img)
    glow(img, (w // 2, int(h * 0.35)), int(h * 0.4), (90, 140, 230))
    draw.rectangle((w * 0.2, h * 0.12, w * 0.8, h * 0.5), fill=(35, 120, 200))
    for i in range(6):
        bar = h * rng.uniform(0.08, 0.3)
        x0 = w * 0.28 + i * w * 0.075
        draw.rectangle((x0, h * 0.46 - bar, x0 + w * 0.05, h * 0.46), fill=(140, 220, 250))
    draw.rectangle((w * 0.1, h * 0.52, w * 0.9, h * 0.58), fill=(40, 40, 60))
    for row in range(5):
        for col in range(24):
            x = w * 0.04 + col * w * 0.04 + (row % 2) * w * 0.02
            shade = 45 + row * 10
            circle(draw, x, h * 0.68 + row * h * 0.065, 34, (shade, shade, shade + 30))


def museum_glass(img: Image.Image, rng: random.Random) -> None:
    w, h = img.size
    img.paste(vertical_gradient((w, h), (235, 232, 225), (200, 195, 185)))
    draw = ImageDraw.Draw(img)
    tints = [(120, 180, 170), (90, 140, 190), (170, 200, 120), (200, 160, 90)]
    shelf = h * 0.68
    for i, color in enumerate(tints):
        cx = w * (0.16 + i * 0.227)
        glow(img, (int(cx), int(h * 0.42)), int(w * 0.12), (250, 248, 235))
        draw.rectangle((cx - w * 0.085, shelf, cx + w * 0.085, h), fill=(245, 245, 242))
        body = w * rng.uniform(0.05, 0.07)
        neck = body * rng.uniform(0.22, 0.32)
        belly_top = shelf - body * 2.1
        draw.ellipse((cx - body, belly_top, cx + body, shelf), fill=color)
        draw.rectangle((cx - neck, belly_top - body * 1.2, cx + neck, shelf - body), fill=color)
        lip = belly_top - body * 1.2
        draw.ellipse(
            (cx - neck * 1.8, lip - neck * 0.6, cx + neck * 1.8, lip + neck * 0.6), fill=color
        )
        draw.line(
            (cx - body * 0.5, shelf - body * 1.6, cx - body * 0.4, shelf - body * 0.6),
            fill=(255, 255, 255),
            width=12,
        )


def drip_irrigation(img: Image.Image, rng: random.Random) -> None:
    w, h = img.size
    img.paste(vertical_gradient((w, h), (180, 215, 240), (245, 240, 220)))
    draw = ImageDraw.Draw(img)
    glow(img, (int(w * 0.15), int(h * 0.15)), h // 4, (255, 245, 200))
    draw.rectangle((0, h * 0.35, w, h), fill=(170, 125, 85))
    vanish = (w * 0.5, h * 0.3)
    for i in range(-8, 9):
        x_bottom = w * 0.5 + i * w * 0.12
        draw.line((vanish, (x_bottom, h)), fill=(60, 60, 60), width=5)
        for t in (0.35, 0.55, 0.75, 0.95):
            x = vanish[0] + (x_bottom - vanish[0]) * t
            y = vanish[1] + (h - vanish[1]) * t
            size = 8 + 26 * t
            draw.ellipse(
                (x - size * 1.4, y - size * 0.8, x + size * 1.4, y + size * 0.8), fill=(70, 140, 60)
            )
            circle(draw, x + size * 0.5, y + size, size * 0.25, (80, 160, 220))
    for _ in range(10):
        circle(draw, rng.uniform(0, w), rng.uniform(h * 0.05, h * 0.3), 4, (255, 255, 255))


def bus_committee(img: Image.Image, rng: random.Random) -> None:
    w, h = img.size
    img.paste(vertical_gradient((w, h), (200, 220, 240), (245, 240, 230)))
    draw = ImageDraw.Draw(img)
    draw.rectangle((w * 0.15, h * 0.18, w * 0.85, h * 0.55), fill=(225, 215, 190))
    draw.rectangle((w * 0.12, h * 0.14, w * 0.88, h * 0.2), fill=(205, 195, 170))
    for i in range(10):
        x = w * 0.18 + i * w * 0.067
        draw.rectangle((x, h * 0.22, x + w * 0.025, h * 0.55), fill=(200, 190, 165))
    draw.rectangle((0, h * 0.55, w, h), fill=(110, 115, 120))
    for x in range(0, w, 160):
        draw.rectangle((x, h * 0.79, x + 90, h * 0.8), fill=(240, 240, 240))
    draw.rounded_rectangle((w * 0.08, h * 0.6, w * 0.48, h * 0.78), radius=30, fill=(40, 130, 90))
    draw.rounded_rectangle((w * 0.55, h * 0.82, w * 0.95, h * 0.98), radius=30, fill=(230, 160, 40))
    for bus_x, bus_y in ((0.1, 0.62), (0.57, 0.84)):
        for k in range(5):
            x = w * (bus_x + 0.02) + k * w * 0.07
            draw.rectangle((x, h * bus_y, x + w * 0.055, h * (bus_y + 0.07)), fill=(210, 230, 245))
    for _ in range(8):
        circle(draw, rng.uniform(0, w), rng.uniform(h * 0.02, h * 0.1), 30, (255, 255, 255))


def regional_summit(img: Image.Image, rng: random.Random) -> None:
    w, h = img.size
    img.paste(vertical_gradient((w, h), (250, 215, 175), (175, 205, 225)))
    draw = ImageDraw.Draw(img)
    hills(draw, rng, (w, h), int(h * 0.4), int(h * 0.08), (190, 140, 110))
    hills(draw, rng, (w, h), int(h * 0.45), int(h * 0.05), (170, 120, 95))
    draw.rectangle((0, h * 0.52, w, h), fill=(40, 110, 150))
    draw.ellipse((w * 0.25, h * 0.6, w * 0.75, h * 0.95), fill=(245, 240, 230))
    draw.ellipse((w * 0.32, h * 0.66, w * 0.68, h * 0.89), fill=(40, 110, 150))
    palette = [(200, 80, 70), (60, 140, 90), (230, 190, 60), (80, 110, 190), (150, 90, 160)]
    for i in range(10):
        angle = math.tau * i / 10
        x = w * 0.5 + math.cos(angle) * w * 0.27
        y = h * 0.775 + math.sin(angle) * h * 0.2
        circle(draw, x, y, 60, palette[i % len(palette)])


def light_festival(img: Image.Image, rng: random.Random) -> None:
    w, h = img.size
    img.paste(vertical_gradient((w, h), (15, 20, 50), (50, 40, 80)))
    draw = ImageDraw.Draw(img)
    for _ in range(8):
        glow(img, (int(rng.uniform(0, w)), int(rng.uniform(h * 0.1, h * 0.3))), 260, (70, 60, 110))
    for i in range(7):
        x0 = i * w / 7
        top = h * rng.uniform(0.35, 0.5)
        draw.rectangle((x0, top, x0 + w / 7 - 10, h * 0.7), fill=(70, 60, 80))
        draw.ellipse((x0 + 40, top - 60, x0 + w / 7 - 50, top + 40), fill=(70, 60, 80))
    draw.rectangle((0, h * 0.7, w, h), fill=(20, 40, 70))
    colors = [(255, 200, 90), (120, 220, 255), (255, 120, 160), (180, 255, 150)]
    for i in range(40):
        x = i * w / 40 + 10
        y = h * 0.2 + 70 * math.sin(i / 40 * math.pi * 2)
        color = colors[i % len(colors)]
        circle(draw, x, y, 12, color)
        draw.line((x, h * 0.74, x, h * 0.74 + rng.uniform(40, 200)), fill=color, width=6)


# Registry and output ------------------------------------------------------------

IMAGES: dict[str, tuple[tuple[int, int], Painter]] = {
    "carmel-desalination-plant.jpg": ((1600, 1000), desalination),
    "galilee-trail-hills.jpg": ((1600, 1000), galilee_trail),
    "tel-aviv-skyline-solar.jpg": ((1600, 900), startup_skyline),
    "jerusalem-excavation.jpg": ((1600, 1000), archaeology),
    "heatwave-sun.jpg": ((1600, 1000), heatwave),
    "light-rail-tram.jpg": ((1600, 900), light_rail),
    "jerusalem-marathon-route.jpg": ((1600, 1000), marathon),
    "upper-galilee-vineyard.jpg": ((1600, 1000), wine_harvest),
    EXIF_FILE: ((1600, 1000), hula_cranes),
    "tech-conference-stage.jpg": ((1600, 900), tech_conference),
    "museum-glass-vessels.jpg": ((1400, 1000), museum_glass),
    "drip-irrigation-field.jpg": ((1600, 1000), drip_irrigation),
    "committee-buses.jpg": ((1600, 1000), bus_committee),
    "aqaba-gulf-summit.jpg": ((1600, 1000), regional_summit),
    "jaffa-light-festival.jpg": ((1400, 1000), light_festival),
}


def render(size: tuple[int, int], painter: Painter, seed: str) -> Image.Image:
    """Paint at ``SCALE`` times the size and return the downsampled picture."""
    big = Image.new("RGB", (size[0] * SCALE, size[1] * SCALE))
    painter(big, random.Random(seed))
    big = big.filter(ImageFilter.GaussianBlur(SCALE))
    return big.resize(size, Image.Resampling.LANCZOS)


def exif_with_orientation() -> Image.Exif:
    """Return EXIF data that needs a 90-degree clockwise turn, with a GPS position."""
    exif = Image.Exif()
    exif[ORIENTATION_TAG] = 6
    exif[0x010F] = "Newsroom demo"  # Make
    exif[0x0110] = "make_images.py"  # Model
    exif[0x0132] = "2026:11:12 07:05:00"  # DateTime
    gps = exif.get_ifd(GPS_IFD_TAG)
    gps[0x0001] = "N"  # GPSLatitudeRef
    gps[0x0002] = (33.0, 6.0, 18.0)  # GPSLatitude: Hula Valley
    gps[0x0003] = "E"  # GPSLongitudeRef
    gps[0x0004] = (35.0, 36.0, 30.0)  # GPSLongitude
    return exif


def main() -> None:
    IMAGES_DIR.mkdir(exist_ok=True)
    for name, (size, painter) in IMAGES.items():
        img = render(size, painter, seed=name)
        path = IMAGES_DIR / name
        if name == EXIF_FILE:
            # Store the pixels turned 90 degrees counter-clockwise; Orientation=6
            # tells viewers to turn them back clockwise for display.
            stored = img.transpose(Image.Transpose.ROTATE_90)
            stored.save(path, "JPEG", quality=QUALITY, optimize=True, exif=exif_with_orientation())
        else:
            img.save(path, "JPEG", quality=QUALITY, optimize=True)
        kb = path.stat().st_size / 1024
        if path.stat().st_size > MAX_BYTES:
            msg = f"{name} is {kb:.0f} KB, over the {MAX_BYTES // 1024} KB budget"
            raise SystemExit(msg)
        print(f"{name}: {size[0]}x{size[1]}, {kb:.0f} KB")


if __name__ == "__main__":
    main()
