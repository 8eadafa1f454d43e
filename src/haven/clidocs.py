"""Render the ``haven`` command's reference (docs/cli.md) from the command definitions themselves."""

from __future__ import annotations

import typer


def render() -> str:
    from haven.cli import app

    root = typer.main.get_command(app)
    lines = [
        "# The `haven` command",
        "",
        "Generated from the command definitions by `python -m haven.clidocs > docs/cli.md`;",
        "a test fails when this file and the code disagree.",
        "",
    ]
    for path, command in _walk(root, ["haven"]):
        lines += [f"## `{' '.join(path)}`", "", (command.help or "").strip(), ""]
        options = [
            p for p in command.params
            if getattr(p, "param_type_name", "") == "option" and not getattr(p, "hidden", False) and p.name != "help"
        ]
        if options:
            lines += ["| option | default | meaning |", "| --- | --- | --- |"]
            for option in options:
                default = "required" if option.required else ("—" if option.default is None else f"`{option.default}`")
                lines.append(f"| `{', '.join(option.opts)}` | {default} | {option.help or ''} |")
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def _walk(command, path: list[str]):
    # Typer vendors its own click, so groups are recognised by what they have, not their class.
    if hasattr(command, "commands"):
        for name in sorted(command.commands):
            yield from _walk(command.commands[name], [*path, name])
    else:
        yield path, command


if __name__ == "__main__":
    print(render(), end="")
