"""YAML is read once from parser events and refused at its line when it could explode or go too deep."""

from __future__ import annotations

import datetime

import pytest
import yaml

from workflows.domain import yamlmap
from workflows.domain.yamlmap import YamlRefused, load_with_lines


def refusal(text: str, **bounds: int) -> tuple[str, int]:
    with pytest.raises(YamlRefused) as caught:
        load_with_lines(text, **bounds)
    return caught.value.problem, caught.value.line


def test_plain_yaml_keeps_its_values_and_the_line_of_every_key() -> None:
    data, lines = load_with_lines("name: x\nstates:\n  - {name: a, initial: true}\n  - name: b\n    final: yes\n")
    assert data == {"name": "x", "states": [{"name": "a", "initial": True}, {"name": "b", "final": True}]}
    assert (lines[("states",)], lines[("states", 0, "initial")], lines[("states", 1, "final")]) == (2, 3, 5)


def test_scalars_are_resolved_as_safe_load_resolves_them() -> None:
    text = "a: 1\nb: 1.5\nc: null\nd: 2026-11-23\ne: '1'\nf: ~\n"
    assert load_with_lines(text)[0] == yaml.safe_load(text) == {
        "a": 1, "b": 1.5, "c": None, "d": datetime.date(2026, 11, 23), "e": "1", "f": None}


def test_the_c_parser_is_used_where_pyyaml_has_it() -> None:
    assert yamlmap._Loader is (yaml.CSafeLoader if yaml.__with_libyaml__ else yaml.SafeLoader)


def test_an_anchor_is_refused_at_its_line() -> None:
    assert refusal("a: 1\nb: &x [1, 2]\n") == ("anchors (&x) are not allowed", 2)


def test_an_alias_is_refused_at_its_line() -> None:
    assert refusal("a: 1\nb:\n  - *x\n") == ("aliases (*x) are not allowed", 3)


def test_a_merge_key_is_refused() -> None:
    assert refusal("a:\n  <<: {b: 1}\n") == ("merge keys (<<) are not allowed", 2)


@pytest.mark.parametrize("text", ["a: !!python/object:os.system x\n", "a: !!set {x}\n", "a: !custom 1\n"])
def test_tags_beyond_plain_yaml_are_refused(text: str) -> None:
    problem, line = refusal(text)
    assert problem.startswith("the tag ") and problem.endswith(" is not allowed") and line == 1


def test_a_mapping_as_a_key_is_refused() -> None:
    assert refusal("? [a, b]\n: 1\n") == ("a key must be plain text, not a mapping or a list", 1)


def test_a_second_document_is_refused() -> None:
    assert refusal("a: 1\n---\nb: 2\n") == ("only one document is allowed", 2)


def test_nesting_deeper_than_the_bound_is_refused_without_recursion() -> None:
    assert refusal("a: " + "[" * 900 + "]" * 900 + "\n") == ("nested deeper than 64 levels", 1)


def test_nesting_past_the_parsers_own_bound_is_a_yaml_error_at_its_line() -> None:
    with pytest.raises(yaml.YAMLError) as caught:
        load_with_lines("a: " + "[" * 100_000 + "]" * 100_000 + "\n")
    mark = getattr(caught.value, "problem_mark", None)
    assert mark is not None and mark.line == 0


def test_nesting_up_to_the_bound_is_read() -> None:
    data, _ = load_with_lines("[" * 5 + "]" * 5, max_depth=5)
    assert data == [[[[[]]]]]
    assert refusal("[" * 6 + "]" * 6, max_depth=5)[0] == "nested deeper than 5 levels"


def test_more_values_than_the_bound_are_refused_at_the_line_of_the_first_too_many() -> None:
    text = "".join(f"- {i}\n" for i in range(20))
    assert refusal(text, max_nodes=10) == ("more than 10 values", 10)
