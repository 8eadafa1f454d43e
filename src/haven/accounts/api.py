"""JSON routes for accounts. Thin: parse, call one service function, shape the answer."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from starlette import status

from haven.accounts import schemas, service
from haven.audit import service as audit
from haven.deps import ClientAddress, CurrentMember, CurrentUser, DbSession, cookie_names, is_https

router = APIRouter(tags=["accounts"])


def set_session_cookie(request: Request, response: Response, token: str) -> None:
    response.set_cookie(
        cookie_names(request)[0], token, httponly=True, secure=is_https(request), samesite="lax", path="/"
    )


def clear_session_cookie(request: Request, response: Response) -> None:
    response.delete_cookie(cookie_names(request)[0], path="/", secure=is_https(request), httponly=True, samesite="lax")


@router.post("/auth/signup", status_code=status.HTTP_201_CREATED, response_model=schemas.SignupOut)
def signup(body: schemas.SignupIn, db: DbSession, request: Request, response: Response):
    """Create an anonymous member account. Only a passphrase is needed; handle and recovery code are shown once."""
    result = service.signup(db, passphrase=body.passphrase, nickname=body.nickname, country=body.country, language=body.language)
    set_session_cookie(request, response, result.token)
    return schemas.SignupOut(member_id=result.user.id, handle=result.user.handle, recovery_code=result.recovery_code, token=result.token)


@router.post("/auth/login", response_model=schemas.LoginOut, response_model_exclude_none=True)
def login(body: schemas.LoginIn, db: DbSession, request: Request, response: Response, address: ClientAddress):
    """Members get a token. Staff get a TOTP challenge to complete at /auth/mfa."""
    result = service.login(db, handle=body.handle, passphrase=body.passphrase, client_address=address)
    if result.token:
        set_session_cookie(request, response, result.token)
    return schemas.LoginOut(**result.__dict__)


@router.post("/auth/mfa", response_model=schemas.TokenOut)
def mfa(body: schemas.MfaIn, db: DbSession, request: Request, response: Response):
    """Staff: the TOTP code for the challenge from /auth/login (enrolment or sign-in)."""
    token = service.complete_mfa(db, challenge=body.challenge, code=body.code)
    set_session_cookie(request, response, token)
    return schemas.TokenOut(token=token)


@router.post("/auth/recover", response_model=schemas.RecoverOut)
def recover(body: schemas.RecoverIn, db: DbSession, request: Request, response: Response, address: ClientAddress):
    """Set a new passphrase with the recovery code; a new recovery code replaces it."""
    token, code = service.recover(
        db, handle=body.handle, recovery_code=body.recovery_code, new_passphrase=body.new_passphrase, client_address=address
    )
    set_session_cookie(request, response, token)
    return schemas.RecoverOut(token=token, recovery_code=code)


@router.post("/auth/logout", status_code=status.HTTP_204_NO_CONTENT)
def logout(me: CurrentUser, db: DbSession, request: Request):
    service.logout(db, user=me.user, token=request.state.token)
    response = Response(status_code=status.HTTP_204_NO_CONTENT)
    clear_session_cookie(request, response)
    return response


@router.post("/auth/passphrase", response_model=schemas.TokenOut)
def change_passphrase(body: schemas.PassphraseChangeIn, me: CurrentUser, db: DbSession, request: Request, response: Response):
    """Change the passphrase. Every session ends; this client gets a new token."""
    token = service.change_passphrase(db, user=me.user, current=body.current_passphrase, new=body.new_passphrase)
    set_session_cookie(request, response, token)
    return schemas.TokenOut(token=token)


def _profile_out(profile: service.Profile) -> schemas.ProfileOut:
    user = profile.user
    return schemas.ProfileOut(
        member_id=user.id, role=user.role, handle=user.handle, nickname=profile.nickname,
        country=user.country, language=user.language, created_at=user.created_at,
    )


@router.get("/me", response_model=schemas.ProfileOut)
def me(me: CurrentUser, db: DbSession):
    return _profile_out(service.get_profile(db, user=me.user))


@router.patch("/me", response_model=schemas.ProfileOut)
def update_me(body: schemas.ProfileUpdate, me: CurrentMember, db: DbSession):
    """Correct the profile (GDPR Art. 16). Send only the fields to change; null clears one."""
    return _profile_out(service.update_profile(db, user=me.user, changes=body.model_dump(exclude_unset=True)))


@router.get("/me/access-log", response_model=schemas.AccessLogOut)
def access_log(me: CurrentUser, db: DbSession):
    """Who touched this account's data, when and why, from the hash-chained audit log."""
    entries = audit.list_for_subject(db, subject_id=me.user.id)
    head = audit.head(db)
    return schemas.AccessLogOut(
        entries=[
            schemas.AccessLogEntry(
                seq=e.seq, at=e.recorded_at, actor_role=e.actor_role, actor_id=e.actor_id, action=e.action,
                object_type=e.object_type, object_id=e.object_id, outcome=e.outcome, reason=e.reason, hash=e.hash,
            )
            for e in entries
        ],
        chain_head=head[1] if head else None,
    )


@router.delete("/me", response_model=schemas.EraseReceipt)
def erase_me(body: schemas.EraseIn, me: CurrentMember, db: DbSession, request: Request, response: Response):
    """Erase the account: the data key is destroyed, rows deleted, sessions ended. A receipt comes back."""
    erasure = service.erase(db, user=me.user, passphrase=body.passphrase)
    clear_session_cookie(request, response)
    return schemas.EraseReceipt(
        erased_at=erasure.erased_at, member_id=erasure.member_id, erased=erasure.erased,
        audit_entry_hash=audit.flush_pending(db),
    )
