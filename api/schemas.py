"""Request bodies and list envelopes of the JSON API (responses reuse the service views)."""

from __future__ import annotations

import datetime as dt
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


class TaskAssign(Body):
    login: str = Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9_.@-]+$", examples=["li.finance"])
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


class FollowUp(Body):
    date: dt.date = Field(description="the local day to be reminded of the task, from today to a year ahead",
                       examples=["2026-12-01"])
GROUP_CODE = r"^(region:)?[a-z][a-z0-9_-]{0,49}$"


class UserUpdate(Body):
    """Only the fields sent change. A user may send only `display_name` and `locale` for themself."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"groups": ["finance", "region:east"], "email": "li@example.com"}, {"active": True}]})

    display_name: str | None = Field(default=None, max_length=200)
    email: str | None = Field(default=None, max_length=320, examples=["li@example.com"])
    locale: Literal["zh", "en"] | None = None
    groups: list[Annotated[str, Field(max_length=60)]] | None = Field(default=None, max_length=100,
                                                                      examples=[["finance", "region:east"]])
    roles: list[Annotated[str, Field(max_length=30)]] | None = Field(default=None, max_length=10,
                                                                     examples=[["reviewer"]])
    is_admin: bool | None = None
    active: bool | None = Field(default=None, description="true reactivates a deactivated user")


class PasswordReset(Body):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"password": "a long new password"}]})
    password: str = Field(min_length=8, max_length=200)


class PasswordChange(Body):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"old_password": "my old password", "new_password": "a long new password"}]})
    old_password: str = Field(min_length=1, max_length=200)
    new_password: str = Field(min_length=8, max_length=200)


class GroupCreate(Body):
    code: str = Field(min_length=1, max_length=57, pattern=GROUP_CODE, examples=["region:east"])
    title_zh: str = Field(min_length=1, max_length=100, examples=["东区"])
    title_en: str = Field(min_length=1, max_length=100, examples=["East"])
    description: str = Field(default="", max_length=500)


class GroupUpdate(Body):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"title_zh": "华东区", "title_en": "East China"}, {"active": False}]})
    title_zh: str | None = Field(default=None, min_length=1, max_length=100)
    title_en: str | None = Field(default=None, min_length=1, max_length=100)
    description: str | None = Field(default=None, max_length=500)
    active: bool | None = None
