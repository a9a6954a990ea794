"""Credentials never reach a record or a message: the user info of every URL in a text
(``user:password@``, ``user@``) and every secret query value (``token=``, ``password=``,
``access_key=``, …) are replaced by ``***``. The same rule as mlp's ``redactUri``
(src/tracking/redact.ts), held to the same cases."""

from __future__ import annotations

import re
from typing import Any

REDACTED = "***"
"""What stands in for a removed secret."""

_USER_INFO = re.compile(r"\b([a-z][a-z0-9+.-]*://)[^\s/?#@\"'<>]*(?:@[^\s/?#@\"'<>]*)*@", re.IGNORECASE)
_SECRET_QUERY = re.compile(
    r"([?&][^\s=&#\"'<>]*(?:token|secret|password|passwd|pwd|credential|auth|signature|sig|key)[^\s=&#\"'<>]*=)"
    r"[^\s&#\"'<>]*",
    re.IGNORECASE,
)


def redact_uri(text: str) -> str:
    """`text` with credentials taken out of every URL in it: a bare URI, or a message or traceback
    that quotes one. Text without URLs comes back unchanged.

    >>> redact_uri("http://ana:pw@mlflow:5000/?token=t")
    'http://***@mlflow:5000/?token=***'
    """
    return _SECRET_QUERY.sub(rf"\g<1>{REDACTED}", _USER_INFO.sub(rf"\g<1>{REDACTED}@", text))


def redact_strings(value: Any) -> Any:
    """`value` with `redact_uri` applied to every string in it (in lists and dict values too)."""
    if isinstance(value, str):
        return redact_uri(value)
    if isinstance(value, list):
        return [redact_strings(item) for item in value]
    if isinstance(value, dict):
        return {key: redact_strings(item) for key, item in value.items()}
    return value
