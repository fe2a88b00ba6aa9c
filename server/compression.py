"""Gzip on the wire, both ways, with a cap on what a compressed body may inflate to."""
from __future__ import annotations

import gzip
import io
import json
import zlib

from flask import Flask, Request, Response, request

from shared.protocol import MAX_BODY_BYTES, MAX_WIRE_BYTES


class GzipRequestMiddleware:
    """WSGI middleware: inflate ``Content-Encoding: gzip`` bodies before Flask reads them.

    A body over ``MAX_WIRE_BYTES`` on the wire (compressed or not), not valid gzip, or inflating
    past ``MAX_BODY_BYTES`` (a zip bomb), is answered here with the project's error shape and
    never reaches a view.
    """

    def __init__(self, app, limit: int = MAX_BODY_BYTES,
                 compressed_limit: int = MAX_WIRE_BYTES) -> None:
        self.app = app
        self.limit = limit
        self.compressed_limit = compressed_limit

    def __call__(self, environ, start_response):
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > self.compressed_limit:
            if not environ.get("PATH_INFO", "").startswith("/api"):
                return _refuse_page(environ, start_response)
            return _refuse(start_response, 413, "body_too_large",
                           f"The request body is over {self.compressed_limit} bytes.")
        if environ.get("HTTP_CONTENT_ENCODING", "").lower() != "gzip":
            return self.app(environ, start_response)
        # Never read more than the cap, even when no length was sent.
        raw = environ["wsgi.input"].read(length or self.compressed_limit + 1)
        if len(raw) > self.compressed_limit:
            return _refuse(start_response, 413, "body_too_large",
                           f"The request body is over {self.compressed_limit} bytes.")
        try:
            inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
            body = inflater.decompress(raw, self.limit + 1)
            if len(body) > self.limit or inflater.unconsumed_tail:
                return _refuse(start_response, 413, "body_too_large",
                               f"The request body inflates past {self.limit} bytes.")
            if not inflater.eof:
                raise zlib.error("truncated")
        except zlib.error:
            return _refuse(start_response, 400, "unsupported_encoding",
                           "The body says it is gzip but is not valid gzip.")
        environ["wsgi.input"] = io.BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))
        del environ["HTTP_CONTENT_ENCODING"]
        return self.app(environ, start_response)


def _refuse(start_response, status: int, error: str, message: str):
    body = json.dumps({"status": status, "error": error, "message": message,
                       "details": {}}).encode()
    reason = {400: "BAD REQUEST", 413: "REQUEST ENTITY TOO LARGE"}[status]
    start_response(f"{status} {reason}", [("Content-Type", "application/json"),
                                          ("Content-Length", str(len(body)))])
    return [body]


#: A web page's upload refused before Flask sees it: no catalog is loaded yet, so the two
#: languages' sentences are here (the words of server/errors.py's 413 page).
_TOO_LARGE = {"zh_CN": ("zh-CN", "文件太大，请拆成几个小文件后再试。"),
              "en": ("en", "The file is too large. Split it into smaller files and try again.")}


def _refuse_page(environ, start_response):
    cookie = environ.get("HTTP_COOKIE", "")
    english = "lang=en" in cookie.replace(" ", "").split(";") or (
        "lang=" not in cookie and environ.get("HTTP_ACCEPT_LANGUAGE", "").lower()
        .startswith("en"))
    lang, words = _TOO_LARGE["en" if english else "zh_CN"]
    body = (f'<!doctype html><html lang="{lang}"><meta charset="utf-8"><title>413</title>'
            f'<body style="font-family:sans-serif;padding:2em"><h1>413</h1><p>{words}</p>'
            f'<p><a href="/">↩</a></p></body></html>').encode()
    start_response("413 REQUEST ENTITY TOO LARGE", [("Content-Type", "text/html; charset=utf-8"),
                                                   ("Content-Length", str(len(body)))])
    return [body]


def gzip_response(response: Response, req: Request) -> Response:
    if (response.direct_passthrough or response.status_code < 200
            or "gzip" not in req.headers.get("Accept-Encoding", "")
            or response.headers.get("Content-Encoding")
            or not (response.mimetype or "").startswith(("application/json", "text/"))):
        return response
    data = response.get_data()
    if len(data) < 1024:
        return response
    response.set_data(gzip.compress(data, compresslevel=5))
    response.headers["Content-Encoding"] = "gzip"
    response.headers["Vary"] = "Accept-Encoding"
    return response


def init_compression(app: Flask) -> None:
    app.wsgi_app = GzipRequestMiddleware(app.wsgi_app, limit=app.config["MAX_CONTENT_LENGTH"],
                                         compressed_limit=app.config["MAX_WIRE_BYTES"])
    app.after_request(lambda response: gzip_response(response, request))
