"""Server-rendered HTML for the hosted pages: every value escaped, no script, no framework.

Responses forbid scripts and framing, and are never cached: a page holds a form token. They
do not restrict `form-action`, which browsers apply to the redirect after a post too: the
redirect to the session's success URL would be blocked. The referrer stays on the sandbox,
yet same-origin posts still carry the `Origin` the form guard checks (with `no-referrer`,
browsers send `Origin: null`).
"""

from __future__ import annotations

from collections.abc import Iterable
from html import escape

from starlette.responses import HTMLResponse

_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cache-Control": "no-store",
}
_STYLE = """
body { font-family: system-ui, sans-serif; max-width: 34rem; margin: 2rem auto; padding: 0 1rem;
       color: #1a1f36; }
h1 { font-size: 1.4rem; } .muted { color: #697386; font-size: .9rem; }
label { display: block; margin-top: .7rem; font-size: .9rem; }
input, select { width: 100%; box-sizing: border-box; padding: .45rem; margin-top: .2rem; }
.row { display: flex; gap: .6rem; } .row > label { flex: 1; }
button { margin-top: 1.2rem; padding: .6rem 1.2rem; background: #635bff; color: #fff;
         border: 0; border-radius: 4px; font-size: 1rem; }
.error { color: #df1b41; } .notice { color: #0e6245; }
table { width: 100%; border-collapse: collapse; } td { padding: .4rem 0; }
.badge { background: #d7f7c2; color: #05690d; padding: .1rem .4rem; border-radius: 3px; }
"""


def text(value: object) -> str:
    """A value as HTML text or attribute content."""
    return escape(str(value), quote=True)


def page(title: str, body: Iterable[str], *, status: int = 200) -> HTMLResponse:
    """A whole page; `body` is HTML already escaped."""
    html = (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{text(title)}</title><style>{_STYLE}</style></head>"
        f'<body><p class="muted">Sandbox, test mode: standing in for Stripe</p>'
        f"<h1>{text(title)}</h1>{''.join(body)}</body></html>\n"
    )
    return HTMLResponse(html, status_code=status, headers=_HEADERS)


def message_page(title: str, message: str, *, status: int) -> HTMLResponse:
    return page(title, [f"<p>{text(message)}</p>"], status=status)


def field(
    label: str,
    name: str,
    value: str = "",
    *,
    error: str | None = None,
    required: bool = False,
    autocomplete: str = "",
    placeholder: str = "",
) -> str:
    """A labelled text input; its error (if any) under it, tied to it for screen readers."""
    attributes = f' name="{text(name)}" id="{text(name)}" value="{text(value)}"'
    attributes += " required" if required else ""
    attributes += f' autocomplete="{text(autocomplete)}"' if autocomplete else ""
    attributes += f' placeholder="{text(placeholder)}"' if placeholder else ""
    if error:
        attributes += f' aria-invalid="true" aria-describedby="{text(name)}-error"'
    shown = f'<span class="error" id="{text(name)}-error">{text(error)}</span>' if error else ""
    return f"<label>{text(label)}<input{attributes}>{shown}</label>"


def select(label: str, name: str, options: Iterable[tuple[str, str]], chosen: str) -> str:
    """A labelled drop-down of (value, label) options."""
    items = "".join(
        f'<option value="{text(value)}"{" selected" if value == chosen else ""}>'
        f"{text(shown)}</option>"
        for value, shown in options
    )
    named = f'name="{text(name)}" id="{text(name)}"'
    return f"<label>{text(label)}<select {named}>{items}</select></label>"


def hidden(name: str, value: str) -> str:
    return f'<input type="hidden" name="{text(name)}" value="{text(value)}">'


def error_line(message: str) -> str:
    return f'<p class="error" role="alert" id="form-error">{text(message)}</p>'


def web_address(url: object) -> str | None:
    """The URL if it is http(s): only those are linked or redirected to, never `javascript:`."""
    if isinstance(url, str) and url.lower().startswith(("https://", "http://")):
        return url
    return None


def link(url: object, label: str) -> str:
    """A paragraph with a link to `url`, or nothing when it is not a web address."""
    address = web_address(url)
    return f'<p><a href="{text(address)}">{text(label)}</a></p>' if address else ""
