"""Draw the demo's pictures: typographic posters, widescreen stills and portraits.

Everything is drawn here with Pillow, from the film's title, year and director or the person's
name, so the project owns it and may redistribute it: nothing is downloaded, nobody real is
pictured, no studio's artwork is copied. The one typeface is the one Pillow bundles
(`ImageFont.load_default`: Aileron, public domain). The same input always draws the same
picture (the seed is a digest of the name, not Python's salted hash()).

`manage.py load_demo` attaches them (posters to films, stills to reviews as hero images,
portraits to the top-billed cast and the directors). To look at them:
`python reviews/demo/artwork.py /tmp/demo-art` writes a sample of each kind.
"""

from __future__ import annotations

import hashlib
import random
import sys
from dataclasses import dataclass
from functools import lru_cache
from io import BytesIO
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont

from reviews.demo.portraits import draw_portrait

POSTER_SIZE = (600, 900)
STILL_SIZE = (1920, 1080)

# (sky top, sky bottom, ink, accent): dusk, noon, neon, ember, ice, forest, rose, ink.
PALETTES = [
    ("#1b1f3b", "#f28f3b", "#fdf0d5", "#c8553d"),
    ("#0b3954", "#bfd7ea", "#ffffff", "#ff5a5f"),
    ("#10002b", "#e0aaff", "#f8f9fa", "#ff006e"),
    ("#2b0f0e", "#e76f51", "#fefae0", "#f4a261"),
    ("#0d1b2a", "#a9d6e5", "#edf6f9", "#ffb703"),
    ("#132a13", "#90a955", "#ecf39e", "#f6aa1c"),
    ("#3d0c11", "#f2b5d4", "#fff1f2", "#e63946"),
    ("#0a0908", "#5e503f", "#eae0d5", "#c6ac8f"),
]


def rng_for(text: str) -> random.Random:
    seed = int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big")
    return random.Random(seed)  # noqa: S311 — pictures, not secrets


def font(size: int) -> ImageFont.FreeTypeFont:
    return ImageFont.load_default(size=size)


def gradient(size: tuple[int, int], top: str, bottom: str) -> Image.Image:
    """A vertical gradient from `top` to `bottom`."""
    mask = Image.linear_gradient("L").resize(size)
    return Image.composite(Image.new("RGB", size, bottom), Image.new("RGB", size, top), mask)


def wrap(draw: ImageDraw.ImageDraw, text: str, typeface, width: int) -> list[str]:
    """`text` broken into lines no wider than `width`."""
    lines, line = [], ""
    for word in text.split():
        trial = f"{line} {word}".strip()
        if line and draw.textlength(trial, font=typeface) > width:
            lines.append(line)
            line = word
        else:
            line = trial
    return [*lines, line] if line else lines


def fitted_title(draw, text: str, width: int, largest: int, lines_allowed: int = 3):
    """The largest size (down from `largest`) at which `text` fits `width` in few lines."""
    for size in range(largest, 20, -4):
        typeface = font(size)
        lines = wrap(draw, text, typeface, width)
        if len(lines) <= lines_allowed and all(
            draw.textlength(line, font=typeface) <= width for line in lines
        ):
            return typeface, lines, size
    typeface = font(20)
    return typeface, wrap(draw, text, typeface, width), 20


def jpeg(image: Image.Image, quality: int = 88) -> bytes:
    buffer = BytesIO()
    image.convert("RGB").save(buffer, "JPEG", quality=quality, optimize=True, progressive=True)
    return buffer.getvalue()


def png(image: Image.Image) -> bytes:
    buffer = BytesIO()
    image.save(buffer, "PNG")
    return buffer.getvalue()


# Posters ------------------------------------------------------------------------------------


