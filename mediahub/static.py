"""Static file URLs that follow the request's script prefix (API Gateway's /<stage>/)."""

from __future__ import annotations

from django.contrib.staticfiles.storage import StaticFilesStorage
from django.urls import get_script_prefix


class ScriptPrefixStaticFilesStorage(StaticFilesStorage):
    """Prefixes every static URL with the current request's SCRIPT_NAME.

    Django adds the script prefix to a relative STATIC_URL only once, at the
    first access to the setting, and caches it; on Lambda that first access
    happens while the middleware loads, before any request says its stage.
    So STATIC_URL stays absolute ("/static/"), WhiteNoise matches it against
    the path below the stage, and the prefix is added here, per request.
    """

    def url(self, name: str | None) -> str:
        return get_script_prefix().rstrip("/") + super().url(name)
