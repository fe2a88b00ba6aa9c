"""The confirmation page every destructive action shows first (the facts it states are
:mod:`server.web.confirmations`)."""
from __future__ import annotations

from flask import render_template, request

from .. import confirmations


def confirm(title: str, facts: list[str], button: str, cancel: str):
    """The confirmation page of a destructive action: what will happen, and a reason to give.
    GET shows it; a POST without a good reason shows it again (422) and changes nothing.
    Returns the response to send, or None with the reason when the action may go ahead."""
    reason = (request.form.get("reason") or "").strip()
    error = confirmations.reason_error(reason) if request.method == "POST" else None
    if request.method == "POST" and error is None:
        return None, reason
    page = render_template("web/confirm.html", title=title, facts=facts, button=button,
                           action=request.path, back=request.values.get("back") or "",
                           cancel=cancel, reason=reason, error=error,
                           max_reason=confirmations.MAX_REASON_CHARS)
    return (page, 422 if error else 200), reason
