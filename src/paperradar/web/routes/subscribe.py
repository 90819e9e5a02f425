"""Routes: digest subscriptions. Subscribe (one click when signed in, double opt-in otherwise),
confirm (the link opens a page; only its POST confirms), RFC 8058 one-click unsubscribe
(cookie-less POST, 2xx, idempotent; GET only shows a page), preferences pages and a JSON API."""

from __future__ import annotations

from typing import Any
from zoneinfo import available_timezones

from fastapi import APIRouter, BackgroundTasks, FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse, Response

from paperradar.notify import subscriptions as subs
from paperradar.web.auth_deps import CurrentUser, OptionalUser
from paperradar.web.deps import SettingsDep, StoreDep
from paperradar.web.openapi import errors
from paperradar.web.security import check_same_origin, client_ip, csrf_token, rate_limit
from paperradar.web.site import render

router = APIRouter(tags=["subscriptions"])
_LIST_FIELDS = ("categories", "queries", "authors")
_FORM_FIELDS = ("frequency", "hour", "weekday", "timezone", *_LIST_FIELDS)


def install(app: FastAPI) -> None:
    app.state.notify_box = subscribe_box_state


def subscribe_box_state(request: Request) -> dict[str, Any]:
    """What the Subscribe box on every page shows: a one-click button for a signed-in user with
    a verified address (or a link to their settings once subscribed), else the email form."""
    from paperradar.web.auth_deps import resolve_auth

    try:
        user = resolve_auth(request).user
    except HTTPException:  # a bad API token on a page request: show the anonymous box
        user = None
    sub = request.app.state.store.get_subscriber_by_user(user.id) if user else None
    return {"user": user if user is not None and user.verified else None,
            "subscribed": sub is not None and sub.status == "active", "csrf": csrf_token(request)}


def _page(request: Request, heading: str, status: int = 200, **ctx) -> Response:
    ctx.setdefault("csrf", csrf_token(request))
    return render(request, "notify/page.html", {"heading": heading, **ctx}, status_code=status,
                  headers={"Cache-Control": "no-store"})


async def _form(request: Request) -> dict[str, Any]:
    form = await request.form()
    return {k: form.get(k) for k in form.keys()}


def _form_prefs(form: dict[str, Any]) -> dict[str, Any]:
    prefs = {k: form[k] for k in _FORM_FIELDS if form.get(k) is not None}
    if form.get("form"):  # the full preferences form: unchecked boxes are absent
        prefs["trending"] = bool(form.get("trending"))
        prefs["recommendations"] = bool(form.get("recommendations"))
    return prefs


def _signed(request: Request, purpose: str, token: str):
    sub = subs.subscriber_for_token(request.app.state.settings, request.app.state.store,
                                    purpose, token)
    if sub is None:
        raise HTTPException(400, "this link is not valid (it may have been altered)")
    return sub


# -- subscribe ------------------------------------------------------------------------------
@router.get("/subscribe", include_in_schema=False)
def subscribe_page(request: Request, user: OptionalUser) -> Response:
    return render(request, "notify/subscribe.html", {"user": user, "csrf": csrf_token(request)})


@router.post("/subscribe", include_in_schema=False)
async def subscribe_form(request: Request, user: OptionalUser, settings: SettingsDep,
                         store: StoreDep, background: BackgroundTasks) -> Response:
    check_same_origin(request)
    form = await _form(request)
    prefs = _form_prefs(form)
    try:
        if user is not None and user.verified:
            sub = subs.subscribe_account(store, user.id, user.email, prefs)
            return _page(request, "You are subscribed", message=f"Digests go to {sub.email}.",
                         link=subs.links(settings, sub)["manage"], link_text="Choose what you get")
        email = subs.normalize_email(form.get("email"))
        rate_limit(request, "subscribe", client_ip(request), email)
        message = subs.request_subscription(settings, store, email, prefs,
                                            defer=background.add_task)
    except subs.InvalidInput as exc:
        return render(request, "notify/subscribe.html",
                      {"user": user, "error": str(exc), "email": form.get("email") or "",
                       "csrf": csrf_token(request)}, status_code=400)
    return _page(request, "Check your inbox", message=message, sent_mail=True)


