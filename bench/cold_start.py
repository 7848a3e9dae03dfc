"""Cold start: a fresh process that imports the app and serves its first request through
Zappa's LambdaHandler, against a bare `django-admin startproject` site through the same
handler, measured in one run. Prints each median and the ratio.

Run: .venv/bin/python bench/cold_start.py [--rounds N]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CHILD = """
import json, sys
from types import SimpleNamespace
from zappa.handler import LambdaHandler
event = json.loads(sys.argv[2])
response = LambdaHandler(sys.argv[1]).handler(event, SimpleNamespace(aws_request_id="bench"))
print(response["statusCode"])
"""


def event(path: str) -> dict[str, Any]:
    host = "bench.execute-api.us-east-1.amazonaws.com"
    return {
        "path": path,
        "httpMethod": "GET",
        "headers": {"Host": host, "X-Forwarded-Proto": "https"},
        "multiValueHeaders": {"Host": [host], "X-Forwarded-Proto": ["https"]},
        "queryStringParameters": None,
        "requestContext": {"stage": "dev", "identity": {"sourceIp": "192.0.2.1"}},
        "body": None,
        "isBase64Encoded": False,
    }


def zappa_settings_module(folder: Path, name: str, django_settings: str) -> str:
    (folder / f"{name}.py").write_text(
        "API_STAGE='dev'\nPROJECT_NAME='bench'\nDEBUG=False\nLOG_LEVEL='WARNING'\nBINARY_SUPPORT=True\n"
        "CONTEXT_HEADER_MAPPINGS={}\nDOMAIN=None\nBASE_PATH=None\nENVIRONMENT_VARIABLES={}\n"
        "SETTINGS_FILE=None\nEXCEPTION_HANDLER=None\nADDITIONAL_TEXT_MIMETYPES=[]\n"
        f"DJANGO_SETTINGS='{django_settings}'\n"
    )
    return name


def baseline_project(folder: Path) -> None:
    folder.mkdir()
    django_admin = Path(sys.executable).parent / "django-admin"
    subprocess.run([str(django_admin), "startproject", "baseline", str(folder)], check=True)
    settings = folder / "baseline" / "settings.py"
    settings.write_text(settings.read_text() + "\nALLOWED_HOSTS = ['.amazonaws.com']\n")


def cold_start(module: str, path: str, *, cwd: Path, env: dict[str, str]) -> float:
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-c", CHILD, module, json.dumps(event(path))],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    elapsed = time.perf_counter() - started
    if result.stdout.split()[-1:] not in (["200"], ["404"]):
        raise RuntimeError(f"{module}: unexpected response {result.stdout} {result.stderr[-2000:]}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=7)
    rounds = parser.parse_args().rounds
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        baseline_project(folder / "site")
        ours = zappa_settings_module(folder, "zappa_settings_ours", "mediahub.settings")
        theirs = zappa_settings_module(folder, "zappa_settings_baseline", "baseline.settings")
        base_env = {"PATH": os.environ["PATH"], "AWS_DEFAULT_REGION": "us-east-1", "DJANGO_SECRET_KEY": "bench-" * 10}
        ours_env = {**base_env, "PYTHONPATH": f"{folder}:{ROOT}", "DJANGO_ALLOWED_HOSTS": ".amazonaws.com"}
        theirs_env = {**base_env, "PYTHONPATH": f"{folder}:{folder / 'site'}"}
        timings: dict[str, list[float]] = {"mediahub": [], "baseline": []}
        for _ in range(rounds):  # interleaved, so drift on the machine hits both alike
            timings["mediahub"].append(cold_start(ours, "/accounts/login/", cwd=ROOT, env=ours_env))
            timings["baseline"].append(cold_start(theirs, "/", cwd=folder / "site", env=theirs_env))
    ours_median = statistics.median(timings["mediahub"])
    baseline_median = statistics.median(timings["baseline"])
    print(f"rounds: {rounds}")
    print(f"bare startproject, import + first request: {baseline_median * 1000:.0f} ms (median)")
    print(f"Media Hub login page, import + first request: {ours_median * 1000:.0f} ms (median)")
    print(f"ratio Media Hub / bare Django: {ours_median / baseline_median:.2f}")


if __name__ == "__main__":
    main()
