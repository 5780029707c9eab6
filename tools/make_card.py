"""Draw the site's share card (1200 x 630) and PNG favicon from generator/assets/favicon.svg.

Run once, when the mark or the card should change (needs Debian's chromium and Playwright):
    .venv/bin/python tools/make_card.py generator/assets

Writes card.png (Open Graph and Twitter card image) and favicon.png (192 x 192, for browsers
and home screens that take no SVG). The PNGs are committed: the build does not draw them.
"""

from __future__ import annotations

import base64
import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

CARD = """<!doctype html>
<html><head><meta charset="utf-8"><style>
html, body {{ margin: 0; width: 1200px; height: 630px; }}
body {{
  box-sizing: border-box; padding: 72px 80px; display: flex; flex-direction: column;
  justify-content: space-between; background: #1b5e20; color: #ffffff;
  font-family: "DejaVu Sans", "Liberation Sans", sans-serif;
}}
.top {{ display: flex; align-items: center; gap: 36px; }}
.mark {{ width: 128px; height: 128px; flex: none; border-radius: 28px;
  outline: 3px solid #ffffff66; }}
h1 {{ font-size: 54px; line-height: 1.1; margin: 0; font-weight: 700; letter-spacing: -1px; }}
p {{ font-size: 34px; line-height: 1.35; margin: 0; max-width: 1000px; color: #e8f5e9; }}
.pillars {{ display: flex; gap: 10px; flex-wrap: wrap; }}
.pillars span {{
  font-size: 21px; padding: 5px 14px; border: 2px solid #ffffffb3; border-radius: 30px;
}}
.rule {{ height: 8px; background: #ffb877; width: 160px; border-radius: 4px; }}
</style></head><body>
<div class="top"><img class="mark" src="data:image/svg+xml;base64,{mark}" alt="">
<h1>Community Wealth Building<br>knowledge base</h1></div>
<div class="rule"></div>
<p>How places keep more of their wealth local: case studies with sourced figures.</p>
<div class="pillars"><span>Procurement</span><span>Workforce</span><span>Land and property</span>
<span>Finance</span><span>Plural ownership</span></div>
</body></html>"""

ICON = """<!doctype html><html><head><style>html, body {{ margin: 0; background: transparent; }}
img {{ display: block; width: 192px; height: 192px; }}</style></head>
<body><img src="data:image/svg+xml;base64,{mark}" alt=""></body></html>"""


def main(assets: Path) -> None:
    """Render the card and the PNG favicon beside the SVG mark."""
    mark = base64.b64encode((assets / "favicon.svg").read_bytes()).decode()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"]
        )
        page = browser.new_page(viewport={"width": 1200, "height": 630})
        page.set_content(CARD.format(mark=mark))
        page.screenshot(path=str(assets / "card.png"))
        page = browser.new_page(viewport={"width": 192, "height": 192})
        page.set_content(ICON.format(mark=mark))
        page.screenshot(path=str(assets / "favicon.png"), omit_background=True)
        browser.close()


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "generator/assets"))
