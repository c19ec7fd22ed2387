"""Request bodies and list envelopes of the JSON API (responses reuse the service views)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Generic, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field

Item = TypeVar("Item")
Name = Field(min_length=1, max_length=100, pattern=r"^[a-z][a-z0-9_]*$")


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Subject(Body):
    type: str = Field(min_length=1, max_length=50, examples=["channel"])
    id: str = Field(min_length=1, max_length=100, examples=["C-0001"])


class InstanceCreate(Body):
    workflow: str = Field(min_length=1, max_length=100, examples=["complaint"])
    subject: Subject | None = None
    data: dict[str, Any] = Field(default_factory=dict, examples=[{"severity": "high", "summary": "漏发货"}])


class EventCreate(Body):
    trigger: str = Field(min_length=1, max_length=100, examples=["acknowledge"])
    comment: str | None = Field(default=None, max_length=10_000)
    data: dict[str, Any] = Field(default_factory=dict)


class TaskComplete(Body):
    decision: Literal["approve", "reject", "request_changes", "done"] = Field(examples=["approve"])
    comment: str | None = Field(default=None, max_length=10_000, examples=["资料齐全，同意入驻"])


class BulkDecision(Body):
    task_ids: list[Annotated[int, Field(ge=1, le=2**31 - 1)]] = Field(min_length=1, max_length=100,
                                                                        examples=[[12, 15, 18]])
    decision: Literal["approve", "reject", "request_changes", "done"] = Field(examples=["approve"])
    comment: str | None = Field(default=None, max_length=10_000, examples=["资料齐全，同意入驻"])


class UserCreate(Body):
    login: str = Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_.@-]+$", examples=["li.finance"])
    password: str = Field(min_length=8, max_length=200)
    display_name: str = Field(default="", max_length=200)
    email: str | None = Field(default=None, max_length=320)
    groups: list[str] = Field(default_factory=list, examples=[["finance"]])
    roles: list[str] = Field(default_factory=list, examples=[["reviewer"]])
    is_admin: bool = False
    locale: Literal["zh", "en"] = "zh"


class TokenCreate(Body):
    name: str = Field(min_length=1, max_length=100, examples=["erp-sync"])
    expires_at: datetime | None = None


class Page(BaseModel, Generic[Item]):
    items: list[Item]
    total: int
    limit: int
    offset: int


class ValidationReport(BaseModel):
    valid: bool
    errors: list[dict[str, Any]]


class TokenResponse(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int
