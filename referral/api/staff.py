"""Staff API. Placeholder: being built."""

from fastapi import APIRouter

router = APIRouter()
