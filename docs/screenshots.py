"""The README's screenshots of the map: ky, ru and en at 1440×900 (desktop) and 390×844 (a
phone), on the demo data and the real boundaries, in Debian's headless Chromium.

    python -m docs.screenshots [--out docs/screenshots] [--geodata ../shared/geodata/kgz]

Run from the repository root with the test extra installed. The app is built over a fresh
temporary data directory (so the demo data is seeded as on a first `aimak serve`), served
with waitress on loopback and photographed once the map has drawn and Dash is idle. Each
image is written as a palette PNG (the map's flat colours survive; the files stay small).
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from PIL import Image

from dashboard import create_app
from dashboard.cli.serve import prepare_database
from dashboard.settings import Settings
from tests.browser import chromium, serve, wait_for, wait_until_idle

SIZES = {"desktop": (1440, 900), "phone": (390, 844)}
LANGUAGES = ("ky", "ru", "en")
GRAPH = "document.querySelector('#map .js-plotly-plot')"
DRAWN = f"{GRAPH} && document.querySelector('#map .choroplethlocation')"


def inner_size(driver, width: int, height: int) -> None:
    """Resize the window so that the page's viewport is `width`×`height` CSS pixels."""
    driver.set_window_size(width, height)
    inner = driver.execute_script("return [window.innerWidth, window.innerHeight]")
    driver.set_window_size(2 * width - inner[0], 2 * height - inner[1])


def shoot(out: Path, geodata: Path | None) -> list[Path]:
    written = []
    with tempfile.TemporaryDirectory() as data_dir:
        settings = Settings(data_dir=Path(data_dir), geodata_dir=geodata)
        app = create_app(settings, engine=prepare_database(settings))  # as `aimak serve` does
        with serve(app) as origin, chromium() as driver:
            for size, (width, height) in SIZES.items():
                if size == "phone":  # a touch screen at the phone's pixel ratio 1
                    driver.execute_cdp_cmd("Emulation.setTouchEmulationEnabled", {"enabled": True})
                inner_size(driver, width, height)
                for lang in LANGUAGES:
                    driver.get(f"{origin}/?lang={lang}")
                    wait_for(driver, DRAWN, timeout=60)
                    # the labels are placed again once the page reported the map's size
                    wait_for(driver, f"{GRAPH}.dataset.plotSize", timeout=60)
                    wait_until_idle(driver, timeout=60)
                    path = out / f"map-{lang}-{size}.png"
                    driver.save_screenshot(str(path))
                    Image.open(path).convert("RGB").quantize(256).save(path, optimize=True)
                    written.append(path)
    return written


def run(make, description: str, argv=None) -> None:
    """The command line of a maker of the README's pictures: `make(out, geodata)` writes them
    and returns their paths, printed with their sizes."""
    parser = argparse.ArgumentParser(description=description.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("docs/screenshots"))
    parser.add_argument("--geodata", type=Path, default=None)
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    for path in make(args.out, args.geodata):
        with Image.open(path) as image:
            print(f"{path}  {image.width}×{image.height}  {path.stat().st_size:,} B")


def main(argv=None) -> None:
    run(shoot, __doc__, argv)


if __name__ == "__main__":
    main()
