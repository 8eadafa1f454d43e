"""Docs that are generated from code stay in step with it (Datasette's habit)."""

from __future__ import annotations

from pathlib import Path

from haven.clidocs import render

DOCS = Path(__file__).resolve().parents[3] / "docs"


def test_the_cli_reference_is_current():
    assert (DOCS / "cli.md").read_text() == render(), "run: python -m haven.clidocs > docs/cli.md"


def test_every_command_in_the_api_contract_exists():
    reference = render()
    for command in ("haven serve", "haven migrate", "haven keys rotate", "haven audit verify", "haven admin create-clinician"):
        assert f"## `{command}`" in reference, command