@router.get("/subscribe/confirm/{token}", include_in_schema=False)
def confirm_page(request: Request, token: str, store: StoreDep) -> Response:
    if not subs.confirm_token_valid(store, token):
        return _page(request, "Link expired", 400, error="This confirmation link is invalid, "
                     "used or expired. Subscribe again to get a new one.", link="/subscribe",
                     link_text="Subscribe")
    return _page(request, "Confirm your subscription", message="Press the button to start "
                 "receiving the paperradar digest.", action=f"/subscribe/confirm/{token}",
                 button="Confirm")


@router.post("/subscribe/confirm/{token}", include_in_schema=False)
def confirm_post(request: Request, token: str, settings: SettingsDep, store: StoreDep) -> Response:
    sub = subs.confirm(store, token)
    if sub is None:
        return _page(request, "Link expired", 400, error="This confirmation link is invalid, "
                     "used or expired.", link="/subscribe", link_text="Subscribe")
    return _page(request, "Subscription confirmed", message=f"Digests will go to {sub.email}.",
                 link=subs.links(settings, sub)["manage"], link_text="Choose what you get")


# -- unsubscribe (RFC 8058) ----------------------------------------------------------------
@router.get("/unsubscribe/{token}", include_in_schema=False)
def unsubscribe_page(request: Request, token: str) -> Response:
    sub = _signed(request, "unsubscribe", token)
    if sub.status == "unsubscribed":
        return _page(request, "Unsubscribed", message=f"{sub.email} gets no more digests.")
    return _page(request, "Unsubscribe?", message=f"Stop sending the digest to {sub.email}?",
                 action=f"/unsubscribe/{token}", button="Unsubscribe", csrf="")


@router.post("/unsubscribe/{token}", include_in_schema=False)
def unsubscribe_post(request: Request, token: str) -> Response:
    """One-click: no cookie, no CSRF token needed (the signed token is the authority)."""
    sub = subs.unsubscribe(request.app.state.store, _signed(request, "unsubscribe", token))
    return _page(request, "Unsubscribed", message=f"{sub.email} gets no more digests.",
                 link=subs.links(request.app.state.settings, sub)["manage"],
                 link_text="Changed your mind? Manage the subscription")


# -- preferences pages ---------------------------------------------------------------------
def zone_names() -> list[str]:
    """IANA zones people pick (Region/City), plus UTC; not the posix/right/Etc aliases."""
    return ["UTC", *sorted(z for z in available_timezones() if "/" in z
                           and not z.startswith(("posix/", "right/", "Etc/", "SystemV/")))]


def _prefs_page(request: Request, sub, action: str, status: int = 200, **ctx) -> Response:
    settings = request.app.state.settings
    return render(request, "notify/preferences.html",
                  {"sub": sub, "action": action, "csrf": csrf_token(request),
                   "timezones": zone_names(),
                   "unsubscribe_url": subs.links(settings, sub)["unsubscribe"], **ctx},
                  status_code=status, headers={"Cache-Control": "no-store"})


async def _save_prefs(request: Request, sub, action: str) -> Response:
    try:
        updated = subs.apply_prefs(sub, _form_prefs(await _form(request)))
    except subs.InvalidInput as exc:
        return _prefs_page(request, sub, action, 400, error=str(exc))
    request.app.state.store.update_subscriber(updated)
    return _prefs_page(request, updated, action, saved=True)


@router.get("/subscription/{token}", include_in_schema=False)
def manage_page(request: Request, token: str) -> Response:
    return _prefs_page(request, _signed(request, "manage", token), f"/subscription/{token}")


@router.post("/subscription/{token}", include_in_schema=False)
async def manage_post(request: Request, token: str) -> Response:
    return await _save_prefs(request, _signed(request, "manage", token), f"/subscription/{token}")


@router.get("/settings/digest", include_in_schema=False)
def account_prefs_page(request: Request, user: CurrentUser, store: StoreDep) -> Response:
    sub = store.get_subscriber_by_user(user.id)
    if sub is None:
        return render(request, "notify/subscribe.html", {"user": user, "csrf": csrf_token(request)})
    return _prefs_page(request, sub, "/settings/digest")


