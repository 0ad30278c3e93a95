"""The v1 contract: the live OpenAPI document still holds everything the committed one
(api/openapi.json) promises. Additions pass; a removed or changed path, method,
parameter or response field fails, and so does a changed summary, tag or operation
id, but for the one deliberate renaming of tags and operation ids (RENAMED: 1.0's
Japanese tags and `api_api_*` ids, which generated clients turned into package and
method names, became ASCII tags and resource-named ids).

Regenerate the committed document only for an addition (then this test still passes
against the old one first):
    .venv/bin/python manage.py shell --no-imports -c "from api.api import api; import json; \
print(json.dumps(api.get_openapi_schema(), ensure_ascii=False, indent=1, sort_keys=True))" \
> api/openapi.json
"""

import json
import re
from pathlib import Path

import pytest

from api.api import api

COMMITTED = Path(__file__).resolve().parents[2] / "api" / "openapi.json"

# The deliberate renaming (issue 22): 1.0's name → today's. A document from before it
# still passes with these read as the new names; no other tag or id may change.
RENAMED_TAGS = {
    "総合戦略": "strategy",
    "プロジェクト": "projects",
    "指標と実績": "indicators",
    "市町村": "places",
}
RENAMED_OPERATION_IDS = {
    "api_api_strategy": "get_strategy",
    "api_api_editions": "list_editions",
    "api_api_edition": "get_edition",
    "api_api_projects": "list_projects",
    "api_api_project": "get_project",
    "api_api_themes": "list_themes",
    "api_api_theme": "get_theme",
    "api_api_sections": "list_sections",
    "api_api_section": "get_section",
    "api_api_categories": "list_categories",
    "api_api_category": "get_category",
    "api_api_measures": "list_measures",
    "api_api_measure": "get_measure",
    "api_api_indicators": "list_indicators",
    "api_api_indicator": "get_indicator",
    "api_api_results": "list_results",
    "api_api_result": "get_result",
    "api_api_targets": "list_targets",
    "api_api_target": "get_target",
    "api_api_subprefectures": "list_subprefectures",
    "api_api_subprefecture": "get_subprefecture",
    "api_api_municipalities": "list_municipalities",
    "api_api_municipality": "get_municipality",
    "api_api_areas": "list_areas",
    "api_api_area": "get_area",
}


def resolve(schema, document):
    """A schema with its $ref followed, so a field is compared by what it is."""
    while isinstance(schema, dict) and "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def missing(promised, live, promised_doc, live_doc, where="") -> list[str]:
    """What `promised` holds that `live` lacks or holds differently: every key of an
    object (recursively, refs followed), every item of a list, equal scalars. A
    response object may gain fields and required fields; a list of required fields
    may only grow."""
    promised, live = resolve(promised, promised_doc), resolve(live, live_doc)
    if isinstance(promised, dict):
        if not isinstance(live, dict):
            return [f"{where}: {promised!r} became {live!r}"]
        problems = []
        for key, value in promised.items():
            if key not in live:
                problems.append(f"{where}/{key}: removed")
            elif key == "required" and isinstance(value, list):
                lost = set(value) - set(live[key])
                problems += [f"{where}/required: {name} is no longer required" for name in lost]
            else:
                problems += missing(value, live[key], promised_doc, live_doc, f"{where}/{key}")
        return problems
    if isinstance(promised, list):
        if not isinstance(live, list) or len(live) != len(promised):
            return [f"{where}: {promised!r} became {live!r}"]
        problems = []
        for n, (a, b) in enumerate(zip(promised, live, strict=True)):
            problems += missing(a, b, promised_doc, live_doc, f"{where}[{n}]")
        return problems
    return [] if promised == live else [f"{where}: {promised!r} became {live!r}"]


@pytest.fixture(scope="module")
def documents():
    # Through JSON, as a client reads it (status codes become strings).
    return json.loads(COMMITTED.read_text()), json.loads(json.dumps(api.get_openapi_schema()))


def operations(document):
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            yield f"{method.upper()} {path}", operation


def test_every_committed_operation_is_still_served(documents):
    committed, live = documents
    served = dict(operations(live))
    gone = [name for name, _ in operations(committed) if name not in served]
    assert not gone
    assert len(served) >= 25


