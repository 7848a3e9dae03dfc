"""The Lambda package as `zappa package` builds it: within its size budget, and complete.

The package is built once for this module (about ten seconds), unzipped, and run by a
bare Python that sees nothing but the package, as Lambda does: it must serve a page
through Zappa's handler, make S3 and DynamoDB clients, and read and thumbnail media,
while the service models it does not need are gone.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from scripts import lean_package, package
from tests import media

ROOT = package.ROOT

SMOKE = r"""
import io, json, sys
from types import SimpleNamespace

sys.path[:0] = sys.argv[1:3]  # the unzipped package, then this test's Zappa settings module
import boto3
import botocore.exceptions
from zappa.handler import LambdaHandler

host = "smoke.execute-api.us-east-1.amazonaws.com"
handler = LambdaHandler("smoke_settings")
statuses = {}
for path in ("/accounts/login/", "/static/css/site.css"):
    event = {
        "path": path, "httpMethod": "GET", "headers": {"Host": host, "X-Forwarded-Proto": "https"},
        "multiValueHeaders": {"Host": [host], "X-Forwarded-Proto": ["https"]}, "queryStringParameters": None,
        "requestContext": {"stage": "dev", "identity": {"sourceIp": "192.0.2.1"}}, "body": None,
        "isBase64Encoded": False,
    }
    statuses[path] = handler.handler(event, SimpleNamespace(aws_request_id="smoke"))["statusCode"]

from mediahub import aws
from pynamodb.connection import Connection
from uploads import metadata, thumbnails

clients = {service: type(aws.client(service)).__name__ for service in json.loads(sys.argv[3])}
clients["s3 resource"] = type(boto3.resource("s3")).__name__
clients["pynamodb"] = type(Connection(region="us-east-1").client).__name__
try:
    boto3.client("sqs")
    pruned = False
except botocore.exceptions.UnknownServiceError:
    pruned = True

files = json.loads(sys.argv[4])
def read(name, kind, content_type):
    with open(files[name], "rb") as source:
        return metadata.extract(source, kind=kind, content_type=content_type)
with open(files["jpeg"], "rb") as source:
    thumbnail = thumbnails.make_thumbnail(source)
