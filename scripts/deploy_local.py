"""`make deploy-local`: the whole Lambda + API Gateway path on this machine.

Starts MiniStack if nothing answers on MINISTACK_PORT (and leaves it running),
provisions the dev stage's bucket and tables in it, stores the stage's secret
key where `remote_env` points, runs `zappa deploy dev` (or `zappa update dev`)
with a settings file derived from zappa_settings.json, makes sure an admin
exists through `zappa manage`, and prints the portal's URL.
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path
from typing import Any, Literal

import boto3
from botocore.exceptions import ClientError

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scripts import ministack  # noqa: E402

ROOT = ministack.ROOT
STAGE = "dev"
DEPLOY_VENV = ROOT / ".venv-deploy"
SETTINGS_FILE = ROOT / "build" / "zappa_settings.local.json"


def local_stage(port: int) -> dict[str, Any]:
    """The dev stage as zappa_settings.json defines it, pointed at MiniStack."""
    stage: dict[str, Any] = json.loads((ROOT / "zappa_settings.json").read_text())[STAGE]
    # MiniStack's API Gateway sends the function no Host header, so Zappa names
    # the host "zappa"; browsers post from http://<api>.execute-api.localhost.
    stage["environment_variables"] = {
        **stage["environment_variables"],
        "AWS_ENDPOINT_URL": f"http://127.0.0.1:{port}",
        "DJANGO_ALLOWED_HOSTS": "zappa,.execute-api.localhost",
        "DJANGO_CSRF_TRUSTED_ORIGINS": f"http://*.execute-api.localhost:{port}",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_SECURE_COOKIES": "0",
        "DJANGO_SECURE_HSTS_SECONDS": "0",
    }
    stage.update(touch=False, keep_warm=False)
    return stage


def client(service: Literal["apigateway", "lambda", "s3"], env: dict[str, str]) -> Any:
    return boto3.client(
        service,
        endpoint_url=env["AWS_ENDPOINT_URL"],
        region_name=env["AWS_REGION"],
        aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
    )


def run(args: list[str], env: dict[str, str], *, check: bool = True) -> subprocess.CompletedProcess[str]:
    print("$", " ".join(args), flush=True)
    return subprocess.run(args, cwd=ROOT, env=env, check=check, text=True)


def store_secrets(env: dict[str, str], bucket_url: str) -> None:
    """Put the stage's secret key where `remote_env` points, once."""
    s3 = client("s3", env)
    bucket, key = bucket_url.removeprefix("s3://").split("/", 1)
    try:
        s3.create_bucket(Bucket=bucket)
    except ClientError as exc:
        if exc.response["Error"]["Code"] not in ("BucketAlreadyOwnedByYou", "BucketAlreadyExists"):
            raise
    try:
        s3.head_object(Bucket=bucket, Key=key)
    except ClientError:
        body = json.dumps({"DJANGO_SECRET_KEY": secrets.token_urlsafe(50)})
        s3.put_object(Bucket=bucket, Key=key, Body=body.encode(), ServerSideEncryption="AES256")


def is_deployed(env: dict[str, str], function_name: str) -> bool:
    try:
        client("lambda", env).get_function(FunctionName=function_name)
    except ClientError:
        return False
    return True


def rest_api_id(env: dict[str, str], api_name: str) -> str:
    apis = client("apigateway", env).get_rest_apis()["items"]
    return next(str(api["id"]) for api in apis if api["name"] == api_name)


def binary_bodies_enable(env: dict[str, str], api_id: str) -> None:
    """Make MiniStack pass request bodies to the function base64-encoded, as AWS does.

    Zappa turns on binary support with the JSON-Patch path `/binaryMediaTypes/*~1*`;
    MiniStack stores that as a key instead of the list entry "*/*", and then hands
    Lambda every body as UTF-8 text, corrupting uploads. Only the list form helps,
    and botocore sends patch values as strings, so the body is swapped before signing.
    """
    apigateway = client("apigateway", env)
    operations = [{"op": "replace", "path": "/binaryMediaTypes", "value": ["*/*"]}]

    def send_list(request: Any, **_kwargs: Any) -> None:
        request.data = json.dumps({"patchOperations": operations}).encode()

    apigateway.meta.events.register("before-sign.apigateway.UpdateRestApi", send_list)
    apigateway.update_rest_api(restApiId=api_id, patchOperations=[{"op": "replace", "path": "/binaryMediaTypes"}])
    if apigateway.get_rest_api(restApiId=api_id).get("binaryMediaTypes") != ["*/*"]:
        raise RuntimeError("Could not switch on binary request bodies in MiniStack's API Gateway.")


def main() -> int:
    port = int(os.environ.get("MINISTACK_PORT", "4566"))
    if not ministack.is_listening(port):
        process = ministack.start(port=port, state_dir=ROOT / "var" / "ministack")
        print(f"Started MiniStack on 127.0.0.1:{port} (pid {process.pid}); `make stop-local` stops it.")
    env = ministack.client_env(port)
    stage = local_stage(port)
    app_env = {**env, **stage["environment_variables"]}
    python = str(ROOT / ".venv" / "bin" / "python")
    run([python, "manage.py", "setup_aws"], app_env)
    store_secrets(env, stage["remote_env"])

    SETTINGS_FILE.parent.mkdir(exist_ok=True)
    SETTINGS_FILE.write_text(json.dumps({STAGE: stage}, indent=4))
    zappa_env = {**env, "VIRTUAL_ENV": str(DEPLOY_VENV), "PATH": f"{DEPLOY_VENV / 'bin'}:{env['PATH']}"}
    zappa = [str(DEPLOY_VENV / "bin" / "zappa")]
    function_name = f"{stage['project_name']}-{STAGE}"
    action = "update" if is_deployed(env, function_name) else "deploy"
    run([*zappa, action, STAGE, "-s", str(SETTINGS_FILE)], zappa_env)
    run([*zappa, "manage", STAGE, "ensure_admin", "-s", str(SETTINGS_FILE)], zappa_env)

    api_id = rest_api_id(env, function_name)
    binary_bodies_enable(env, api_id)
    url = f"http://{api_id}.execute-api.localhost:{port}/{STAGE}/"
    cors_env = {**app_env, "MEDIAHUB_CORS_ORIGINS": url.split(f"/{STAGE}/")[0]}
    run([python, "manage.py", "setup_aws"], cors_env)
    print(f"\nMedia Hub on local Lambda + API Gateway: {url}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