def test_every_parameter_keeps_its_name_place_requirement_and_schema(documents):
    committed, live = documents
    served = dict(operations(live))
    problems = []
    for name, operation in operations(committed):
        live_parameters = {(p["name"], p["in"]): p for p in served[name].get("parameters", [])}
        for parameter in operation.get("parameters", []):
            key = (parameter["name"], parameter["in"])
            if key not in live_parameters:
                problems.append(f"{name}: parameter {key} removed")
                continue
            found = live_parameters[key]
            if found.get("required", False) != parameter.get("required", False):
                problems.append(f"{name}: parameter {key} changed whether it is required")
            problems += missing(parameter, found, committed, live, f"{name} {key}")
        # A new parameter must not be required: old clients do not send it.
        promised = {(p["name"], p["in"]) for p in operation.get("parameters", [])}
        for key, parameter in live_parameters.items():
            if key not in promised and parameter.get("required"):
                problems.append(f"{name}: new parameter {key} is required")
    assert not problems, "\n".join(problems)


def test_every_response_keeps_its_status_codes_and_fields(documents):
    committed, live = documents
    served = dict(operations(live))
    problems = []
    for name, operation in operations(committed):
        problems += missing(
            operation["responses"], served[name]["responses"], committed, live, f"{name} responses"
        )
        for key, promised in renamed(operation).items():
            if promised != served[name].get(key):
                problems.append(f"{name}: {key} {promised!r} → {served[name].get(key)!r}")
    assert not problems, "\n".join(problems)


def renamed(operation) -> dict:
    """The operation's summary, tags and id as promised, read with RENAMED_*."""
    operation_id = operation["operationId"]
    return {
        "summary": operation.get("summary"),
        "tags": [RENAMED_TAGS.get(tag, tag) for tag in operation.get("tags", [])] or None,
        "operationId": RENAMED_OPERATION_IDS.get(operation_id, operation_id),
    }


def test_tags_and_operation_ids_are_ascii_and_described_for_generators(documents):
    """Generators make package names of tags and method names of operation ids."""
    committed, live = documents
    declared = {tag["name"]: tag for tag in live["tags"]}
    for tag in declared.values():
        assert re.fullmatch(r"[a-z]+", tag["name"]), tag
        assert tag["x-displayName"] and tag["description"], tag
    # A tag the committed document declares is still declared, as it was.
    for tag in committed.get("tags", []):
        assert not missing(tag, declared.get(tag["name"]), committed, live, tag["name"])
    ids = []
    for name, operation in operations(live):
        assert len(operation["tags"]) == 1 and operation["tags"][0] in declared, name
        ids.append(operation["operationId"])
        assert re.fullmatch(r"(list|get)_[a-z_]+", ids[-1]), name
        # `list_*` exactly for the pages (their response has `results` and `next`).
        page = resolve(operation["responses"]["200"]["content"]["application/json"]["schema"], live)
        assert ids[-1].startswith("list_") == ("next" in page["properties"]), name
    assert len(set(ids)) == len(ids)


def test_the_format_of_an_optional_field_is_on_its_string_branch(documents):
    """`format: date` beside an `anyOf` is not where generators look."""
    _, live = documents
    for name, schema in live["components"]["schemas"].items():
        for field, prop in schema.get("properties", {}).items():
            if "format" in prop and "anyOf" in prop:
                strings = [b for b in prop["anyOf"] if b.get("type") == "string"]
                assert [b.get("format") for b in strings] == [prop["format"]], (name, field)
    period = live["components"]["schemas"]["Result"]["properties"]["period_start"]
    assert {"type": "string", "format": "date"} in period["anyOf"]


def test_the_comparison_catches_a_removed_field_and_a_changed_parameter(documents):
    committed, _ = documents
    changed = json.loads(json.dumps(committed))
    del changed["components"]["schemas"]["Result"]["properties"]["progress_rate"]
    parameters = changed["paths"]["/api/v1/results"]["get"]["parameters"]
    per_page = next(p for p in parameters if p["name"] == "per_page")
    per_page["schema"]["maximum"] = 100
    result = committed["paths"]["/api/v1/results/{id}"]["get"]["responses"]
    assert missing(
        result, changed["paths"]["/api/v1/results/{id}"]["get"]["responses"], committed, changed
    )
    assert missing(
        committed["paths"]["/api/v1/results"],
        changed["paths"]["/api/v1/results"],
        committed,
        changed,
    )


def test_only_the_listed_renamings_pass():
    assert renamed({"operationId": "api_api_results", "tags": ["指標と実績"]}) == {
        "summary": None,
        "tags": ["indicators"],
        "operationId": "list_results",
    }
    assert renamed({"operationId": "results", "tags": ["実績"]})["operationId"] == "results"
    assert renamed({"operationId": "results", "tags": ["実績"]})["tags"] == ["実績"]
