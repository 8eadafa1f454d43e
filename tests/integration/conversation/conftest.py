"""Helpers for conversation tests: a member with a conversation, and a way to say things."""

from __future__ import annotations

import pytest


class Chat:
    def __init__(self, person, conversation_id: str) -> None:
        self.person = person
        self.id = conversation_id
        self.replies: list[dict] = []

    def say(self, text: str, expect: int = 200) -> dict:
        response = self.person.post(f"/api/v1/conversations/{self.id}/messages", json={"text": text})
        assert response.status_code == expect, response.text
        body = response.json()
        if expect == 200:
            self.replies.append(body)
        return body


@pytest.fixture
def start_chat(personas):
    def start(person=None) -> Chat:
        person = person or personas.alice
        response = person.post("/api/v1/conversations", json={})
        assert response.status_code == 201, response.text
        return Chat(person, response.json()["id"])

    return start
