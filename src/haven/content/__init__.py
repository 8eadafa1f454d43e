"""Haven's reviewed content, as data: exercises/, dialogue/, articles/ and VERSION (see docs/content.md)."""
