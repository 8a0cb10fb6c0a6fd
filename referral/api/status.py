"""The citizen's status lookup (ticket number + last four phone digits). Placeholder: being built."""

from fastapi import APIRouter

router = APIRouter()
