"""Publishing definitions: versions, shipped definitions, refusals."""

from __future__ import annotations

import pytest

from tests.integration.helpers import count
from tests.support.fixtures import UserFactory
from workflows.domain.errors import InvalidInput, NotFound, PermissionDenied
from workflows.domain.principals import SYSTEM
from workflows.persistence import tables as t
from workflows.services import definitions
from workflows.services.context import Services
from workflows.services.instances import start_instance

PROPOSAL = """
name: improvement_proposal
title: {zh: 改进提案, en: Improvement proposal}
start: [role:channel_manager]
states:
  - {name: submitted, initial: true}
  - {name: evaluated}
  - {name: funded}
  - {name: implemented}
  - {name: reviewed, final: true}
transitions:
  - {trigger: evaluate, source: submitted, dest: evaluated, allowed: [group:committee]}
  - {trigger: fund, source: evaluated, dest: funded, allowed: [group:committee]}
  - {trigger: implement, source: funded, dest: implemented, allowed: [requester]}
  - {trigger: review, source: implemented, dest: reviewed, allowed: [group:committee]}
"""


def test_the_four_shipped_workflows_are_published_once(svc: Services) -> None:
    assert {d.name for d in definitions.list_definitions(svc)} == set(definitions.SHIPPED)
    assert definitions.publish_shipped(svc, actor=SYSTEM) == []


def test_an_admin_publishes_a_new_workflow_and_then_a_second_version(svc: Services, make_user: UserFactory) -> None:
    admin = make_user(admin=True)
    first = definitions.publish_definition(svc, actor=admin, source=PROPOSAL)
    second = definitions.publish_definition(svc, actor=admin, source=PROPOSAL.replace("改进提案", "改进提案 v2"))
    assert (first.version, second.version) == (1, 2)
    assert [v.version for v in definitions.list_versions(svc, name="improvement_proposal")] == [1, 2]
    assert definitions.get_definition(svc, name="improvement_proposal", version=1).source == PROPOSAL


def test_publishing_the_latest_text_again_adds_no_version(svc: Services, make_user: UserFactory) -> None:
    admin = make_user(admin=True)
    first = definitions.publish_definition(svc, actor=admin, source=PROPOSAL)

    again = definitions.publish_definition(svc, actor=admin, source=PROPOSAL)

    assert (again.id, again.version, again.unchanged, first.unchanged) == (first.id, 1, True, False)
    assert [v.version for v in definitions.list_versions(svc, name="improvement_proposal")] == [1]


def test_an_older_text_published_again_becomes_a_new_version(svc: Services, make_user: UserFactory) -> None:
    admin = make_user(admin=True)
    definitions.publish_definition(svc, actor=admin, source=PROPOSAL)
    definitions.publish_definition(svc, actor=admin, source=PROPOSAL + "\n# v2\n")

    back = definitions.publish_definition(svc, actor=admin, source=PROPOSAL)

    assert (back.version, back.unchanged) == (3, False)


def test_instances_stay_on_the_version_they_started_with(svc: Services, make_user: UserFactory) -> None:
    admin, manager = make_user(admin=True), make_user(roles=("channel_manager",))
    definitions.publish_definition(svc, actor=admin, source=PROPOSAL)
    old = start_instance(svc, actor=manager, workflow="improvement_proposal")
    definitions.publish_definition(svc, actor=admin, source=PROPOSAL + "\n# v2\n")
    new = start_instance(svc, actor=manager, workflow="improvement_proposal")
    assert (old.definition_version, new.definition_version) == (1, 2)


def test_a_non_admin_cannot_publish(svc: Services, make_user: UserFactory) -> None:
    with pytest.raises(PermissionDenied):
        definitions.publish_definition(svc, actor=make_user("committee"), source=PROPOSAL)


def test_an_invalid_definition_is_refused_with_every_problem_and_nothing_is_written(
    svc: Services, make_user: UserFactory
) -> None:
    before = count(svc, t.definitions)
    broken = PROPOSAL.replace("dest: funded", "dest: fundd").replace("group:committee]}\n  - {trigger: fund",
                                                                   "group:comittee]}\n  - {trigger: fund")
    with pytest.raises(InvalidInput) as error:
        definitions.publish_definition(svc, actor=make_user(admin=True), source=broken)
    paths = {p.path for p in error.value.problems}
    assert {"transitions[1].dest", "transitions[0].allowed[0]"} <= paths
    assert count(svc, t.definitions) == before


def test_starting_an_unknown_workflow_says_so(svc: Services, make_user: UserFactory) -> None:
    with pytest.raises(NotFound, match="no published workflow named 'nope'"):
        start_instance(svc, actor=make_user(admin=True), workflow="nope")