@router.post("/settings/digest", include_in_schema=False)
async def account_prefs_post(request: Request, user: CurrentUser, store: StoreDep) -> Response:
    sub = store.get_subscriber_by_user(user.id)
    if sub is None:
        raise HTTPException(404, "you have no digest subscription yet")
    return await _save_prefs(request, sub, "/settings/digest")


# -- JSON API --------------------------------------------------------------------------------
async def _json_body(request: Request) -> dict[str, Any]:
    try:
        body = await request.json()
    except ValueError:
        raise HTTPException(400, "the body must be a JSON object") from None
    if not isinstance(body, dict):
        raise HTTPException(400, "the body must be a JSON object")
    return body


def _prefs_from(body: dict[str, Any]) -> dict[str, Any]:
    return {k: body[k] for k in ("frequency", "hour", "weekday", "timezone", "trending",
                                 "recommendations", *_LIST_FIELDS) if k in body}


@router.post("/api/subscribe", status_code=202, responses=errors(429))
async def api_subscribe(request: Request, user: OptionalUser, settings: SettingsDep,
                        store: StoreDep, background: BackgroundTasks) -> JSONResponse:
    """Subscribe: a signed-in, verified user at once (201); anyone else by double opt-in (202,
    the same answer whatever the address)."""
    body = await _json_body(request)
    try:
        prefs = _prefs_from(body)
        subs.apply_prefs(subs.Subscriber(email="check@example.org"), prefs)  # validate first
        if user is not None and user.verified and not body.get("email"):
            sub = subs.subscribe_account(store, user.id, user.email, prefs)
            return JSONResponse({"subscription": subs.prefs_dict(sub)}, status_code=201)
        email = subs.normalize_email(body.get("email"))
        rate_limit(request, "subscribe", client_ip(request), email)
        message = subs.request_subscription(settings, store, email, prefs,
                                            defer=background.add_task)
    except subs.InvalidInput as exc:
        raise HTTPException(400, str(exc)) from None
    return JSONResponse({"message": message}, status_code=202)


def _update(store, sub, body: dict[str, Any]) -> dict[str, Any]:
    try:
        updated = subs.apply_prefs(sub, _prefs_from(body))
    except subs.InvalidInput as exc:
        raise HTTPException(400, str(exc)) from None
    store.update_subscriber(updated)
    return {"subscription": subs.prefs_dict(updated)}


@router.get("/api/subscription", responses=errors(404))
def api_my_subscription(user: CurrentUser, store: StoreDep) -> dict[str, Any]:
    """The signed-in user's digest subscription (404 when there is none)."""
    sub = store.get_subscriber_by_user(user.id)
    if sub is None:
        raise HTTPException(404, "no digest subscription")
    return {"subscription": subs.prefs_dict(sub)}


@router.put("/api/subscription", responses=errors(404))
async def api_update_my_subscription(request: Request, user: CurrentUser,
                                     store: StoreDep) -> dict[str, Any]:
    """Update preferences (fields as in GET; any subset)."""
    sub = store.get_subscriber_by_user(user.id)
    if sub is None:
        raise HTTPException(404, "no digest subscription; POST /api/subscribe first")
    return _update(store, sub, await _json_body(request))


@router.delete("/api/subscription", responses=errors(404))
def api_unsubscribe_me(user: CurrentUser, store: StoreDep) -> dict[str, Any]:
    sub = store.get_subscriber_by_user(user.id)
    if sub is None:
        raise HTTPException(404, "no digest subscription")
    return {"subscription": subs.prefs_dict(subs.unsubscribe(store, sub))}


@router.get("/api/subscriptions/{token}")
def api_subscription_by_token(request: Request, token: str) -> dict[str, Any]:
    """A subscription by the manage token of its mails' preferences link."""
    return {"subscription": subs.prefs_dict(_signed(request, "manage", token))}


@router.put("/api/subscriptions/{token}")
async def api_update_by_token(request: Request, token: str, store: StoreDep) -> dict[str, Any]:
    return _update(store, _signed(request, "manage", token), await _json_body(request))
