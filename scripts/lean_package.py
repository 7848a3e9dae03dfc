"""Zappa's `zip` callback: trims the Lambda package to what runs on Lambda.

zappa_settings.json names `scripts.lean_package.trim` as the `zip` callback. Zappa calls it
right after it has built the zip and before it uploads it, for `zappa package`, `zappa
deploy` and `zappa update` alike (zappa/cli.py, `self.callback("zip")`). Zappa itself goes on
running on the deploy virtualenv's full botocore (it needs Lambda, API Gateway, IAM,
CloudFormation ...); only the zip shrinks. The trim drops:

- every distribution installed in the deploy virtualenv that neither requirements/runtime.txt
  nor Zappa's handler needs: Zappa's deploy-time tools (troposphere, pip, setuptools,
  requests, ...), found from their installed file lists;
- botocore's and boto3's models of every AWS service except the ones the portal calls
  (`mediahub.aws.SERVICES`) and S3, from which Zappa's handler loads `remote_env`. These
  models are most of botocore's size;
- source maps, which only a developer's browser tools read, and Django Ninja's ReDoc bundle
  (the API's docs page is its Swagger UI).
"""

from __future__ import annotations

import importlib.metadata
import re
import sys
import sysconfig
import zipfile
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RUNTIME_LOCK = ROOT / "requirements" / "runtime.txt"
# What zappa/handler.py imports on Lambda besides the runtime dependencies.
HANDLER_DISTRIBUTIONS = frozenset({"zappa", "werkzeug", "markupsafe", "durationpy"})
# zappa/handler.py reads the stage's `remote_env` file with boto3's S3 resource.
HANDLER_SERVICES = frozenset({"s3"})
# Folders of per-service models: botocore/data/<service>/<api-version>/..., boto3/data/<service>/...
SERVICE_DATA = ("botocore/data/", "boto3/data/")


def kept_services() -> frozenset[str]:
    """The AWS services whose models ship: the portal's own and the handler's."""
    if str(ROOT) not in sys.path:  # Zappa loads this file by path, from the project's folder
        sys.path.insert(0, str(ROOT))
    from mediahub.aws import SERVICES

    return frozenset(SERVICES) | HANDLER_SERVICES


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def shipped_distributions() -> frozenset[str]:
    """Distribution names pinned in requirements/runtime.txt, plus the handler's own."""
    pinned = re.findall(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==", RUNTIME_LOCK.read_text(), flags=re.MULTILINE)
    return frozenset(canonical(name) for name in pinned) | HANDLER_DISTRIBUTIONS


def deploy_only(site_packages: Path) -> tuple[frozenset[str], frozenset[str]]:
    """Files (relative to site-packages, the zip's root) that only deploy-time distributions
    installed, and the top-level folders and modules that only they own (Zappa adds
    `__init__.py` files of its own in those)."""
    shipped = shipped_distributions()
    files: dict[bool, set[str]] = {True: set(), False: set()}
    for dist in importlib.metadata.distributions(path=[str(site_packages)]):
        installed = {str(path) for path in dist.files or () if not str(path).startswith("..")}
        files[canonical(dist.metadata["Name"]) in shipped] |= installed
    tops = {path.split("/")[0] for path in files[False]} - {path.split("/")[0] for path in files[True]}
    return frozenset(files[False] - files[True]), frozenset(tops)


def unused_model(name: str, services: frozenset[str]) -> bool:
    """Whether a zip entry is a model of an AWS service the package does not call.
    Files directly in botocore/data (endpoints, partitions, retry rules) always stay."""
    for prefix in SERVICE_DATA:
        if name.startswith(prefix):
            service, _, rest = name.removeprefix(prefix).partition("/")
            return bool(rest) and service not in services
    return False


def unserved(name: str) -> bool:
    """Whether a zip entry is a static file the deployed portal never serves."""
    return name.endswith(".map") or name == "ninja/static/ninja/redoc.standalone.js"


def trim_archive(archive: Path, *, site_packages: Path, services: frozenset[str]) -> tuple[int, int]:
    """Rewrite `archive` without deploy-only files and unused service models.
    Returns the number of entries and the uncompressed bytes dropped."""
    deploy_only_files, deploy_only_tops = deploy_only(site_packages)
    trimmed = archive.with_suffix(".trimmed.zip")
    dropped = dropped_bytes = 0
    with zipfile.ZipFile(archive) as source, zipfile.ZipFile(trimmed, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            top = info.filename.split("/")[0]
            name = info.filename
            if name in deploy_only_files or top in deploy_only_tops or unused_model(name, services) or unserved(name):
                dropped += 1
                dropped_bytes += info.file_size
                continue
            target.writestr(info, source.read(info))
    trimmed.replace(archive)
    return dropped, dropped_bytes


def trim(cli: Any) -> None:
    """The `zip` callback; Zappa passes its ZappaCLI, whose `zip_path` is the built package."""
    if cli.stage_config.get("slim_handler"):
        raise RuntimeError("scripts/lean_package.py trims a whole-project zip; slim_handler must stay off.")
    services = kept_services()
    site_packages = Path(sysconfig.get_path("purelib"))
    dropped, dropped_bytes = trim_archive(Path(cli.zip_path), site_packages=site_packages, services=services)
    print(
        f"Lean package: dropped {dropped} files ({dropped_bytes / 2**20:.1f} MiB unzipped) of deploy-only "
        f"packages and unused AWS service models; kept the models of {', '.join(sorted(services))}."
    )
