"""Processing cost: time and peak memory of the one processing step (`media_process`) for
a 20-megapixel JPEG, PNGs at and far above the pixel budget, and videos of growing size,
against MiniStack on loopback.

Each case runs in a fresh process. Its peak is the resident high-water mark, reset just
before the step (Linux's /proc/self/clear_refs); the baseline is the same process
skipping the step. The checksum pass, which follows a ready item off the request, runs
inline here (MEDIAHUB_CHECKSUM_RUNNER=inline), so the figures cover all the reading a
file costs and stay comparable with those recorded before it moved. Video sizes default
to 50 and 500 MiB: memory must not grow with the file, while time grows with the bytes
the checksum has to stream. The 13,000 × 13,000 PNG
(a few hundred KB) runs twice: refused by the pixel budget, and with the budget lifted,
to show what decoding it would cost.

Run: .venv/bin/python bench/processing.py [--video-mib 50 500]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scripts import ministack  # noqa: E402

CHILD = r"""
import json, os, sys, time
import django
django.setup()
from django.core.management import call_command
from uploads import services, storage
from uploads.models import MediaItem
from ulid import ULID

path, content_type, process = sys.argv[1], sys.argv[2], sys.argv[3] == "1"
call_command("setup_aws", stdout=open(os.devnull, "w"))
media_id = str(ULID())
key = f"media/{media_id}/{os.path.basename(path)}"
from mediahub import aws
aws.s3().upload_file(path, os.environ["MEDIAHUB_BUCKET"], key)
item = services._new_item(media_id=media_id, owner="bench", name="bench", caption="", filename=os.path.basename(path),
                          key=key, content_type=content_type, size=os.path.getsize(path))
item.save()
def status(field):
    for line in open("/proc/self/status"):
        if line.startswith(field):
            return int(line.split()[1])
# Reset the high-water mark (VmHWM) so the peak below is this step's alone.
with open("/proc/self/clear_refs", "w") as refs:
    refs.write("5")
before = status("VmRSS:")
started = time.perf_counter()
if process:
    item = services.media_process(item=item)
elapsed = time.perf_counter() - started
peak = status("VmHWM:")
result = {"status": item.status, "reason": item.reason, "seconds": elapsed, "peak_kib": peak, "before_kib": before}
print(json.dumps(result))
"""


def jpeg_20mp(path: Path) -> Path:
    from PIL import Image

    image = Image.effect_noise((5472, 3648), 40).convert("RGB")  # 20 MP, camera-like noise
    image.save(path, "JPEG", quality=90)
    return path


def png(path: Path, side: int) -> Path:
    """A flat RGB PNG: tiny on disk, `side` × `side` pixels once decoded."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (side, side), (30, 90, 160))
    ImageDraw.Draw(image).rectangle((side // 4, side // 4, side // 2, side // 2), fill=(240, 200, 40))
    image.save(path, "PNG")
    return path


def run(path: Path, content_type: str, env: dict[str, str], *, process: bool) -> dict[str, Any]:
    result = subprocess.run(
        [sys.executable, "-c", CHILD, str(path), content_type, "1" if process else "0"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    measured: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return measured


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--video-mib", type=int, nargs="+", default=[50, 500])
    args = parser.parse_args()
    from tests.media import mp4_file

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        port = ministack.free_port()
        emulator = ministack.start(port=port, state_dir=folder / "ministack")
        env = {
            **ministack.client_env(port),
            "DJANGO_SETTINGS_MODULE": "mediahub.settings",
            "PYTHONPATH": str(ROOT),
            "MEDIAHUB_BUCKET": "mediahub-bench",
            "MEDIAHUB_TABLE_PREFIX": "mediahub-bench",
            "MEDIAHUB_CHECKSUM_RUNNER": "inline",
        }
        bomb = png(folder / "bomb.png", 13_000)
        unlimited = {"MEDIAHUB_MAX_IMAGE_PIXELS": str(10**12)}
        cases = [
            ("20 MP JPEG", jpeg_20mp(folder / "photo.jpg"), "image/jpeg", {}),
            ("64 MP PNG, at the budget", png(folder / "budget.png", 8_000), "image/png", {}),
            ("169 MP PNG", bomb, "image/png", {}),
            ("169 MP PNG, budget lifted", bomb, "image/png", unlimited),
        ]
        for mib in args.video_mib:
            clip = mp4_file(folder / f"clip{mib}.mp4", size=mib * 1024 * 1024)
            cases.append((f"{mib} MiB MP4", clip, "video/mp4", {}))
        try:
            print("case | file | baseline peak | processing peak | growth | time | status")
            for label, path, content_type, extra in cases:
                baseline = run(path, content_type, {**env, **extra}, process=False)
                measured = run(path, content_type, {**env, **extra}, process=True)
                growth = (measured["peak_kib"] - baseline["peak_kib"]) / 1024
                size = path.stat().st_size / (1024 * 1024)
                print(
                    f"{label} | {size:.2f} MiB | {baseline['peak_kib'] / 1024:.0f} MiB | "
                    f"{measured['peak_kib'] / 1024:.0f} MiB | {growth:+.0f} MiB | {measured['seconds']:.2f} s | "
                    f"{measured['status']} {measured['reason'] or ''}"
                )
        finally:
            ministack.stop(emulator)


if __name__ == "__main__":
    main()