print(json.dumps({
    "statuses": statuses,
    "clients": clients,
    "unused_models_gone": pruned,
    "image_width": read("jpeg", "image", "image/jpeg").width,
    "heic_orientation": read("heic", "image", "image/heic").orientation,
    "thumbnail_is_webp": thumbnail[8:12] == b"WEBP",
    "audio_seconds": read("wav", "audio", "audio/wav").duration,
    "pdf_pages": read("pdf", "document", "application/pdf").page_count,
    "modules_from": sorted({m.__file__.split(sys.argv[1])[0] for m in (boto3, metadata, thumbnails)}),
}))
"""

ZAPPA_SETTINGS = """API_STAGE = 'dev'
PROJECT_NAME = 'mediahub'
DEBUG = False
LOG_LEVEL = 'WARNING'
BINARY_SUPPORT = True
CONTEXT_HEADER_MAPPINGS = {}
DOMAIN = None
BASE_PATH = None
ENVIRONMENT_VARIABLES = {}
SETTINGS_FILE = None
EXCEPTION_HANDLER = None
ADDITIONAL_TEXT_MIMETYPES = []
DJANGO_SETTINGS = 'mediahub.settings'
"""


@pytest.fixture(scope="module")
def archive(tmp_path_factory) -> Path:
    if not (package.DEPLOY_VENV / "bin" / "zappa").exists():
        pytest.fail("Zappa is not installed in .venv-deploy: run `make test`, which installs it.")
    return package.build_function(output=tmp_path_factory.mktemp("package") / "mediahub-dev.zip")


def test_package_fits_its_budget(archive):
    zipped, unzipped = package.sizes(archive)

    what_grew = "\n".join(package.growth(archive))
    assert zipped <= package.BUDGET, (
        f"The Lambda package outgrew its {package.BUDGET // package.MIB} MiB budget:\n{what_grew}"
    )
    assert unzipped <= package.UNZIPPED_LIMIT


def test_what_grew_is_named_biggest_change_first(archive):
    recorded = package.manifest(archive)
    recorded["parts"]["PIL"] -= 3 * package.MIB
    recorded["parts"]["troposphere"] = package.MIB
    del recorded["parts"]["pypdf"]

    lines = package.growth(archive, recorded=recorded)

    assert lines[1].split() == ["PIL", f"{recorded['parts']['PIL'] / package.MIB + 3:.2f}", "MiB", "(+3.00", "MiB)"]
    assert lines[2].split()[0] == "troposphere" and lines[2].endswith("(gone)")
    assert lines[3].split()[0] == "pypdf" and lines[3].endswith("(new)")


def test_package_holds_only_runtime_code_and_the_models_it_uses(archive):
    with zipfile.ZipFile(archive) as zipped:
        names = zipped.namelist()

    models = {name.split("/")[2] for name in names if name.startswith("botocore/data/") and name.count("/") > 2}
    tops = {name.split("/")[0] for name in names}
    assert models == set(lean_package.kept_services()) == {"s3", "dynamodb", "lambda"}
    assert {"botocore/data/endpoints.json", "botocore/data/partitions.json", "botocore/data/_retry.json"} <= set(names)
    assert not tops & {"troposphere", "pip", "setuptools", "requests", "tests", "scripts", "docs", "node_modules"}
    assert {"handler.py", "mediahub", "accounts", "uploads", "static", "templates", "PIL", "pypdf", "hachoir"} <= tops


def test_unzipped_package_serves_pages_and_reads_media_on_its_own(archive, tmp_path):
    unzipped = tmp_path / "task"
    with zipfile.ZipFile(archive) as zipped:
        zipped.extractall(unzipped)
    (tmp_path / "smoke_settings.py").write_text(ZAPPA_SETTINGS)
    files = {"jpeg": media.jpeg(640, 480), "heic": media.heic(64, 48, orientation=6), "wav": media.wav(2.0)}
    files["pdf"] = media.pdf(3)
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    env = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SECRET_KEY": "smoke-test-" * 5,
        "DJANGO_ALLOWED_HOSTS": ".amazonaws.com",
        "AWS_REGION": "us-east-1",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "smoke",
        "AWS_SECRET_ACCESS_KEY": "smoke",
        "AWS_EC2_METADATA_DISABLED": "true",
    }
    args = [str(unzipped), str(tmp_path), json.dumps(sorted(lean_package.kept_services()))]
    args.append(json.dumps({name: str(tmp_path / name) for name in files}))

    # -I -S: no site-packages, no environment's PYTHONPATH; only the package and the stdlib.
    result = subprocess.run(
        [sys.executable, "-I", "-S", "-c", SMOKE, *args], env=env, capture_output=True, text=True, timeout=120
    )

    assert result.returncode == 0, result.stderr[-3000:]
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["statuses"] == {"/accounts/login/": 200, "/static/css/site.css": 200}
    assert seen["clients"] == {
        "s3": "S3",
        "dynamodb": "DynamoDB",
        "lambda": "Lambda",
        "s3 resource": "s3.ServiceResource",
        "pynamodb": "DynamoDB",
    }
    assert seen["unused_models_gone"] is True
    assert seen["modules_from"] == [""]
    assert seen["image_width"] == 640 and seen["thumbnail_is_webp"] is True
    assert seen["heic_orientation"] == 6  # pi-heif's libheif loads in the package as it stands
    assert seen["audio_seconds"] == pytest.approx(2.0, abs=0.1)
    assert seen["pdf_pages"] == 3


def services_named(source: str) -> set[str]:
    """Service names given as string literals to any `client(...)` or `resource(...)` call."""
    named = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", "")) in (
            "client",
            "resource",
        ):
            literal = (
                node.args[0] if node.args else next((k.value for k in node.keywords if k.arg == "service_name"), None)
            )
            if isinstance(literal, ast.Constant) and isinstance(literal.value, str):
                named.add(literal.value)
    return named


def test_the_code_that_ships_calls_only_services_whose_models_ship(archive):
    with zipfile.ZipFile(archive) as zipped:
        tops = {name.split("/")[0] for name in zipped.namelist()}
    ours = [ROOT / top for top in sorted(tops) if (ROOT / top).is_dir() and (ROOT / top / "__init__.py").exists()]
    named = {
        service for folder in ours for path in folder.rglob("*.py") for service in services_named(path.read_text())
    }

    assert {"mediahub", "accounts", "uploads"} <= {folder.name for folder in ours}
    assert named and named <= set(lean_package.kept_services())
