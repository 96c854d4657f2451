"""Product pictures for the demo, drawn with Pillow.

The data has no photographs, so each product gets a card: a soft colour and a simple drawing for
its category, its name, and the shop's name. Cards are drawn at twice their size and reduced, which
smooths the edges that ImageDraw leaves jagged.

Most of the time goes on the three WebP renditions that imagekit writes when a source image is
saved (ProductImage's ImageSpecFields): about 9 ms each for a 480-pixel source, 7 ms for 400. So
pictures are stored, renditions included, by a pool of processes, and only then recorded in the
database, in bulk, by the caller; and they are 400 pixels square, which keeps the default import
(some 3,000 products) under a minute on two cores. A card of flat colours and large type loses
little when the product page shows it at 480.
"""

import io
import math
import multiprocessing
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache

from django.conf import settings
from django.core.files.base import ContentFile
from imagekit.specs.sourcegroups import signal_router
from PIL import Image, ImageDraw, ImageFont

from catalog.models import ProductImage

IMAGE_SIZE = 400
_SCALE = 2  # drawn at twice the size, then reduced
_CANVAS = IMAGE_SIZE * _SCALE

Font = ImageFont.FreeTypeFont | ImageFont.ImageFont
Box = tuple[float, float, float, float]


@dataclass(frozen=True)
class Palette:
    background: str
    disc: str  # behind the drawing
    ink: str  # the drawing
    text: str


PALETTES: dict[str, Palette] = {
    "star": Palette("#E6F0E8", "#C9E0CF", "#B8403A", "#1F3B2C"),
    "candle": Palette("#FBF1DE", "#F4DDB2", "#C8762E", "#4A3520"),
    "gem": Palette("#F0E8F6", "#DCCBEA", "#7B4FA0", "#3A2A4A"),
    "bag": Palette("#E4EEF6", "#C6DCEE", "#2F6C99", "#1F3347"),
    "envelope": Palette("#FBE8EE", "#F3C8D6", "#C24D72", "#4A2430"),
    "pencil": Palette("#FFF6DA", "#F6E3A2", "#B98A12", "#43381A"),
    "blocks": Palette("#E2F3F1", "#BFE5E0", "#2E8C84", "#1C3B38"),
    "mug": Palette("#F7EBE3", "#EBCDBB", "#A4553A", "#45291F"),
    "flower": Palette("#EBF4E1", "#D2E6BC", "#5E8F32", "#2A3B1C"),
    "house": Palette("#EFECE7", "#DAD3C9", "#6E5F50", "#2E2822"),
    "gift": Palette("#E8ECF5", "#CCD5E7", "#4F6490", "#232B3D"),
}

# Sans-serif faces commonly installed (Debian's fonts-dejavu, Liberation, macOS and Windows Arial);
# Pillow finds them by file name in the system's font folders.
_FONT_FILES = {
    True: ("DejaVuSans-Bold.ttf", "LiberationSans-Bold.ttf", "Arial Bold.ttf", "arialbd.ttf"),
    False: ("DejaVuSans.ttf", "LiberationSans-Regular.ttf", "Arial.ttf", "arial.ttf"),
}


@cache
def _font(size: int, *, bold: bool) -> Font:
    for name in _FONT_FILES[bold]:
        try:
            return ImageFont.truetype(name, size)
        except OSError:
            continue
    # Pillow's own scalable font: plainer, but always there.
    return ImageFont.load_default(size=size)


def _star(draw: ImageDraw.ImageDraw, box: Box, palette: Palette) -> None:
    x0, y0, x1, y1 = box
    cx, cy, radius = (x0 + x1) / 2, (y0 + y1) / 2 + (y1 - y0) * 0.04, (x1 - x0) / 2
    points = [
        (cx + r * math.cos(math.radians(-90 + 36 * k)), cy + r * math.sin(math.radians(-90 + 36 * k)))
        for k, r in ((k, radius if k % 2 == 0 else radius * 0.45) for k in range(10))
    ]
    draw.polygon(points, fill=palette.ink)


def _candle(draw: ImageDraw.ImageDraw, box: Box, palette: Palette) -> None:
    x0, y0, x1, y1 = box
    s, cx = x1 - x0, (x0 + x1) / 2
    draw.rounded_rectangle((cx - 0.17 * s, y0 + 0.42 * s, cx + 0.17 * s, y1), radius=0.04 * s, fill=palette.ink)
    draw.line((cx, y0 + 0.3 * s, cx, y0 + 0.42 * s), fill=palette.text, width=max(2, int(0.025 * s)))
    draw.ellipse((cx - 0.1 * s, y0 + 0.02 * s, cx + 0.1 * s, y0 + 0.34 * s), fill=palette.ink)
    draw.ellipse((cx - 0.045 * s, y0 + 0.16 * s, cx + 0.045 * s, y0 + 0.31 * s), fill=palette.background)


