"""Routes: accounts. Sign up (email + password, verification mail), log in/out, password
reset by email. Messages never reveal whether an address has an account; unknown users cost
one dummy argon2 check; login, sign-up and reset are rate limited per IP and per account.
Profile and API-token pages live in ``web.community.account``."""

from __future__ import annotations

import logging
import re
import time
from datetime import timedelta

from fastapi import APIRouter, BackgroundTasks, Form, Query, Request
from fastapi.responses import RedirectResponse

from paperradar.web.auth_deps import OptionalUser
from paperradar.web.community import account
from paperradar.web.community.pages import render, safe_next
from paperradar.web.deps import StoreDep
from paperradar.web.security import (check_same_origin, client_ip, end_session, hash_secret,
                                     known_device, new_secret, now_iso, passwords, rate_limit,
                                     remember_device, start_session)

log = logging.getLogger("paperradar.auth")
router = APIRouter(include_in_schema=False)
router.include_router(account.router)

EMAIL = re.compile(r"^[^@\s<>\"',;]{1,64}@[A-Za-z0-9.-]{1,252}\.[A-Za-z]{2,63}$")
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{1,31}$")
MIN_PASSWORD, MAX_PASSWORD = 10, 1024
CHECK_INBOX = ("If the address can be used, a message is on its way to it. Follow the link in "
               "it to continue.")
INBOX = {"heading": "Check your inbox", "message": CHECK_INBOX, "sent_mail": True}


def _form(request: Request, name: str, ctx: dict, status: int = 200):
    return render(request, f"community/{name}.html", ctx, status_code=status)


def send_link_mail(request: Request, to: str, purpose: str, user_id: int | None,
                   name: str = "") -> None:
    """Mail a single-use link (or, for an address that already has an account or asked for a
    taken name, a note)."""
    from paperradar.notify.mail import send_message

    settings = request.app.state.settings
    base = settings.base_url.rstrip("/")
    if purpose == "name-taken":
        subject = "Choose another name for your paperradar account"
        text = (f"Someone (maybe you) tried to create a paperradar account with this address "
                f"and the name {name!r}, which is already taken. No account was created.\n\n"
                f"Sign up again with another name: {base}/signup\n\nIf it was not you, "
                "ignore this message.\n")
    elif user_id is None:
        subject = "Someone tried to sign up with your address"
        text = (f"Someone (maybe you) tried to create a paperradar account with this address, "
                f"which already has one.\n\nLog in: {base}/login\nForgot your password? "
                f"{base}/reset\n\nIf it was not you, ignore this message.\n")
    else:
        token = new_secret()
        hours = settings.verify_token_hours if purpose == "verify" else settings.reset_token_hours
        request.app.state.store.create_email_token(hash_secret(token), user_id, purpose,
                                                   now_iso(timedelta(hours=hours)))
        if purpose == "verify":
            subject, path, what = "Confirm your email address", "verify", "confirm your address"
        else:
            subject, path, what = "Reset your password", "reset/confirm", "choose a new password"
        text = (f"Open this link to {what} (valid for {hours:g} hours, once):\n\n"
                f"{base}/{path}?token={token}\n\nIf you did not ask for this, ignore this "
                "message.\n")
    try:
        result = send_message(settings, to, subject, text, store=request.app.state.store,
                              kind=f"account-{purpose}")
        if not result.ok:
            log.warning("account mail to %s not delivered: %s", to, result.detail)
    except Exception:  # SMTP down or misconfigured: the page still answers the same way
        log.exception("account mail to %s failed", to)


# Mails go out after the response (BackgroundTasks), so the answer takes the same time
# whether or not the address has an account.

# -- sign up ----------------------------------------------------------------------------------
@router.get("/signup")
def signup_page(request: Request):
    return _form(request, "signup", {"nav": "signup", "email": "", "name": ""})


@router.post("/signup")
def signup(request: Request, store: StoreDep, tasks: BackgroundTasks, email: str = Form("", max_length=320),
           name: str = Form("", max_length=64), password: str = Form("", max_length=4096)):
    check_same_origin(request)
    rate_limit(request, "signup", f"ip:{client_ip(request)}")
    email, name = email.strip(), name.strip()
    error = (None if EMAIL.match(email) else "Enter a valid email address.") or \
        (None if NAME.match(name) else "Choose a name of 2-32 letters, digits, - or _.") or \
        (None if MIN_PASSWORD <= len(password) <= MAX_PASSWORD else
         f"Choose a password of at least {MIN_PASSWORD} characters.")
    if error:
        return _form(request, "signup", {"email": email, "name": name, "error": error}, 400)
    hashed = passwords(request).hash(password)  # always, so both branches cost the same
    if store.get_user_by_email(email) is not None:
        tasks.add_task(send_link_mail, request, email, "exists", None)
        return _form(request, "message", dict(INBOX))
    try:
        user = store.create_user(email, name, hashed)
    except ValueError:  # the name is taken (or the email, a moment ago): say it by mail only,
        # so the page answers the same whether or not the address has an account
        if store.get_user_by_email(email) is None:
            tasks.add_task(send_link_mail, request, email, "name-taken", None, name)
        return _form(request, "message", dict(INBOX))
    tasks.add_task(send_link_mail, request, email, "verify", user.id)
    return _form(request, "message", dict(INBOX))


