"""Members, clinicians and operators: passphrases, recovery codes, TOTP, sessions, throttling."""
