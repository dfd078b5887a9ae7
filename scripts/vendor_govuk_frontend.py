#!/usr/bin/env python3
"""Vendor GOV.UK Frontend's compiled CSS and JS into api/static/govuk/, so running the app needs no Node.

Usage: python scripts/vendor_govuk_frontend.py [VERSION]   (default: the version in VERSION below)

Tunnelview is not a GOV.UK service: the GDS Transport font faces are stripped from the CSS (text falls
back to Arial) and no crown, crest or GOV.UK images are copied.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

VERSION = "6.6.0"
TARGET = Path(__file__).resolve().parent.parent / "api" / "static" / "govuk"
FONT_FACE = re.compile(r"@font-face\{[^}]*\}")


def main(version: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            ["npm", "pack", f"govuk-frontend@{version}", "--silent"], cwd=tmp, check=True, capture_output=True
        )
        archive = next(Path(tmp).glob("govuk-frontend-*.tgz"))
        with tarfile.open(archive) as tar:
            tar.extractall(tmp, filter="data")
        dist = Path(tmp) / "package" / "dist" / "govuk"
        TARGET.mkdir(parents=True, exist_ok=True)
        css = (dist / "govuk-frontend.min.css").read_text(encoding="utf-8")
        css = FONT_FACE.sub("", css)
        css = re.sub(r"/\*# sourceMappingURL=.*?\*/", "", css)
        (TARGET / "govuk-frontend.min.css").write_text(css, encoding="utf-8")
        js = (dist / "govuk-frontend.min.js").read_text(encoding="utf-8")
        js = re.sub(r"//# sourceMappingURL=.*", "", js)
        (TARGET / "govuk-frontend.min.js").write_text(js, encoding="utf-8")
        package = json.loads((Path(tmp) / "package" / "package.json").read_text(encoding="utf-8"))
        (TARGET / "VERSION").write_text(
            f"govuk-frontend {package['version']} ({package.get('license', 'see package')} licence, "
            "Crown copyright; https://github.com/alphagov/govuk-frontend)\n",
            encoding="utf-8",
        )
    print(f"Vendored govuk-frontend {version} into {TARGET}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else VERSION)
