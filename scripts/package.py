"""`make package` and `make layer`: build the Lambda artefacts and report their sizes.

function: the dev stage's package exactly as `zappa package` builds it, checked
          against Lambda's 50 MB limit for a direct upload.
layer:    a Lambda layer holding the heavy dependencies (boto3 and botocore, which
          are most of the package), built for Lambda's Linux x86_64 and Python 3.11.
"""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUILD = ROOT / "build"
DEPLOY_VENV = ROOT / ".venv-deploy"
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


def pinned(names: tuple[str, ...]) -> list[str]:
    wanted = {name.lower() for name in names}
    lines = (ROOT / "requirements.txt").read_text().splitlines()
    return [line for line in lines if line.split("==")[0].lower() in wanted]


def build_layer() -> Path:
    target = BUILD / "layer"
    subprocess.run(["rm", "-rf", str(target)], check=True)
    site = target / "python" / "lib" / "python3.11" / "site-packages"
    pip = [str(DEPLOY_VENV / "bin" / "pip"), "install", "--quiet", "--disable-pip-version-check", "--no-deps"]
    platform = ["--platform", "manylinux2014_x86_64", "--python-version", "3.11", "--only-binary=:all:"]
    subprocess.run([*pip, *platform, "--target", str(site), *pinned(LAYER_PACKAGES)], check=True)
    archive = BUILD / "mediahub-layer.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zipped:
        for path in sorted(target.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
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
