"""`make package` and `make layer`: build the Lambda artefacts and report their sizes.

function: the dev stage's package exactly as `zappa package` builds it, checked
          against Lambda's 50 MB limit for a direct upload.
layer:    a Lambda layer holding the heavy dependencies (boto3 and botocore, which
          are most of the package), built for Lambda's Linux x86_64 and Python 3.13.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUILD = ROOT / "build"
DEPLOY_VENV = ROOT / ".venv-deploy"
UV = ROOT / ".uv" / "bin" / "uv"
RUNTIME_LOCK = ROOT / "requirements" / "runtime.txt"
DIRECT_UPLOAD_LIMIT = 50 * 1024 * 1024
UNZIPPED_LIMIT = 250 * 1024 * 1024
LAYER_PACKAGES = ("boto3", "botocore", "s3transfer", "jmespath", "python-dateutil", "six", "urllib3")


def sizes(archive: Path) -> tuple[int, int]:
    with zipfile.ZipFile(archive) as zipped:
        return archive.stat().st_size, sum(info.file_size for info in zipped.infolist())


def report(archive: Path) -> int:
    zipped, unzipped = sizes(archive)
    mib = 1024 * 1024
    print(f"{archive.relative_to(ROOT)}: {zipped / mib:.1f} MiB zipped, {unzipped / mib:.1f} MiB unzipped")
    if zipped > DIRECT_UPLOAD_LIMIT or unzipped > UNZIPPED_LIMIT:
        print("Too large for Lambda: 50 MiB zipped for a direct upload, 250 MiB unzipped.")
        return 1
    return 0


def build_function(stage: str = "dev") -> Path:
    BUILD.mkdir(exist_ok=True)
    archive = BUILD / f"mediahub-{stage}.zip"
    env = {
        "PATH": f"{DEPLOY_VENV / 'bin'}:/usr/bin:/bin",
        "VIRTUAL_ENV": str(DEPLOY_VENV),
        "AWS_DEFAULT_REGION": "us-east-1",
    }
    subprocess.run(
        [str(DEPLOY_VENV / "bin" / "zappa"), "package", stage, "-o", str(archive)], cwd=ROOT, env=env, check=True
    )
    return archive


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pinned(names: tuple[str, ...]) -> str:
    """The blocks of requirements/runtime.txt (pin, hashes, comments) for `names`."""
    wanted = {canonical(name) for name in names}
    blocks = re.split(r"\n(?=\S)", RUNTIME_LOCK.read_text())
    return "\n".join(block for block in blocks if canonical(block.split("==")[0]) in wanted) + "\n"


def build_layer() -> Path:
    target = BUILD / "layer"
    subprocess.run(["rm", "-rf", str(target)], check=True)
    site = target / "python" / "lib" / "python3.13" / "site-packages"
    with tempfile.NamedTemporaryFile("w", suffix=".txt") as requirements:
        requirements.write(pinned(LAYER_PACKAGES))
        requirements.flush()
        subprocess.run(
            [str(UV), "pip", "install", "--quiet", "--no-deps", "--require-hashes", "--only-binary", ":all:"]
            + ["--python-platform", "x86_64-manylinux_2_28", "--python-version", "3.13"]
            + ["--target", str(site), "-r", requirements.name],
            check=True,
        )
    archive = BUILD / "mediahub-layer.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zipped:
        for path in sorted(target.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts and path.name != ".lock":
                zipped.write(path, path.relative_to(target))
    return archive


def main() -> int:
    what = sys.argv[1:] or ["function"]
    if what == ["function"]:
        return report(build_function())
    if what == ["layer"]:
        return report(build_layer())
    print("usage: package.py function|layer", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
