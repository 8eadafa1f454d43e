"""Public pages: landing, what Haven is and is not, crisis help."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from haven.deps import OptionalAuth
from haven.web.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
def landing(request: Request, auth: OptionalAuth):
    return render(request, "index.html")


@router.get("/about", response_class=HTMLResponse)
def about(request: Request, auth: OptionalAuth):
    return render(request, "index.html")


@router.get("/help", response_class=HTMLResponse)
def crisis_help(request: Request, auth: OptionalAuth):
    return render(request, "help.html")
