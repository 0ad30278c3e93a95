"""The API's documentation page: the OpenAPI document itself, rendered in Japanese."""

from django.conf import settings
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe

from opendata import licence
from strategy_portal import share

from .api import api

TYPE_LABELS = {
    "string": "文字列",
    "integer": "整数",
    "number": "数値",
    "boolean": "真偽値",
    "array": "配列",
    "object": "オブジェクト",
    "null": "null",
}


def _resolve(schema: dict, components: dict) -> dict:
    ref = schema.get("$ref")
    if ref:
        return components[ref.rsplit("/", 1)[-1]]
    return schema


def type_label(schema: dict, components: dict) -> str:
    """A field's type in words: 整数, 文字列（date-time）, Project, 数値 または null …"""
    if "$ref" in schema:
        return schema["$ref"].rsplit("/", 1)[-1]
    if "anyOf" in schema:
        return " または ".join(dict.fromkeys(type_label(s, components) for s in schema["anyOf"]))
    if "enum" in schema:
        return "次のいずれか：" + "、".join(str(v) for v in schema["enum"])
    if "const" in schema:
        return str(schema["const"])
    kind = schema.get("type", "")
    label = TYPE_LABELS.get(kind, kind or "任意")
    if kind == "array" and "items" in schema:
        return f"{type_label(schema['items'], components)} の配列"
    if schema.get("format"):
        label += f"（{schema['format']}）"
    return label


def constraints(schema: dict) -> str:
    parts = []
    for source in [schema, *schema.get("anyOf", [])]:
        if "minimum" in source:
            parts.append(f"{source['minimum']}以上")
        if "maximum" in source:
            parts.append(f"{source['maximum']}以下")
        if "maxLength" in source:
            parts.append(f"{source['maxLength']}文字以内")
        if "pattern" in source:
            parts.append(f"形式 {source['pattern']}")
    return "、".join(parts)


def _fields(schema: dict, components: dict) -> list[dict]:
    schema = _resolve(schema, components)
    required = set(schema.get("required", []))
    return [
        {
            "name": name,
            "type": type_label(prop, components),
            "required": name in required,
            "description": prop.get("description", ""),
        }
        for name, prop in schema.get("properties", {}).items()
    ]


def document_for_page(document: dict) -> dict:
    components = document.get("components", {}).get("schemas", {})
    operations = []
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            responses = []
            for status, response in operation.get("responses", {}).items():
                content = response.get("content", {}).get("application/json", {})
                schema = content.get("schema", {})
                responses.append(
                    {
                        "status": status,
                        "description": response.get("description", ""),
                        "schema": type_label(schema, components) if schema else "",
                    }
                )
            operations.append(
                {
                    "id": operation["operationId"],
                    "method": method.upper(),
                    "path": path,
                    "summary": operation.get("summary", ""),
                    "description": operation.get("description", ""),
                    "tag": (operation.get("tags") or [""])[0],
                    "parameters": [
                        {
                            "name": p["name"],
                            "in": {"query": "クエリ", "path": "パス"}.get(p["in"], p["in"]),
                            "required": p.get("required", False),
                            "type": type_label(p.get("schema", {}), components),
                            "constraints": constraints(p.get("schema", {})),
                            "default": p.get("schema", {}).get("default"),
                            "example": next(iter(p.get("examples", {}).values()), {}).get("value"),
                            "description": p.get("description")
                            or p.get("schema", {}).get("description", ""),
                        }
                        for p in operation.get("parameters", [])
                    ],
                    "responses": responses,
                }
            )
    schemas = [
        {"name": name, "title": schema.get("title", name), "fields": _fields(schema, components)}
        for name, schema in components.items()
        if schema.get("properties")
    ]
    return {"operations": operations, "schemas": schemas}


@require_safe
def docs(request):
    document = api.get_openapi_schema(path_prefix=reverse("api:api-root"))
    context = {
        "info": document["info"],
        "openapi_version": document["openapi"],
        "openapi_url": reverse("api:openapi-json"),
        "throttle": settings.API_THROTTLE_DOC,
        "license": licence,
        **document_for_page(document),
        "share": share.card(
            "API の説明",
            f"{document['info']['title']}：読み取り専用 JSON API（OpenAPI {document['openapi']}）の説明",
        ),
    }
    return render(request, "api/docs.html", context)
