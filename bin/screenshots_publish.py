"""Copies the pictures of the screenshot tests to docs/screenshots/ (README)
and to the static/description/ of the addon each belongs to (its page in the
Apps menu), as palette PNGs (256 colours, no dithering: a screen of flat
colours and text stays sharp at a fraction of the size).

Usage: screenshots_publish.py <directory of the test's PNGs>
"""

import ast
import sys
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
TEST = ROOT / "tests" / "screenshots" / "test_screenshots.py"
MAX_BYTES = 250 * 1024


def screens():
    """The SCREENS mapping of the test (picture -> addon), read without
    importing the test (that needs Odoo)."""
    for node in ast.parse(TEST.read_text()).body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "SCREENS" for t in node.targets):
            return ast.literal_eval(node.value)
    raise SystemExit(f"no SCREENS in {TEST}")


def optimize(source, target):
    image = Image.open(source).convert("RGB")
    image = image.quantize(colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    target.parent.mkdir(parents=True, exist_ok=True)
    image.save(target, format="PNG", optimize=True)
    return target.stat().st_size


def main(source_dir):
    source_dir = Path(source_dir)
    missing = [name for name in screens() if not (source_dir / f"{name}.png").is_file()]
    if missing:
        print(f"missing pictures: {', '.join(missing)}; nothing copied", file=sys.stderr)
        return 1
    too_big = []
    for name, addon in screens().items():
        docs = ROOT / "docs" / "screenshots" / f"{name}.png"
        size = optimize(source_dir / f"{name}.png", docs)
        description = ROOT / addon / "static" / "description" / f"{name}.png"
        description.write_bytes(docs.read_bytes())
        print(f"{name}.png: {size // 1024} KiB -> docs/screenshots/, {addon}/static/description/")
        if size > MAX_BYTES:
            too_big.append(name)
    if too_big:
        print(f"over {MAX_BYTES // 1024} KiB: {', '.join(too_big)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
