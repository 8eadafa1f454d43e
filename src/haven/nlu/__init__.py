"""Understanding a member's message: intent, emotion, topic, language, and PII scrubbing.

Entry points: :func:`haven.nlu.service.understand`, :func:`haven.nlu.service.warm_up` and
:func:`haven.nlu.pii.scrub`. The models are built by ``haven train`` (haven.nlu.cli).
"""
