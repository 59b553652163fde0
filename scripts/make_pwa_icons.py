"""Draw the web app's icons (ppaos/static/ppaos/icons/): a house on the app's green.

Run from the repository root: `.venv/bin/python scripts/make_pwa_icons.py`. The PNGs are
committed; run this again only to change them.
"""

from pathlib import Path

from PIL import Image, ImageDraw

OUT = Path(__file__).resolve().parents[1] / "ppaos" / "static" / "ppaos" / "icons"
GREEN = (22, 101, 52)
WHITE = (255, 255, 255)


def draw(size: int, *, maskable: bool) -> Image.Image:
    image = Image.new("RGB", (size, size), GREEN)
    pen = ImageDraw.Draw(image)
    # Maskable icons keep their drawing inside the middle 80% (the safe zone).
    margin = size * (0.28 if maskable else 0.18)
    left, right = margin, size - margin
    top, bottom = margin, size - margin
    mid = size / 2
    eaves = top + (bottom - top) * 0.42
    pen.polygon([(left, eaves), (mid, top), (right, eaves)], fill=WHITE)
    wall = (right - left) * 0.14
    pen.rectangle([left + wall, eaves, right - wall, bottom], fill=WHITE)
    door = (right - left) * 0.13
    pen.rectangle([mid - door, bottom - (bottom - eaves) * 0.55, mid + door, bottom], fill=GREEN)
    return image


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for size in (192, 512):
        draw(size, maskable=False).save(OUT / f"icon-{size}.png", optimize=True)
    draw(512, maskable=True).save(OUT / "icon-maskable-512.png", optimize=True)
    draw(180, maskable=False).save(OUT / "apple-touch-icon.png", optimize=True)


if __name__ == "__main__":
    main()