def _gem(draw: ImageDraw.ImageDraw, box: Box, palette: Palette) -> None:
    x0, y0, x1, y1 = box
    s, cx = x1 - x0, (x0 + x1) / 2
    top, girdle, tip = y0 + 0.2 * s, y0 + 0.42 * s, y1 - 0.02 * s
    draw.polygon([(cx - 0.3 * s, top), (cx + 0.3 * s, top), (x1, girdle), (cx, tip), (x0, girdle)], fill=palette.ink)
    width = max(2, int(0.018 * s))
    draw.line((x0, girdle, x1, girdle), fill=palette.disc, width=width)
    for near, far in ((cx - 0.15 * s, cx - 0.3 * s), (cx + 0.15 * s, cx + 0.3 * s)):
        draw.line((near, girdle, cx, tip), fill=palette.disc, width=width)
        draw.line((near, girdle, far, top), fill=palette.disc, width=width)
        draw.line((near, girdle, cx, top), fill=palette.disc, width=width)


def _bag(draw: ImageDraw.ImageDraw, box: Box, palette: Palette) -> None:
    x0, y0, x1, y1 = box
    s, cx = x1 - x0, (x0 + x1) / 2
    draw.arc(
        (cx - 0.2 * s, y0 + 0.04 * s, cx + 0.2 * s, y0 + 0.56 * s), 180, 360, fill=palette.ink, width=int(0.06 * s)
    )
    draw.rounded_rectangle((x0 + 0.08 * s, y0 + 0.3 * s, x1 - 0.08 * s, y1), radius=0.07 * s, fill=palette.ink)
    draw.line((x0 + 0.2 * s, y0 + 0.45 * s, x1 - 0.2 * s, y0 + 0.45 * s), fill=palette.disc, width=int(0.03 * s))


def _envelope(draw: ImageDraw.ImageDraw, box: Box, palette: Palette) -> None:
    x0, y0, x1, y1 = box
    s, cx = x1 - x0, (x0 + x1) / 2
    top, bottom = y0 + 0.2 * s, y1 - 0.15 * s
    draw.rounded_rectangle((x0, top, x1, bottom), radius=0.06 * s, fill=palette.ink)
    draw.line(
        [(x0 + 0.06 * s, top + 0.06 * s), (cx, top + 0.36 * s), (x1 - 0.06 * s, top + 0.06 * s)],
        fill=palette.disc,
        width=int(0.045 * s),
        joint="curve",
    )


