"""Server-side web sessions: the cookie holds a random token, the database holds the rest.

A copied cookie is therefore worth nothing once its row is gone: at sign-out, after
``WEB_SESSION_IDLE_MINUTES`` without a request, or when the person signs in again (a new token
each time, so a token planted before sign-in is never promoted). Rows are found by the token's
SHA-256, so a copy of the table does not hold live sessions either.
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask import Flask, Request, Response
from flask.json.tag import TaggedJSONSerializer
from flask.sessions import SessionInterface, SessionMixin
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session
from werkzeug.datastructures import CallbackDict

from shared.clock import utcnow

from ..models import WebSession

#: A session seen within this long is not written again just to move its idle clock.
TOUCH_EVERY = timedelta(seconds=60)

_serializer = TaggedJSONSerializer()


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class ServerSession(CallbackDict, SessionMixin):
    def __init__(self, initial=None, token: str | None = None, last_seen=None) -> None:
        def on_update(this):
            this.modified = True
        super().__init__(initial, on_update)
        self.token = token
        self.last_seen = last_seen
        self.modified = False
        #: Tokens whose rows end with this request (sign-in and sign-out clear the session).
        self.ended: list[str] = []

    def clear(self) -> None:
        """Clearing ends the stored session; anything set afterwards gets a new token."""
        if self.token is not None:
            self.ended.append(self.token)
            self.token = None
        super().clear()


class DatabaseSessionInterface(SessionInterface):
    def _engine(self, app: Flask):
        return app.extensions["knockdoor_db"]["engine"]

    def _idle(self, app: Flask) -> timedelta:
        return timedelta(minutes=app.config["WEB_SESSION_IDLE_MINUTES"])

    def open_session(self, app: Flask, request: Request) -> ServerSession:
        token = request.cookies.get(self.get_cookie_name(app))
        if not token or len(token) > 100:
            return ServerSession()
        with Session(self._engine(app)) as session:
            row = session.get(WebSession, _hash(token))
        if row is None:
            return ServerSession()
        if row.last_seen_at < utcnow() - self._idle(app):
            stale = ServerSession()
            stale.ended.append(token)  # idle too long: forgotten, and its row deleted
            return stale
        try:
            data = _serializer.loads(row.data) if row.data else {}
        except ValueError:
            data = {}
        return ServerSession(data, token, row.last_seen_at)

    def save_session(self, app: Flask, session: ServerSession, response: Response) -> None:
        name, domain, path = (self.get_cookie_name(app), self.get_cookie_domain(app),
                              self.get_cookie_path(app))
        if not session and session.token is None and not session.ended:
            return  # nothing stored, nothing to end: the API's requests never touch the table
        now = utcnow()
        if session and session.token is not None and not session.modified and \
                session.last_seen is not None and now - session.last_seen < TOUCH_EVERY:
            return  # seen a moment ago: the idle clock need not move yet
        with Session(self._engine(app)) as db, db.begin():
            if session.ended:
                db.execute(delete(WebSession).where(
                    WebSession.token_hash.in_([_hash(t) for t in session.ended])))
            if not session:
                if session.token is not None:
                    db.execute(delete(WebSession).where(
                        WebSession.token_hash == _hash(session.token)))
                if session.token is not None or session.ended:
                    response.delete_cookie(name, domain=domain, path=path,
                                           secure=self.get_cookie_secure(app),
                                           httponly=self.get_cookie_httponly(app),
                                           samesite=self.get_cookie_samesite(app))
                return
            data = _serializer.dumps(dict(session))
            if session.token is None:
                session.token = secrets.token_urlsafe(32)
                # Forget sessions idle too long (the index on last_seen_at keeps this cheap).
                db.execute(delete(WebSession).where(
                    WebSession.last_seen_at < now - self._idle(app)))
                db.add(WebSession(token_hash=_hash(session.token),
                                  person_id=session.get("person_id"), data=data,
                                  created_at=now, last_seen_at=now))
            else:
                db.execute(update(WebSession).where(
                    WebSession.token_hash == _hash(session.token)).values(
                    data=data, person_id=session.get("person_id"), last_seen_at=now))
        response.set_cookie(name, session.token, domain=domain, path=path,
                            secure=self.get_cookie_secure(app),
                            httponly=self.get_cookie_httponly(app),
                            samesite=self.get_cookie_samesite(app))
        response.vary.add("Cookie")


def end_sessions_of(db: Session, person_id: int) -> None:
    """Sign a person out everywhere (deactivation)."""
    db.execute(delete(WebSession).where(WebSession.person_id == person_id))


def sessions_of(db: Session, person_id: int) -> list[WebSession]:
    return list(db.scalars(select(WebSession).where(WebSession.person_id == person_id)))
