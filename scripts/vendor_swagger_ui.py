#!/usr/bin/env python3
"""Vendor Swagger UI's compiled bundle and styles into api/static/swagger-ui/, so `/docs` works offline
and under the strict Content-Security-Policy (nothing loaded from another origin).

Usage: python scripts/vendor_swagger_ui.py [VERSION]   (default: the version in VERSION below)

Copies `swagger-ui-bundle.js`, `swagger-ui.css` and the licence (Apache-2.0) from the npm package
`swagger-ui-dist`, without their source maps.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

VERSION = "5.35.0"
TARGET = Path(__file__).resolve().parent.parent / "api" / "static" / "swagger-ui"
SOURCE_MAP = re.compile(r"\n?(//|/\*)# sourceMappingURL=[^\n]*")


def main(version: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        npm_pack = ["npm", "pack", f"swagger-ui-dist@{version}", "--silent"]
        subprocess.run(npm_pack, cwd=tmp, check=True, capture_output=True)
        archive = next(Path(tmp).glob("swagger-ui-dist-*.tgz"))
        with tarfile.open(archive) as tar:
            tar.extractall(tmp, filter="data")
        package = Path(tmp) / "package"
        TARGET.mkdir(parents=True, exist_ok=True)
        for name in ("swagger-ui-bundle.js", "swagger-ui.css"):
            text = (package / name).read_text(encoding="utf-8")
            (TARGET / name).write_text(SOURCE_MAP.sub("", text), encoding="utf-8")
        (TARGET / "LICENSE").write_text((package / "LICENSE").read_text(encoding="utf-8"), encoding="utf-8")
        meta = json.loads((package / "package.json").read_text(encoding="utf-8"))
        (TARGET / "VERSION").write_text(
            f"swagger-ui-dist {meta['version']} ({meta.get('license', 'see LICENSE')} licence, SmartBear "
            "Software; https://github.com/swagger-api/swagger-ui)\n",
            encoding="utf-8",
        )
    print(f"Vendored swagger-ui-dist {version} into {TARGET}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else VERSION)