def _pencil(draw: ImageDraw.ImageDraw, box: Box, palette: Palette) -> None:
    x0, y0, x1, y1 = box
    s, cx, cy = x1 - x0, (x0 + x1) / 2, (y0 + y1) / 2
    angle = math.radians(-45)

    def turned(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
        return [
            (
                cx + x * s * math.cos(angle) - y * s * math.sin(angle),
                cy + x * s * math.sin(angle) + y * s * math.cos(angle),
            )
            for x, y in points
        ]

    draw.polygon(turned([(-0.5, -0.12), (0.22, -0.12), (0.22, 0.12), (-0.5, 0.12)]), fill=palette.ink)
    draw.polygon(turned([(0.22, -0.12), (0.5, 0), (0.22, 0.12)]), fill=palette.background)
    draw.polygon(turned([(0.41, -0.04), (0.5, 0), (0.41, 0.04)]), fill=palette.text)
    draw.polygon(turned([(-0.42, -0.12), (-0.36, -0.12), (-0.36, 0.12), (-0.42, 0.12)]), fill=palette.background)


def _blocks(draw: ImageDraw.ImageDraw, box: Box, palette: Palette) -> None:
    x0, _, x1, y1 = box
    s, cx = x1 - x0, (x0 + x1) / 2
    side, gap = 0.44 * s, 0.06 * s
    for left, top in (
        (x0 + 0.03 * s, y1 - side),
        (x1 - 0.03 * s - side, y1 - side),
        (cx - side / 2, y1 - 2 * side - gap),
    ):
        draw.rounded_rectangle((left, top, left + side, top + side), radius=0.06 * s, fill=palette.ink)
        dot = 0.07 * s
        draw.ellipse(
            (left + side / 2 - dot, top + side / 2 - dot, left + side / 2 + dot, top + side / 2 + dot),
            fill=palette.disc,
        )


def _mug(draw: ImageDraw.ImageDraw, box: Box, palette: Palette) -> None:
    x0, y0, x1, y1 = box
    s = x1 - x0
    left, right, top = x0 + 0.06 * s, x1 - 0.3 * s, y0 + 0.26 * s
    draw.ellipse(
        (right - 0.14 * s, top + 0.12 * s, x1 - 0.02 * s, top + 0.52 * s), outline=palette.ink, width=int(0.07 * s)
    )
    draw.rounded_rectangle((left, top, right, y1), radius=0.08 * s, fill=palette.ink)
    for k in range(3):
        x = left + (right - left) * (k + 1) / 4
        draw.arc((x - 0.05 * s, y0, x + 0.05 * s, y0 + 0.2 * s), 100, 260, fill=palette.ink, width=int(0.03 * s))


def _flower(draw: ImageDraw.ImageDraw, box: Box, palette: Palette) -> None:
    x0, y0, x1, y1 = box
    s, cx, cy = x1 - x0, (x0 + x1) / 2, (y0 + y1) / 2
    petal, reach = 0.17 * s, 0.3 * s
    for k in range(6):
        px, py = cx + reach * math.cos(math.radians(60 * k - 90)), cy + reach * math.sin(math.radians(60 * k - 90))
        draw.ellipse((px - petal, py - petal, px + petal, py + petal), fill=palette.ink)
    draw.ellipse((cx - 0.15 * s, cy - 0.15 * s, cx + 0.15 * s, cy + 0.15 * s), fill=palette.background)


def _house(draw: ImageDraw.ImageDraw, box: Box, palette: Palette) -> None:
    x0, y0, x1, y1 = box
    s, cx = x1 - x0, (x0 + x1) / 2
    eaves = y0 + 0.48 * s
    draw.polygon([(x0, eaves), (cx, y0 + 0.04 * s), (x1, eaves)], fill=palette.ink)
    draw.rectangle((x0 + 0.12 * s, eaves - 1, x1 - 0.12 * s, y1), fill=palette.ink)
    draw.rounded_rectangle((cx - 0.1 * s, y1 - 0.3 * s, cx + 0.1 * s, y1), radius=0.03 * s, fill=palette.disc)
    draw.ellipse((cx - 0.08 * s, y0 + 0.28 * s, cx + 0.08 * s, y0 + 0.44 * s), fill=palette.disc)


def _gift(draw: ImageDraw.ImageDraw, box: Box, palette: Palette) -> None:
    x0, y0, x1, y1 = box
    s, cx = x1 - x0, (x0 + x1) / 2
    lid_top, lid_bottom = y0 + 0.3 * s, y0 + 0.46 * s
    width = int(0.05 * s)
    draw.ellipse((cx - 0.3 * s, y0 + 0.08 * s, cx, lid_top + 0.02 * s), outline=palette.ink, width=width)
    draw.ellipse((cx, y0 + 0.08 * s, cx + 0.3 * s, lid_top + 0.02 * s), outline=palette.ink, width=width)
    draw.rounded_rectangle((x0 + 0.08 * s, lid_bottom, x1 - 0.08 * s, y1), radius=0.04 * s, fill=palette.ink)
    draw.rounded_rectangle((x0, lid_top, x1, lid_bottom), radius=0.03 * s, fill=palette.ink)
    draw.rectangle((cx - 0.06 * s, lid_top, cx + 0.06 * s, y1), fill=palette.disc)


ICONS: dict[str, Callable[[ImageDraw.ImageDraw, Box, Palette], None]] = {
    "star": _star,
    "candle": _candle,
    "gem": _gem,
    "bag": _bag,
    "envelope": _envelope,
    "pencil": _pencil,
    "blocks": _blocks,
    "mug": _mug,
    "flower": _flower,
    "house": _house,
    "gift": _gift,
}


def _lines_wrap(draw: ImageDraw.ImageDraw, text: str, font: Font, width: float) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        if lines and draw.textlength(f"{lines[-1]} {word}", font=font) <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines


def _lines_balance(draw: ImageDraw.ImageDraw, text: str, font: Font, width: float) -> list[str]:
    """Wrapped into as few lines as fit `width`, but as even as those allow ("Regency Cakestand /
    3 Tier", not "Regency Cakestand 3 / Tier")."""
    lines = _lines_wrap(draw, text, font, width)
    narrower = width
    while narrower > width / 3:
        narrower *= 0.95
        tried = _lines_wrap(draw, text, font, narrower)
        if len(tried) != len(lines) or any(draw.textlength(line, font=font) > narrower for line in tried):
            break
        lines = tried
    return lines


def _title_fit(draw: ImageDraw.ImageDraw, title: str, width: float) -> tuple[Font, list[str]]:
    """The largest size at which the title fits in three lines; long titles get four, smaller."""
    largest, smallest = round(0.065 * _CANVAS), round(0.04 * _CANVAS)
    for size in range(largest, smallest, -max(1, round(0.004 * _CANVAS))):
        font = _font(size, bold=True)
        lines = _lines_wrap(draw, title, font, width)
        if len(lines) <= 3 and all(draw.textlength(line, font=font) <= width for line in lines):
            return font, _lines_balance(draw, title, font, width)
    font = _font(smallest, bold=True)
    lines = _lines_balance(draw, title, font, width)
    if len(lines) > 4:
        lines = [*lines[:3], lines[3] + "…"]
    return font, lines


def image_render(*, title: str, icon: str, shop_name: str) -> bytes:
    """A JPEG card of IMAGE_SIZE pixels square for a product."""
    palette = PALETTES.get(icon, PALETTES["gift"])
    image = Image.new("RGB", (_CANVAS, _CANVAS), palette.background)
    draw = ImageDraw.Draw(image)
    c = _CANVAS

    disc_x, disc_y, disc_r = c / 2, 0.34 * c, 0.2 * c
    draw.ellipse((disc_x - disc_r, disc_y - disc_r, disc_x + disc_r, disc_y + disc_r), fill=palette.disc)
    half = 0.115 * c
    ICONS.get(icon, _gift)(draw, (disc_x - half, disc_y - half, disc_x + half, disc_y + half), palette)

    font, lines = _title_fit(draw, title, width=0.84 * c)
    line_height = font.size * 1.22 if isinstance(font, ImageFont.FreeTypeFont) else 0.05 * c
    y = 0.755 * c - line_height * len(lines) / 2
    for line in lines:
        draw.text((c / 2, y), line, font=font, fill=palette.text, anchor="ma")
        y += line_height

    mark = " ".join(shop_name.upper())  # letter-spaced
    small = _font(int(0.026 * c), bold=False)
    draw.text((c / 2, 0.935 * c), mark, font=small, fill=palette.ink, anchor="mm")
    rule = draw.textlength(mark, font=small) / 2 + 0.03 * c
    for start, end in ((c / 2 - rule - 0.06 * c, c / 2 - rule), (c / 2 + rule, c / 2 + rule + 0.06 * c)):
        draw.line((start, 0.935 * c, end, 0.935 * c), fill=palette.ink, width=_SCALE)

    output = io.BytesIO()
    image.reduce(_SCALE).save(output, "JPEG", quality=88)
    return output.getvalue()


@dataclass(frozen=True)
class ImageJob:
    product_id: int
    title: str
    icon: str
    filename: str  # e.g. "hanging-jam-jar-t-light-holder.jpg"; the storage adds the upload folder


@dataclass(frozen=True)
class StoredImage:
    product_id: int
    name: str  # the file's name in the default storage, for ProductImage.image


def image_store(job: ImageJob) -> StoredImage:
    """Draw a product's picture and save it where ProductImage would, with its renditions.

    Writes files only, never the database, so it can run in a worker process.
    """
    image = ProductImage(alt_text=job.title)
    content = ContentFile(image_render(title=job.title, icon=job.icon, shop_name=str(settings.SHOP_NAME)))
    image.image.save(job.filename, content, save=False)
    # The rows are bulk-created, which sends no post_save; tell imagekit what a save would have,
    # so that its cache-file strategy writes the renditions now, as for any uploaded image.
    signal_router.post_save_receiver(sender=ProductImage, instance=image, created=True)
    return StoredImage(product_id=job.product_id, name=image.image.name)


def images_store(*, jobs: Sequence[ImageJob], processes: int = 1) -> Iterator[StoredImage]:
    """Store the pictures for `jobs`, in any order, using up to `processes` worker processes.

    Workers are forked, so they share this process's settings (and a test's overrides); where
    fork is not available (Windows), or for a handful of jobs, the work is done here.
    """
    if processes <= 1 or len(jobs) < 2 * processes or "fork" not in multiprocessing.get_all_start_methods():
        yield from map(image_store, jobs)
        return
    with multiprocessing.get_context("fork").Pool(processes) as pool:
        yield from pool.imap_unordered(image_store, jobs, chunksize=8)
