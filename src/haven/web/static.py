"""Static files, all served by Haven itself (no CDNs, fonts or scripts from elsewhere)."""

from importlib import resources

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles


def mount_static(app: FastAPI) -> None:
    app.mount("/static", StaticFiles(directory=str(resources.files("haven.web").joinpath("static"))), name="static")
