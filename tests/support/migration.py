"""A small SOP in two versions for the migration tests: version 2 gives finance 2 working days instead of 3,
adds an IT review to the all-of review, replaces the `parked` state by `on_hold`, needs a `region` and
tightens the decision goal."""

from __future__ import annotations

from dataclasses import dataclass

from workflows.domain.principals import Actor
from workflows.services.context import Services
from workflows.services.definitions import publish_definition
from workflows.services.instances import fire_trigger, start_instance

V1 = """name: sop_review
title: {zh: 特价审核, en: Price review}
start: [admin, role:channel_manager]
fields:
  amount: {type: integer, title: {zh: 金额, en: Amount}}
states:
  - {name: draft, title: {zh: 草稿, en: Draft}, initial: true}
  - name: review
    title: {zh: 审核中, en: Under review}
    tasks:
      - name: dept_review
        title: {zh: 部门审核, en: Department review}
        groups: [market, finance]
        policy: all
        due: 3 working days
        remind_before: [1 working day]
        decisions: [approve, reject]
        outcomes: {approve: approve, reject: reject}
  - {name: parked, title: {zh: 搁置, en: Parked}}
  - {name: done, title: {zh: 已通过, en: Approved}, final: true}
  - {name: rejected, title: {zh: 已驳回, en: Rejected}, final: true}
transitions:
  - {trigger: submit, source: draft, dest: review, allowed: [requester, admin], title: {zh: 提交, en: Submit}}
  - {trigger: park, source: review, dest: parked, allowed: [admin], title: {zh: 搁置, en: Park}}
  - {trigger: approve, source: review, dest: done, title: {zh: 通过, en: Approve}}
  - {trigger: reject, source: review, dest: rejected, title: {zh: 驳回, en: Reject}}
  - {trigger: finish, source: parked, dest: done, allowed: [admin], title: {zh: 完成, en: Finish}}
sla:
  - name: decision
    title: {zh: 审核决定, en: Decision}
    start: [review]
    stop: [done, rejected]
    pause: [parked]
    goal: 3 working days
"""

V2 = """name: sop_review
title: {zh: 特价审核, en: Price review}
start: [admin, role:channel_manager]
fields:
  amount: {type: integer, title: {zh: 金额, en: Amount}}
  region: {type: string, required: true, title: {zh: 区域, en: Region}}
states:
  - {name: draft, title: {zh: 草稿, en: Draft}, initial: true}
  - name: review
    title: {zh: 审核中, en: Under review}
    tasks:
      - name: dept_review
        title: {zh: 部门审核, en: Department review}
        groups: [market, finance, it]
        policy: all
        due: 2 working days
        remind_before: [1 working day]
        decisions: [approve, reject]
        outcomes: {approve: approve, reject: reject}
  - {name: on_hold, title: {zh: 暂停, en: On hold}}
  - {name: done, title: {zh: 已通过, en: Approved}, final: true}
  - {name: rejected, title: {zh: 已驳回, en: Rejected}, final: true}
transitions:
  - {trigger: submit, source: draft, dest: review, allowed: [requester, admin], title: {zh: 提交, en: Submit}}
  - {trigger: hold, source: review, dest: on_hold, allowed: [admin], title: {zh: 暂停, en: Hold}}
  - {trigger: approve, source: review, dest: done, title: {zh: 通过, en: Approve}}
  - {trigger: reject, source: review, dest: rejected, title: {zh: 驳回, en: Reject}}
  - {trigger: finish, source: on_hold, dest: done, allowed: [admin], title: {zh: 完成, en: Finish}}
sla:
  - name: decision
    title: {zh: 审核决定, en: Decision}
    start: [review]
    stop: [done, rejected]
    pause: [on_hold]
    goal: 2 working days
"""


@dataclass
class Seeded:
    reviewing: list[int]
    parked: list[int]
    no_region: list[int]

    @property
    def all(self) -> list[int]:
        return sorted([*self.reviewing, *self.parked, *self.no_region])


def seed(svc: Services, admin: Actor, *, reviewing: int = 1, parked: int = 1, no_region: int = 0) -> Seeded:
    """Version 1 published, instances started on it (in review, parked, in review without a region), then
    version 2 published."""
    publish_definition(svc, actor=admin, source=V1)

    def started(data: dict[str, object], *triggers: str) -> int:
        iid = start_instance(svc, actor=admin, workflow="sop_review", data=data).id
        for trigger in triggers:
            fire_trigger(svc, actor=admin, instance_id=iid, trigger=trigger)
        return iid

    found = Seeded(reviewing=[started({"amount": n, "region": "east"}, "submit") for n in range(reviewing)],
                   parked=[started({"amount": n, "region": "east"}, "submit", "park") for n in range(parked)],
                   no_region=[started({"amount": n}, "submit") for n in range(no_region)])
    publish_definition(svc, actor=admin, source=V2)
    return found
