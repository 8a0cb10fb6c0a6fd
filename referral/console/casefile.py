"""The case file on a referral's page: notes, documents, the materials checklist (rules in referral.casefile).

The section is the partial ``_casefile.html`` of the referral page. A successful step redirects
to the page's ``#casefile`` anchor with a ``done`` code of its own (``DONE`` below), which the
partial shows next to the forms; an error shows the referral page with the message and what
was typed, as the desk's steps do.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from referral import attachments, casefile, desk
from referral.console.referrals import _refused
from referral.console.web import ConsoleRoute, NotFound, PostUserDep, UserDep, see_other, templates
from referral.dependencies import Responses, SessionDep, SettingsDep, client_address
from referral.models import Referral, StaffUser

router = APIRouter(prefix="/console", tags=["console"], route_class=ConsoleRoute)

# Messages after a step of the case file succeeded (shown by _casefile.html, not by the page's banner).
DONE: dict[str, str] = {
    "casefile_note": "备注已保存。",
    "casefile_document": "材料已上传。",
    "casefile_materials": "材料清单已保存。",
    "casefile_unchanged": "材料清单没有变化。",
}


def casefile_view(referral: Referral) -> dict[str, Any]:
    """What _casefile.html shows of a referral (a Jinja global: the partial gets the page's context only)."""
    items = casefile.checklist(referral)
    have = set(casefile.received(referral))
    documents = casefile.documents(referral)
    return {
        "notes": list(referral.notes),
        "documents": list(zip(documents, casefile.uploader_names(referral, documents), strict=True)),
        "papers": [(item, item in have) for item in items],
        "received": len(have),
        "missing": len(items) - len(have),
        "from_screening": bool(casefile.screening_papers(referral)),
    }


def file_size(size: int) -> str:
    """A file's size as staff read it: 「820 字节」, 「35 KB」, 「2.4 MB」."""
    if size < 1024:
        return f"{size} 字节"
    if size < 1024 * 1024:
        return f"{round(size / 1024)} KB"
    return f"{size / (1024 * 1024):.1f} MB"


templates.env.globals.update(
    casefile_view=casefile_view, casefile_file_size=file_size, CASEFILE_DONE=DONE,
    CASEFILE_DOCUMENT_KINDS=casefile.DOCUMENT_KINDS, CASEFILE_DOCUMENT_TYPES=casefile.DOCUMENT_TYPES,
    casefile_missing=casefile.missing_materials,  # the pause step's one-time notice starts from the checklist
)


def _back(ticket: str, code: str) -> RedirectResponse:
    return see_other(f"/console/referrals/{ticket}?done={code}#casefile")


def _step(request: Request, session, user: StaffUser, ticket: str, action, *,
          form: dict[str, str] | None = None) -> HTMLResponse | RedirectResponse:
    """Run one step; redirect to the case file with the step's code, or with why it was refused."""
    try:
        code = action()
    except desk.NotVisible:
        raise NotFound() from None
    except desk.DeskError as exc:
        return _refused(request, session, user, ticket, exc, form, anchor="casefile")
    return _back(ticket, code)


_STEP_RESPONSES: Responses = {303: {"description": "Done: back to the referral page's case file"},
                              403: {"description": "The form's CSRF token is missing or wrong"},
                              404: {"description": "No such referral, or another station's"},
                              409: {"description": "Not possible now (the page says why)"},
                              422: {"description": "The form's content is refused (the page says why)"}}
Text = Annotated[str, Form()]


@router.post("/referrals/{ticket}/notes", response_class=HTMLResponse, summary="Console: write a case note",
             responses=_STEP_RESPONSES)
def add_note(ticket: str, request: Request, session: SessionDep, user: PostUserDep, text: Text = ""):
    """Add a note to the case file (the holder or an administrator; at most 2000 characters; audited)."""
    def action() -> str:
        casefile.add_note(session, user, ticket, text, client=client_address(request))
        return "casefile_note"

    return _step(request, session, user, ticket, action, form={"case_note": text})


def _read(upload: UploadFile | None) -> bytes:
    """The uploaded file's bytes, at most one byte more than the limit (enough to refuse a larger one)."""
    if upload is None:
        return b""
    return upload.file.read(casefile.MAX_DOCUMENT_BYTES + 1)


@router.post("/referrals/{ticket}/documents", response_class=HTMLResponse,
             summary="Console: upload a document to the case file",
             responses={**_STEP_RESPONSES, 413: {"description": "The file is larger than 10 MB"},
                        415: {"description": "Not a PDF, JPEG, PNG or WebP file (judged by its bytes)"}})
def upload_document(ticket: str, request: Request, session: SessionDep, user: PostUserDep, settings: SettingsDep,
                    kind: Text = "", file: Annotated[UploadFile | None, File()] = None):
    """A multipart form: the document's kind and the file (PDF, JPEG, PNG or WebP, at most 10 MB)."""
    def action() -> str:
        casefile.add_document(session, user, settings.attachments_dir, ticket, kind, _read(file),
                              client=client_address(request))
        return "casefile_document"

    return _step(request, session, user, ticket, action, form={"document_kind": kind})


@router.get("/referrals/{ticket}/documents/{document_id}", response_class=Response,
            summary="Console: download a document of the case file",
            responses={200: {"description": "The document's bytes: a PDF as a download, an image inline",
                             "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}},
                                         **attachments.openapi_image_content()}},
                       404: {"description": "No such document, or another station's referral"}})
def download_document(ticket: str, document_id: int, request: Request, session: SessionDep, user: UserDep,
                      settings: SettingsDep):
    """One document of the case file (the same visibility as the referral page; each download audited)."""
    try:
        referral, row, data = casefile.open_document(session, user, settings.attachments_dir, ticket, document_id,
                                                     client=client_address(request))
    except attachments.FileMissing as exc:
        raise NotFound(exc.message) from None
    except desk.DeskError:
        raise NotFound() from None
    headers = dict(attachments.IMAGE_HEADERS)
    if row.content_type == "application/pdf":
        headers["Content-Disposition"] = f'attachment; filename="{referral.ticket_number}-{row.id}.pdf"'
    return Response(data, media_type=row.content_type, headers=headers)


@router.post("/referrals/{ticket}/materials", response_class=HTMLResponse,
             summary="Console: save the materials checklist", responses=_STEP_RESPONSES)
def save_materials(ticket: str, request: Request, session: SessionDep, user: PostUserDep,
                   received: Annotated[list[str] | None, Form()] = None):
    """The papers received (the ticked boxes; an unticked box is a paper not received, or no longer)."""
    def action() -> str:
        came, gone = casefile.save_materials(session, user, ticket, received or [], client=client_address(request))
        return "casefile_materials" if came or gone else "casefile_unchanged"

    return _step(request, session, user, ticket, action, form={"materials": "yes"})
