"""People in tests: Alice and Bob are members, Dr Carter a clinician, Olu an operator.

Authorization tests read as stories: Bob asks for Alice's things and gets 404.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from functools import cached_property

import pyotp

from haven.accounts import service as accounts
from haven.accounts.models import User

PASSPHRASE = "correct horse battery staple"


@dataclass
class Person:
    client: object
    handle: str
    passphrase: str
    token: str
    member_id: str
    recovery_code: str | None = None
    totp_secret: str | None = None
    extra: dict = field(default_factory=dict)

    @property
    def headers(self) -> dict:
        return {"Authorization": f"Bearer {self.token}"}

    def get(self, url, **kw):
        return self.client.get(url, headers={**self.headers, **kw.pop("headers", {})}, **kw)

    def post(self, url, **kw):
        return self.client.post(url, headers={**self.headers, **kw.pop("headers", {})}, **kw)

    def patch(self, url, **kw):
        return self.client.patch(url, headers={**self.headers, **kw.pop("headers", {})}, **kw)

    def delete(self, url, **kw):
        return self.client.request("DELETE", url, headers={**self.headers, **kw.pop("headers", {})}, **kw)


class Personas:
    def __init__(self, client, runtime) -> None:
        self.client = client
        self.runtime = runtime

    def new_member(self, passphrase: str = PASSPHRASE, **profile) -> Person:
        response = self.client.post("/api/v1/auth/signup", json={"passphrase": passphrase, **profile})
        assert response.status_code == 201, response.text
        body = response.json()
        self.client.cookies.clear()  # each persona speaks with its bearer token only
        return Person(self.client, body["handle"], passphrase, body["token"], body["member_id"], body["recovery_code"])

    @cached_property
    def alice(self) -> Person:
        return self.new_member(nickname="Alice")

    @cached_property
    def bob(self) -> Person:
        return self.new_member(nickname="Bob")

    def new_staff(self, role: str, handle: str) -> Person:
        with self.runtime.unit_of_work() as session:
            user = accounts.create_staff(session, role=role, handle=handle, display_name=handle.title(), passphrase=PASSPHRASE)
            user_id = str(user.id)
        login = self.client.post("/api/v1/auth/login", json={"handle": handle, "passphrase": PASSPHRASE}).json()
        secret = pyotp.parse_uri(login["otpauth_uri"]).secret
        token = self.client.post("/api/v1/auth/mfa", json={"challenge": login["challenge"], "code": pyotp.TOTP(secret).now()}).json()["token"]
        self.client.cookies.clear()
        return Person(self.client, handle, PASSPHRASE, token, user_id, totp_secret=secret)

    @cached_property
    def dr_carter(self) -> Person:
        return self.new_staff("clinician", "dr-carter")

    @cached_property
    def olu(self) -> Person:
        return self.new_staff("operator", "olu-operator")

    def user(self, member_id: str) -> User:
        with self.runtime.session_factory() as session:
            return session.get(User, uuid.UUID(member_id))
