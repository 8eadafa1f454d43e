"""Conversation: the dialogue manager, exercise flows, reply composition and the optional LLM adapter."""