@router.get("/verify")
def verify_page(request: Request, token: str = Query("", max_length=200)):
    """Shows a button; only the POST confirms (link scanners do not)."""
    return _form(request, "verify", {"token": token})


@router.post("/verify")
def verify(request: Request, store: StoreDep, token: str = Form("", max_length=200)):
    uid = store.consume_email_token(hash_secret(token), "verify", now_iso()) if token else None
    if uid is None:
        return _form(request, "message", {"heading": "Link expired", "message":
                     "This link is invalid, expired or already used. Log in and ask for a new one."},
                     400)
    store.update_user(uid, verified=True)
    return _form(request, "message", {"heading": "Address confirmed",
                                      "message": "Thank you. You can now upvote, comment and "
                                                 "submit papers.", "link": "/login"})


@router.post("/verify/resend")
def verify_resend(request: Request, user: OptionalUser):
    if user is None:
        return RedirectResponse("/login", status_code=303)
    rate_limit(request, "reset", f"acct:{user.email}")
    if not user.verified:
        send_link_mail(request, user.email, "verify", user.id)
    return _form(request, "message", dict(INBOX))


# -- log in / out -----------------------------------------------------------------------------
def throttle_login(request: Request, email: str, user) -> None:
    """Brute force is counted per (account, IP) pair and per IP; the per-account count (many
    IPs against one account) refuses only browsers that never logged in to that account, so
    nobody can lock the owner out of a device they used before."""
    ip = client_ip(request)
    rate_limit(request, "login_ip", f"ip:{ip}")
    rate_limit(request, "login", f"pair:{ip}:{email}")
    if not known_device(request, user.id if user else None):
        rate_limit(request, "login_account", f"acct:{email}")


@router.get("/login")
def login_page(request: Request, next: str = Query("", max_length=500)):
    return _form(request, "login", {"nav": "login", "next": safe_next(next, ""), "email": ""})


@router.post("/login")
def login(request: Request, store: StoreDep, email: str = Form("", max_length=320),
          password: str = Form("", max_length=4096), next: str = Form("", max_length=500)):
    check_same_origin(request)
    email = email.strip()
    user = store.get_user_by_email(email) if email else None
    throttle_login(request, email, user)
    pw = passwords(request)
    ok, rehash = pw.verify(user.password_hash if user else None, password[:MAX_PASSWORD])
    if not ok or user is None or user.banned:
        return _form(request, "login", {"email": email, "next": safe_next(next, ""),
                                        "error": "Wrong email or password."}, 401)
    if rehash:
        store.update_user(user.id, password_hash=pw.hash(password))
    response = RedirectResponse(safe_next(next, "/"), status_code=303)
    start_session(request, response, user.id)
    remember_device(request, response, user.id)
    store.purge_expired(now_iso(), time.time())  # housekeeping, cheap with the indexes
    return response


@router.post("/logout")
def logout(request: Request):
    response = RedirectResponse("/", status_code=303)
    end_session(request, response)
    return response


# -- password reset ---------------------------------------------------------------------------
@router.get("/reset")
def reset_page(request: Request):
    return _form(request, "reset", {"email": ""})


@router.post("/reset")
def reset(request: Request, store: StoreDep, tasks: BackgroundTasks, email: str = Form("", max_length=320)):
    check_same_origin(request)
    email = email.strip()
    rate_limit(request, "reset", f"ip:{client_ip(request)}", f"acct:{email}")
    user = store.get_user_by_email(email) if EMAIL.match(email) else None
    if user is not None and not user.banned:
        tasks.add_task(send_link_mail, request, user.email, "reset", user.id)
    return _form(request, "message", dict(INBOX))


@router.get("/reset/confirm")
def reset_confirm_page(request: Request, token: str = Query("", max_length=200)):
    return _form(request, "reset_confirm", {"token": token})


@router.post("/reset/confirm")
def reset_confirm(request: Request, store: StoreDep, token: str = Form("", max_length=200),
                  password: str = Form("", max_length=4096)):
    check_same_origin(request)
    if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        return _form(request, "reset_confirm", {"token": token, "error":
                     f"Choose a password of at least {MIN_PASSWORD} characters."}, 400)
    uid = store.consume_email_token(hash_secret(token), "reset", now_iso()) if token else None
    if uid is None:
        return _form(request, "message", {"heading": "Link expired", "message":
                     "This link is invalid, expired or already used. Ask for a new one.",
                     "link": "/reset"}, 400)
    store.update_user(uid, password_hash=passwords(request).hash(password), verified=True)
    store.delete_user_sessions(uid)  # log out everywhere
    return _form(request, "message", {"heading": "Password changed",
                                      "message": "You can now log in with your new password.",
                                      "link": "/login"})
