"""Regenerate docs/configuration.md's settings table from haven.config.Settings: python scripts/gen_config_docs.py"""

from pathlib import Path

from haven.config import SECRET_FIELDS, Settings

DOC = Path(__file__).resolve().parents[1] / "docs/configuration.md"
START, END = "| variable | default | meaning |", "\n\n## Files under the data directory"


def table() -> str:
    rows = [START, "| --- | --- | --- |"]
    for name, field in Settings.model_fields.items():
        default = field.default if field.default_factory is None else field.default_factory()
        shown = "—" if default is None else f"`{default}`"
        extra = f" Also `HAVEN_{name.upper()}_FILE`." if name in SECRET_FIELDS else ""
        rows.append(f"| `HAVEN_{name.upper()}` | {shown} | {field.description}{extra} |")
    return "\n".join(rows)


if __name__ == "__main__":
    text = DOC.read_text()
    head, _, rest = text.partition(START)
    _, _, tail = rest.partition(END)
    DOC.write_text(head + table() + END + tail)
    print(f"updated {DOC}")
