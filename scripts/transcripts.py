"""Write three real transcripts from the engine into docs/conversation.md (between the markers).

    python scripts/transcripts.py

Runs Haven's service layer on a temporary SQLite database with the shipped models and content,
exactly as the API does; nothing is invented by hand.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from haven.accounts import service as accounts
from haven.config import Settings
from haven.conversation import service
from haven.db.schema import create_all
from haven.runtime import build_runtime

SCRIPTS = {
    "An anxious evening": [
        "hi", "3", "I feel really anxious tonight, my chest is tight and I keep thinking about tomorrow's meeting",
        "my manager is going to see the report and I think it's not good enough", "I just can't calm down",
        "could we do box breathing instead?", "ready", "ready", "done", "done", "done", "done", "finish", "5", "a bit",
    ],
    "A thought record": [
        "hello", "4", "can we do a thought record?", "next",
        "My friend didn't reply to my message all day", "She must be annoyed with me", "worried", "70",
        "She went quiet after I cancelled last week", "She told me she has a busy week at work",
        "She is probably just busy, and I can ask her on Friday", "40", "next", "6", "yes it did",
    ],
    "A question about sleep": [
        "hi", "skip", "why do I keep waking up at 4am and can't get back to sleep?",
        "thanks, that helps", "bye", "6", "yes",
    ],
}
START, END = "<!-- transcripts:start -->", "<!-- transcripts:end -->"


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        runtime = build_runtime(Settings(env="test", data_dir=Path(tmp)))
        create_all(runtime)
        sections = []
        for title, lines in SCRIPTS.items():
            with runtime.unit_of_work() as session:
                member = accounts.signup(session, passphrase="a transcript passphrase", country="GB").user
                conversation = service.create(session, member=member)
                member_id, conversation_id = member.id, conversation.id
            out = [f"### {title}", ""]
            for text in lines:
                with runtime.unit_of_work() as session:
                    from haven.accounts.models import User

                    result = service.post_message(session, member=session.get(User, member_id),
                                                  conversation_id=conversation_id, text=text)
                reply = result.reply
                out.append(f"> **Member:** {text}")
                out.append(">")
                shown = reply.text.replace("\n", "\n> ")
                extras = []
                if reply.exercise:
                    extras.append(f"exercise {reply.exercise['id']} step {reply.exercise['step']}/{reply.exercise['of']}")
                if reply.article:
                    extras.append(f"article {reply.article['url']}")
                if reply.quick_replies:
                    extras.append("buttons: " + " · ".join(reply.quick_replies))
                out.append(f"> **Haven:** {shown}" + (f"  \n> _({'; '.join(extras)})_" if extras else ""))
                out.append("")
            sections.append("\n".join(out))
        runtime.dispose()
    doc = Path(__file__).resolve().parents[1] / "docs/conversation.md"
    text = doc.read_text()
    head, _, rest = text.partition(START)
    _, _, tail = rest.partition(END)
    doc.write_text(f"{head}{START}\n\n" + "\n".join(sections) + f"\n{END}{tail}")
    print(f"wrote {len(sections)} transcripts to {doc}")


if __name__ == "__main__":
    main()
