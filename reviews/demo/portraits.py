"""Draw the demo critics' portraits: `python reviews/demo/portraits.py` rewrites critics/*.png.

Simple head-and-shoulders silhouettes on a coloured ground, drawn with Pillow: nothing is
downloaded and nobody real is pictured. The colours come from manifest.json ("portrait").
"""

import json
from pathlib import Path

from PIL import Image, ImageDraw

DEMO_DIR = Path(__file__).resolve().parent
SIZE = (480, 600)


def draw_portrait(background: str, figure: str, accent: str, hair: str) -> Image.Image:
    """A head, neck and shoulders in `figure` on `background`, `hair` on top, and an `accent`
    collar."""
    width, height = SIZE
    image = Image.new("RGB", SIZE, background)
    draw = ImageDraw.Draw(image)
    centre = width // 2
    # Shoulders: a wide rounded rectangle rising from the bottom edge.
    draw.rounded_rectangle((centre - 200, 430, centre + 200, height + 120), radius=150, fill=figure)
    # Collar: a V in the accent colour.
    draw.polygon([(centre - 70, 440), (centre, 540), (centre + 70, 440)], fill=accent)
    draw.rectangle((centre - 45, 360, centre + 45, 450), fill=figure)  # neck
    draw.ellipse((centre - 128, 112, centre + 128, 340), fill=hair)
    draw.ellipse((centre - 110, 150, centre + 110, 390), fill=figure)  # head
    return image


def main() -> None:
    manifest = json.loads((DEMO_DIR / "manifest.json").read_text(encoding="utf-8"))
    for user in manifest["users"]:
        colours = user["critic"]["portrait"]
        path = DEMO_DIR / "critics" / f"{user['username']}.png"
        draw_portrait(**colours).save(path, optimize=True)
        print(path)


if __name__ == "__main__":
    main()