def draw_poster(
    title: str, year: int | None = None, director: str = "", tagline: str = ""
) -> Image.Image:
    """A typographic poster: a graphic motif on a gradient, the title set large, the credits
    small."""
    rng = rng_for(f"poster:{title}")
    top, bottom, ink, accent = rng.choice(PALETTES)
    width, height = POSTER_SIZE
    image = gradient(POSTER_SIZE, top, bottom)
    draw = ImageDraw.Draw(image)
    motif = rng.randrange(4)
    cx, cy = width // 2 + rng.randrange(-80, 81), rng.randrange(250, 400)
    if motif == 0:  # a low sun with rings
        for n, radius in enumerate(range(260, 60, -40)):
            draw.ellipse(
                (cx - radius, cy - radius, cx + radius, cy + radius),
                outline=accent if n % 2 else ink,
                width=6,
            )
        draw.ellipse((cx - 60, cy - 60, cx + 60, cy + 60), fill=accent)
    elif motif == 1:  # diagonal bands
        for offset in range(-height, width, 70):
            draw.polygon(
                [
                    (offset, 0),
                    (offset + 30, 0),
                    (offset + 30 + height * 0.6, height),
                    (offset + height * 0.6, height),
                ],
                fill=accent,
            )
        draw.rectangle((0, 560, width, height), fill=top)
    elif motif == 2:  # a frame within the frame
        for inset in range(40, 220, 36):
            draw.rectangle((inset, inset, width - inset, 600 - inset), outline=ink, width=3)
        draw.line((0, 600, width, 0), fill=accent, width=10)
    else:  # a figure walking into a door of light
        draw.rectangle((cx - 90, 120, cx + 90, 560), fill=ink)
        draw.ellipse((cx - 28, 330, cx + 28, 386), fill=top)
        draw.polygon([(cx - 40, 560), (cx, 392), (cx + 40, 560)], fill=top)
    # The title over a darkened foot, for contrast whatever the motif.
    foot = Image.new("L", POSTER_SIZE, 0)
    ImageDraw.Draw(foot).rectangle((0, 540, width, height), fill=170)
    image = Image.composite(
        Image.new("RGB", POSTER_SIZE, "#000000"), image, foot.filter(ImageFilter.GaussianBlur(40))
    )
    draw = ImageDraw.Draw(image)
    typeface, lines, size = fitted_title(draw, title.upper(), width - 80, 96)
    y = 800 - len(lines) * (size + 8)
    for line in lines:
        draw.text((width // 2, y), line, font=typeface, fill=ink, anchor="ma")
        y += size + 8
    if tagline:
        small = font(22)
        draw.text((width // 2, 40), tagline[:48], font=small, fill=ink, anchor="ma")
    credits = " · ".join(
        filter(None, [f"A film by {director}" if director else "", str(year) if year else ""])
    )
    draw.text((width // 2, 852), credits.upper(), font=font(18), fill=accent, anchor="ma")
    return image


# Stills --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Still:
    image: Image.Image
    focus: tuple[int, int]  # where the figure stands, in percent
    description: str  # for the alt text


def draw_still(title: str) -> Still:
    """A widescreen scene: sky, sun, two ranges of hills or a skyline, and one figure, off
    centre, where the focal point goes."""
    rng = rng_for(f"still:{title}")
    top, bottom, ink, accent = rng.choice(PALETTES)
    width, height = STILL_SIZE
    image = gradient(STILL_SIZE, top, bottom)
    draw = ImageDraw.Draw(image)
    sun_x, sun_y = rng.randrange(300, 1600), rng.randrange(250, 520)
    # The sun's glow, blurred at an eighth of the size (the same look, far less work).
    small = (width // 8, height // 8)
    glow = Image.new("L", small, 0)
    ImageDraw.Draw(glow).ellipse(
        ((sun_x - 260) // 8, (sun_y - 260) // 8, (sun_x + 260) // 8, (sun_y + 260) // 8), fill=150
    )
    glow = glow.filter(ImageFilter.GaussianBlur(11)).resize(STILL_SIZE, Image.Resampling.BILINEAR)
    image = Image.composite(Image.new("RGB", STILL_SIZE, accent), image, glow)
    draw = ImageDraw.Draw(image)
    draw.ellipse((sun_x - 90, sun_y - 90, sun_x + 90, sun_y + 90), fill=accent)
    city = rng.random() < 0.5
    if city:
        x = 0
        while x < width:
            w, h = rng.randrange(60, 160), rng.randrange(180, 520)
            draw.rectangle((x, 820 - h, x + w, height), fill=top)
            for wy in range(840 - h, 800, 36):
                for wx in range(x + 12, x + w - 12, 28):
                    if rng.random() < 0.3:
                        draw.rectangle((wx, wy, wx + 10, wy + 16), fill=accent)
            x += w + rng.randrange(0, 20)
        scene = "a city skyline at dusk"
    else:
        for layer, shade in ((620, bottom), (760, top)):
            points = [
                (0, height),
                *((x, layer + rng.randrange(-120, 80)) for x in range(0, width + 160, 160)),
                (width, height),
            ]
            draw.polygon(points, fill=shade if layer == 760 else accent)
        scene = "hills under a low sun"
    draw.rectangle((0, 820, width, height), fill=top)
    # The figure: off centre, on the ground, long shadow towards the viewer.
    fx = rng.choice([rng.randrange(1250, 1650), rng.randrange(270, 670)])
    ground = 840
    draw.polygon(
        [(fx - 16, ground), (fx + 16, ground), (fx + 140, height), (fx - 40, height)],
        fill="#000000",
    )
    draw.rounded_rectangle((fx - 34, ground - 230, fx + 34, ground - 60), radius=26, fill=ink)
    draw.rectangle((fx - 26, ground - 70, fx - 6, ground), fill=ink)
    draw.rectangle((fx + 6, ground - 70, fx + 26, ground), fill=ink)
    draw.ellipse((fx - 28, ground - 300, fx + 28, ground - 240), fill=ink)
    # A little grain, as on film.
    tile, grain = Image.effect_noise((256, 256), 24).convert("RGB"), Image.new("RGB", STILL_SIZE)
    for x in range(0, width, 256):
        for y in range(0, height, 256):
            grain.paste(tile, (x, y))
    image = Image.blend(image, grain, 0.06)
    focus = (round(fx / width * 100), round((ground - 160) / height * 100))
    return Still(image, focus, f"A lone figure stands before {scene}")


# Portraits -------------------------------------------------------------------------------------


def draw_person(name: str) -> Image.Image:
    """A head-and-shoulders silhouette in colours drawn from the name (portraits.py)."""
    rng = rng_for(f"person:{name}")
    top, _bottom, _ink, accent = rng.choice(PALETTES)
    hair = rng.choice(["#1b1b1b", "#3b2a1a", "#8d8d8d", "#b5651d", "#e6c27a"])
    skin = rng.choice(["#f6d8ae", "#e0ac69", "#c68642", "#8d5524", "#f1c27d"])
    return draw_portrait(background=top, figure=skin, accent=accent, hair=hair)


# What load_demo attaches, as file contents; kept per process, since the tests load the demo
# many times over.


@lru_cache(maxsize=64)
def poster_png(title: str, year: int | None, director: str, tagline: str) -> bytes:
    return png(draw_poster(title, year, director, tagline))


@lru_cache(maxsize=32)
def still_jpeg(title: str) -> tuple[bytes, tuple[int, int], str]:
    still = draw_still(title)
    return jpeg(still.image), still.focus, still.description


@lru_cache(maxsize=256)
def person_png(name: str) -> bytes:
    return png(draw_person(name))


def main(out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for title in ("Ballerina", "Heat", "Paddington 2", "Arrival"):
        slug = title.lower().replace(" ", "-")
        draw_poster(title, 2025, "Len Wiseman", "From the world of John Wick").save(
            out / f"poster-{slug}.png"
        )
        draw_still(title).image.save(out / f"still-{slug}.jpg", quality=88)
    draw_person("Ana de Armas").save(out / "portrait.png")
    print(out)


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "demo-art"))
