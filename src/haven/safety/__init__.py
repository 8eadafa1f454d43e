"""Safety: every member message is assessed here first, and every reply screened here last.

This is the interim layer the conversation engine wires in: a small, reviewed rule set for
explicit suicidal statements, a fixed crisis reply with help lines for the member's country,
and an output screen. The safety issue replaces the rules with the graded model behind the
same functions.
"""

from haven.safety.service import RiskAssessment, assess, crisis_reply, help_lines, screen_output

__all__ = ["RiskAssessment", "assess", "crisis_reply", "help_lines", "screen_output"]
