"""Draw static/img/og-default.png, the Open Graph image of pages that have none of their own.

Run `python scripts/og_image.py` after changing it. 1200×630, as link previews want; a marquee
sign in the site's colours, drawn with Pillow (no font files: the letters are drawn as bulbs).
"""

from pathlib import Path

from PIL import Image, ImageDraw

OUT = Path(__file__).resolve().parents[1] / "static" / "img" / "og-default.png"
PAPER, INK, ACCENT, BULB = "#faf7f2", "#1d1b18", "#9b1c1c", "#f3d58a"
# MARQUEE in a 5×7 dot font.
GLYPHS = {
    "M": ["10001", "11011", "10101", "10001", "10001", "10001", "10001"],
    "A": ["01110", "10001", "10001", "11111", "10001", "10001", "10001"],
    "R": ["11110", "10001", "10001", "11110", "10100", "10010", "10001"],
    "Q": ["01110", "10001", "10001", "10001", "10101", "10010", "01101"],
    "U": ["10001", "10001", "10001", "10001", "10001", "10001", "01110"],
    "E": ["11111", "10000", "10000", "11110", "10000", "10000", "11111"],
}


def draw() -> Image.Image:
    image = Image.new("RGB", (1200, 630), PAPER)
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((60, 110, 1140, 520), radius=28, fill=ACCENT)
    draw.rounded_rectangle((90, 140, 1110, 490), radius=18, fill=INK)
    for x in range(110, 1100, 36):  # the border of bulbs
        for y in (124, 496):
            draw.ellipse((x - 7, y - 7, x + 7, y + 7), fill=BULB)
    step, dot = 18, 7
    word = "MARQUEE"
    width = len(word) * 6 * step - step
    left, top = (1200 - width) // 2, 315 - 3 * step
    for n, letter in enumerate(word):
        for row, bits in enumerate(GLYPHS[letter]):
            for col, bit in enumerate(bits):
                if bit == "1":
                    cx, cy = left + (n * 6 + col) * step, top + row * step
                    draw.ellipse((cx - dot, cy - dot, cx + dot, cy + dot), fill=BULB)
    draw.rectangle((0, 600, 1200, 630), fill=ACCENT)
    return image


if __name__ == "__main__":
    draw().save(OUT, optimize=True)
    print(OUT)
