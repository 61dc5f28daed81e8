#!/usr/bin/env python3
"""Writes each addon's README.rst from its readme/*.md fragments (the OCA
layout): DESCRIPTION, CONFIGURE, USAGE, ROADMAP. Inline `code` becomes
``code``; everything else is kept as written."""

import ast
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SECTIONS = [("DESCRIPTION", "Description"), ("CONFIGURE", "Configuration"), ("USAGE", "Usage"), ("ROADMAP", "Roadmap")]


def rst(text):
    return re.sub(r"(?<!`)`([^`\n]+)`(?!`)", r"``\1``", text)


def main(addons):
    for addon in addons:
        path = ROOT / addon
        name = ast.literal_eval((path / "__manifest__.py").read_text())["name"]
        out = [name, "=" * len(name), "", ".. Generated from the readme/ fragments; edit those.", ""]
        for fragment, title in SECTIONS:
            md = path / "readme" / f"{fragment}.md"
            if md.exists():
                out += [title, "-" * len(title), "", rst(md.read_text().strip()), ""]
        (path / "README.rst").write_text("\n".join(out))


if __name__ == "__main__":
    main(sys.argv[1:] or ["loyalty_lifecycle", "referral_program", "survey_nps"])
