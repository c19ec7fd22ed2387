"""The latest published version of a workflow: one query, used by starts, reports, agendas and publishing."""

from __future__ import annotations

import pytest

from tests.integration.test_definitions__publishing import PROPOSAL
from tests.support.fixtures import UserFactory
from workflows.domain.errors import NotFound
from workflows.services import definitions
from workflows.services.context import Services


def test_the_latest_version_is_the_highest_version_number(svc: Services, make_user: UserFactory) -> None:
    admin = make_user(admin=True)
    definitions.publish_definition(svc, actor=admin, source=PROPOSAL)
    second = definitions.publish_definition(svc, actor=admin, source=PROPOSAL + "\n# v2\n")

    with svc.uow(write=False) as uow:
        latest = definitions.latest_version(uow, "improvement_proposal")

    assert latest is not None
    assert (latest.id, latest.version, latest.source) == (second.id, 2, PROPOSAL + "\n# v2\n")


def test_a_workflow_never_published_has_no_latest_version(svc: Services) -> None:
    with svc.uow(write=False) as uow:
        assert definitions.latest_version(uow, "improvement_proposal") is None


def test_the_latest_id_of_an_unpublished_workflow_is_not_found(svc: Services) -> None:
    with svc.uow(write=False) as uow, pytest.raises(NotFound, match="no published workflow named 'nope'"):
        definitions.latest_definition_id(svc, uow, "nope")


def test_the_latest_id_follows_a_publish_in_this_process_at_once(svc: Services, make_user: UserFactory) -> None:
    admin = make_user(admin=True)
    first = definitions.publish_definition(svc, actor=admin, source=PROPOSAL)
    with svc.uow(write=False) as uow:
        before = definitions.latest_definition_id(svc, uow, "improvement_proposal")

    second = definitions.publish_definition(svc, actor=admin, source=PROPOSAL + "\n# v2\n")
    with svc.uow(write=False) as uow:
        after = definitions.latest_definition_id(svc, uow, "improvement_proposal")

    assert (before, after) == (first.id, second.id)


def test_a_published_definition_comes_from_the_compiled_cache(svc: Services) -> None:
    view = definitions.get_definition(svc, name="complaint")
    with svc.uow(write=False) as uow:
        compiled = svc.compiled(uow.conn, view.id)

    assert definitions.published_definition(svc, view) is compiled.definition
