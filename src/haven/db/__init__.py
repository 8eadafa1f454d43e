"""Database: engine, the declarative base, the unit of work and migrations."""
