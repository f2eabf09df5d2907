"""``/auth/*``: sign-up, login, refresh, logout, email verification, password reset."""

from __future__ import annotations

from chalice import Blueprint, Response

from chalicelib.http import body, first_answer_status, json_response, no_content, principal, route, source_ip
from gigcore import bootstrap
from gigcore.domain.clock import utc_now
from gigcore.domain.users import Location, SignUp
from gigcore.schemas.users import (
    LoginRequest,
    RefreshRequest,
    ResetPasswordRequest,
    ResetRequestRequest,
    SessionOut,
    SignupRequest,
    TokensOut,
    VerifiedOut,
    VerifyEmailRequest,
    user_out,
)
from gigcore.services import auth

bp = Blueprint(__name__)


def _session_out(session: auth.Session) -> SessionOut:
    return SessionOut(user=user_out(session.user), access_token=session.tokens.access_token,
                      refresh_token=session.tokens.refresh_token, expires_in=session.tokens.expires_in)


@route(bp, "/auth/signup", method="POST", summary="Create an account", request=SignupRequest,
       response=SessionOut, status=201, auth=False, errors=(409, 429), tag="auth",
       provides={"user_id": "$response.body#/user/id"})
def signup() -> Response:
    cmd = body(SignupRequest)
    container = bootstrap.container()
    if first_answer_status() == 201:
        # A retry (same Idempotency-Key and body) of a sign-up that created the account: its tokens were
        # not kept, so the retry signs in with the same email and password (docs/auth.md).
        session = auth.login(cmd.email, cmd.password, source_ip=source_ip(), ports=container.auth_ports,
                             policy=container.auth_policy, now=utc_now())
    else:
        account = SignUp(email=cmd.email, password=cmd.password, name=cmd.name, roles=tuple(cmd.roles), phone=cmd.phone,
                         location=Location(cmd.location.lat, cmd.location.lng) if cmd.location else None)
        session = auth.signup(account, source_ip=source_ip(), ports=container.auth_ports,
                              policy=container.auth_policy, now=utc_now())
    return json_response(_session_out(session), 201, {"Cache-Control": "no-store"})


@route(bp, "/auth/login", method="POST", summary="Sign in", request=LoginRequest, response=SessionOut,
       auth=False, errors=(401, 429), tag="auth")
def login() -> Response:
    cmd = body(LoginRequest)
    container = bootstrap.container()
    session = auth.login(cmd.email, cmd.password, source_ip=source_ip(), ports=container.auth_ports,
                         policy=container.auth_policy, now=utc_now())
    return json_response(_session_out(session), 200, {"Cache-Control": "no-store"})


@route(bp, "/auth/refresh", method="POST", summary="Rotate a refresh token", request=RefreshRequest,
       response=TokensOut, auth=False, errors=(401,), tag="auth")
def refresh() -> Response:
    container = bootstrap.container()
    tokens = auth.refresh(body(RefreshRequest).refresh_token, ports=container.auth_ports,
                          policy=container.auth_policy, now=utc_now())
    return json_response(TokensOut(access_token=tokens.access_token, refresh_token=tokens.refresh_token,
                                   expires_in=tokens.expires_in), 200, {"Cache-Control": "no-store"})


@route(bp, "/auth/logout", method="POST", summary="Close this session", request=RefreshRequest, status=204,
       tag="auth")
def logout() -> Response:
    auth.logout(principal().user_id, body(RefreshRequest).refresh_token, ports=bootstrap.container().auth_ports)
    return no_content()


@route(bp, "/auth/email/verify-request", method="POST", summary="Email me a verification link", status=202,
       errors=(429,), tag="auth")
def verify_request() -> Response:
    container = bootstrap.container()
    auth.request_email_verification(principal().user_id, ports=container.auth_ports, policy=container.auth_policy,
                                    now=utc_now())
    return json_response({"status": "queued"}, 202)


@route(bp, "/auth/email/verify", method="POST", summary="Confirm an email address", request=VerifyEmailRequest,
       response=VerifiedOut, auth=False, errors=(400, 409), tag="auth")
def verify() -> VerifiedOut:
    user = auth.verify_email(body(VerifyEmailRequest).token, ports=bootstrap.container().auth_ports, now=utc_now())
    return VerifiedOut(user=user_out(user))


@route(bp, "/auth/password/reset-request", method="POST", summary="Email me a password reset link",
       request=ResetRequestRequest, status=202, auth=False, errors=(429,), tag="auth")
def reset_request() -> Response:
    container = bootstrap.container()
    auth.request_password_reset(body(ResetRequestRequest).email, source_ip=source_ip(),
                                ports=container.auth_ports, policy=container.auth_policy, now=utc_now())
    return json_response({"status": "queued"}, 202)


@route(bp, "/auth/password/reset", method="POST", summary="Choose a new password", request=ResetPasswordRequest,
       status=204, auth=False, errors=(400, 409), tag="auth")
def reset() -> Response:
    cmd = body(ResetPasswordRequest)
    auth.reset_password(cmd.token, cmd.new_password, ports=bootstrap.container().auth_ports, now=utc_now())
    return no_content()
