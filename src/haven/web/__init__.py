"""Pages, templates, static files and the HTTP middleware shared by every domain."""
