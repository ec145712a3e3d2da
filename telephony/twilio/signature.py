"""Checking Twilio's ``X-Twilio-Signature`` on webhook requests (fails closed)."""

from __future__ import annotations

from collections.abc import Mapping

__all__ = ["is_valid_signature"]


def is_valid_signature(
    auth_token: str | None, url: str, params: Mapping[str, str], signature: str | None
) -> bool:
    """Whether a webhook request really comes from Twilio.

    Args:
        auth_token: the account's auth token; without one nothing is valid.
        url: the full URL Twilio requested (public base URL + path + query string).
        params: the form parameters of the POST.
        signature: the ``X-Twilio-Signature`` header.

    Returns:
        ``True`` only when the signature matches.
    """
    if not auth_token or not signature:
        return False
    from twilio.request_validator import RequestValidator

    return bool(RequestValidator(auth_token).validate(url, dict(params), signature))
