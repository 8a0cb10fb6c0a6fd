"""Staff console: server-rendered pages in Simplified Chinese under /console (tag "console" in the spec).

Modules by concern: ``web`` (templates, security headers, sign-in and CSRF dependencies),
``auth`` (login and logout), ``referrals`` (queue and referral pages), ``admin`` (accounts,
stations, audit trail), ``statistics`` (monthly figures and exports), ``hotline`` (the hotline operators' console).
"""

from fastapi import APIRouter

from referral.console import admin_pages, auth, hotline, referrals, statistics

router = APIRouter()  # the area routers carry the /console prefix and the "console" tag
router.include_router(auth.router)
router.include_router(referrals.router)
router.include_router(admin_pages.router)
router.include_router(statistics.router)
router.include_router(hotline.router)
