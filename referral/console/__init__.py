"""Staff console: server-rendered pages in Simplified Chinese under /console (tag "console" in the spec).

Modules by concern: ``web`` (templates, security headers, sign-in and CSRF dependencies),
``auth`` (login and logout), ``referrals`` (queue and referral pages), ``admin`` (accounts,
stations, audit trail), ``statistics`` (monthly figures and exports), ``hotline`` (the hotline operators' console),
``intake`` (applications taken at the counter or by phone, printable forms and letters), ``casefile``
(notes, documents and the materials checklist of one referral), ``conflicts`` (the opposing party and
the conflict and duplicate check).
"""

from fastapi import APIRouter

from referral.console import admin_pages, auth, casefile, conflicts, hotline, intake, referrals, statistics

router = APIRouter()  # the area routers carry the /console prefix and the "console" tag
router.include_router(auth.router)
router.include_router(referrals.router)
router.include_router(admin_pages.router)
router.include_router(statistics.router)
router.include_router(hotline.router)
router.include_router(intake.router)
router.include_router(casefile.router)
router.include_router(conflicts.router)
