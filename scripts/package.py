"""`make package`, `make package-sizes` and `make layer`: build the Lambda artefacts and report their sizes.

function: the dev stage's package exactly as `zappa package` builds it (trimmed by
          scripts/lean_package.py, Zappa's zip callback), checked against Lambda's 50 MB
          limit for a direct upload and against our own budget of 18 MiB zipped. With
          --record it writes the size of each part to deploy/package-sizes.json, which the
          budget check compares against to show what grew.
layer:    a Lambda layer holding boto3, botocore and their dependencies, built for
          Lambda's Linux x86_64 and Python 3.13, with the same service models as the package.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import tempfile
import zipfile
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scripts import lean_package  # noqa: E402

ROOT = lean_package.ROOT
BUILD = ROOT / "build"
DEPLOY_VENV = ROOT / ".venv-deploy"
UV = ROOT / ".uv" / "bin" / "uv"
MANIFEST = ROOT / "deploy" / "package-sizes.json"
MIB = 1024 * 1024
BUDGET = 18 * MIB
DIRECT_UPLOAD_LIMIT = 50 * MIB
UNZIPPED_LIMIT = 250 * MIB
LAYER_PACKAGES = ("boto3", "botocore", "s3transfer", "jmespath", "python-dateutil", "six", "urllib3")
LAYER_SITE = "python/lib/python3.13/site-packages"


def sizes(archive: Path) -> tuple[int, int]:
    with zipfile.ZipFile(archive) as zipped:
        return archive.stat().st_size, sum(info.file_size for info in zipped.infolist())


def part(name: str) -> str:
    """The part of the package a zip entry belongs to: its top-level folder or module,
    with a dist-info folder's version left out so an upgrade compares like with like."""
    top = name.split("/", 1)[0]
    return re.sub(r"-[^-]+\.dist-info$", ".dist-info", top)


def part_sizes(archive: Path) -> dict[str, int]:
    """Compressed bytes per part, biggest first."""
    totals: Counter[str] = Counter()
    with zipfile.ZipFile(archive) as zipped:
        for info in zipped.infolist():
            totals[part(info.filename)] += info.compress_size
    return dict(totals.most_common())


def manifest(archive: Path) -> dict[str, Any]:
    zipped, unzipped = sizes(archive)
    return {"zipped": zipped, "unzipped": unzipped, "parts": part_sizes(archive)}


def growth(archive: Path, *, recorded: dict[str, Any] | None = None, top: int = 12) -> list[str]:
    """Lines naming the parts whose compressed size moved most against the recorded manifest."""
    recorded = recorded if recorded is not None else json.loads(MANIFEST.read_text())
    now, before = part_sizes(archive), recorded["parts"]
    deltas = {name: now.get(name, 0) - before.get(name, 0) for name in now.keys() | before.keys()}
    moved = sorted((name for name in deltas if deltas[name]), key=lambda name: -abs(deltas[name]))[:top]
    zipped, _ = sizes(archive)
    lines = [f"zipped: {zipped / MIB:.2f} MiB, recorded {recorded['zipped'] / MIB:.2f} MiB in {MANIFEST.name}"]
    for name in moved:
        state = "new" if name not in before else "gone" if name not in now else f"{deltas[name] / MIB:+.2f} MiB"
        lines.append(f"  {name:<40} {now.get(name, 0) / MIB:6.2f} MiB  ({state})")
    return lines


def report(archive: Path, *, budget: int | None = None) -> int:
    zipped, unzipped = sizes(archive)
    print(f"{archive.relative_to(ROOT)}: {zipped / MIB:.1f} MiB zipped, {unzipped / MIB:.1f} MiB unzipped")
    if zipped > DIRECT_UPLOAD_LIMIT or unzipped > UNZIPPED_LIMIT:
        print("Too large for Lambda: 50 MiB zipped for a direct upload, 250 MiB unzipped.")
        return 1
    if budget is not None:
        print("\n".join(growth(archive)))
        if zipped > budget:
            print(f"Over the package budget of {budget / MIB:.0f} MiB zipped.")
            return 1
    return 0


def build_function(stage: str = "dev", *, output: Path | None = None) -> Path:
    """`zappa package` of a stage (which runs the trimming zip callback); returns the zip."""
    archive = output or BUILD / f"mediahub-{stage}.zip"
    archive.parent.mkdir(parents=True, exist_ok=True)
    env = {
        "PATH": f"{DEPLOY_VENV / 'bin'}:/usr/bin:/bin",
        "VIRTUAL_ENV": str(DEPLOY_VENV),
        "AWS_DEFAULT_REGION": "us-east-1",
        # Packaging needs no AWS; never let botocore go looking for instance credentials.
        "AWS_EC2_METADATA_DISABLED": "true",
    }
    subprocess.run(
        [str(DEPLOY_VENV / "bin" / "zappa"), "package", stage, "-o", str(archive)], cwd=ROOT, env=env, check=True
    )
    return archive


def pinned(names: tuple[str, ...]) -> str:
    """The blocks of requirements/runtime.txt (pin, hashes, comments) for `names`."""
    wanted = {lean_package.canonical(name) for name in names}
    blocks = re.split(r"\n(?=\S)", lean_package.RUNTIME_LOCK.read_text())
    return "\n".join(block for block in blocks if lean_package.canonical(block.split("==")[0]) in wanted) + "\n"


def build_layer() -> Path:
    target = BUILD / "layer"
    subprocess.run(["rm", "-rf", str(target)], check=True)
    site = target / LAYER_SITE
    with tempfile.NamedTemporaryFile("w", suffix=".txt") as requirements:
        requirements.write(pinned(LAYER_PACKAGES))
        requirements.flush()
        subprocess.run(
            [str(UV), "pip", "install", "--quiet", "--no-deps", "--require-hashes", "--only-binary", ":all:"]
            + ["--python-platform", "x86_64-manylinux_2_28", "--python-version", "3.13"]
            + ["--target", str(site), "-r", requirements.name],
            check=True,
        )
    services = lean_package.kept_services()
    archive = BUILD / "mediahub-layer.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zipped:
        for path in sorted(target.rglob("*")):
            in_site = path.relative_to(site).as_posix() if path.is_relative_to(site) else ""
            wanted = path.is_file() and "__pycache__" not in path.parts and path.name != ".lock"
            if wanted and not lean_package.unused_model(in_site, services):
                zipped.write(path, path.relative_to(target))
    return archive


def main() -> int:
    what = sys.argv[1:] or ["function"]
    if what[0] == "function" and what[1:] in ([], ["--record"]):
        archive = build_function()
        if what[1:] == ["--record"]:
            MANIFEST.write_text(json.dumps(manifest(archive), indent=4) + "\n")
            print(f"Recorded the package's part sizes in {MANIFEST.relative_to(ROOT)}.")
        return report(archive, budget=BUDGET)
    if what == ["layer"]:
        return report(build_layer())
    print("usage: package.py function [--record] | layer", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
