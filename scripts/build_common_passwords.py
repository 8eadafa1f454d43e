"""Rebuild src/haven/accounts/data/common-passwords.txt from the zxcvbn package's list.

zxcvbn (MIT, Dropbox) ranks 30,000 passwords seen in public breaches by frequency. Haven
keeps those of 8 or more characters (shorter ones fail the length rule anyway), lower-cased,
in rank order, so the check runs offline. Run:

    pip install zxcvbn==4.5.0 && python scripts/build_common_passwords.py
"""

from pathlib import Path

from zxcvbn.frequency_lists import FREQUENCY_LISTS

OUT = Path(__file__).resolve().parents[1] / "src/haven/accounts/data/common-passwords.txt"


def main() -> None:
    seen: dict[str, None] = {}
    for word in FREQUENCY_LISTS["passwords"]:
        if len(word) >= 8:
            seen.setdefault(word.lower(), None)
    header = "# Commonest breached passwords of 8+ characters, from zxcvbn 4.5.0 (MIT). Rebuild: scripts/build_common_passwords.py\n"
    OUT.write_text(header + "\n".join(seen) + "\n")
    print(f"{len(seen)} passwords written to {OUT}")


if __name__ == "__main__":
    main()
