"""Structured output for ChatQwen: function calling (default), JSON mode and native json_schema.

| method             | request                                                   | thinking                                    |
|--------------------|-----------------------------------------------------------|---------------------------------------------|
| "function_calling" | the schema as the one tool, forced by name                | hybrid: off for the call; always: error     |
| "json_mode"        | `response_format: json_object` + a schema instruction     | same                                        |
| "json_schema"      | native `json_schema` where the profile has it (Beijing    | same                                        |
|                    | qwen-plus); otherwise falls back to "function_calling"    |                                             |

Every variant is a new runnable bound to a copy of the request options; the model object is never changed.
"""

from __future__ import annotations

from operator import itemgetter
from typing import Any, Literal

from langchain_core.output_parsers import JsonOutputParser, PydanticOutputParser
from langchain_core.output_parsers.openai_tools import JsonOutputKeyToolsParser, PydanticToolsParser
from langchain_core.runnables import Runnable, RunnableMap, RunnablePassthrough
from langchain_core.utils.function_calling import convert_to_json_schema, convert_to_openai_tool
from langchain_core.utils.pydantic import is_basemodel_subclass

from langchain_qwen._errors import QwenValidationError

Method = Literal["function_calling", "json_mode", "json_schema"]


def _is_pydantic(schema: Any) -> bool:
    return isinstance(schema, type) and is_basemodel_subclass(schema)


Bound = tuple[Runnable[Any, Any], Runnable[Any, Any]]
"""The model bound for one method, and the parser of its answer."""


def _answer_parser(schema: Any) -> Runnable[Any, Any]:
    return PydanticOutputParser(pydantic_object=schema) if _is_pydantic(schema) else JsonOutputParser()


def _function_calling(llm: Any, schema: Any, strict: bool | None, ls_format: dict[str, Any]) -> Bound:
    """The schema as the one tool, forced by name."""
    if schema is None:
        raise QwenValidationError("method='function_calling' needs a schema.")
    name = convert_to_openai_tool(schema)["function"]["name"]
    bound = llm.bind_tools(
        [schema], tool_choice=name, parallel_tool_calls=False, strict=strict, ls_structured_output_format=ls_format
    )
    parser: Runnable[Any, Any] = (
        PydanticToolsParser(tools=[schema], first_tool_only=True)
        if _is_pydantic(schema)
        else JsonOutputKeyToolsParser(key_name=name, first_tool_only=True)
    )
    return bound, parser


def _json_mode(llm: Any, schema: Any, strict: bool | None, ls_format: dict[str, Any]) -> Bound:
    """`response_format: json_object`, with the schema as an instruction."""
    if strict is not None:
        raise QwenValidationError("strict is not supported with method='json_mode'.")
    hint = convert_to_json_schema(schema) if schema is not None else None
    bound = llm.bind(
        response_format={"type": "json_object"}, response_schema_hint=hint, ls_structured_output_format=ls_format
    )
    return bound, _answer_parser(schema)


def _json_schema(llm: Any, schema: Any, strict: bool | None, ls_format: dict[str, Any]) -> Bound:
    """Native `response_format: json_schema`."""
    if schema is None:
        raise QwenValidationError("method='json_schema' needs a schema.")
    json_schema = convert_to_json_schema(schema)
    spec: dict[str, Any] = {"name": json_schema.get("title") or "response", "schema": json_schema}
    if strict is not None:
        spec["strict"] = strict
    bound = llm.bind(
        response_format={"type": "json_schema", "json_schema": spec}, ls_structured_output_format=ls_format
    )
    return bound, _answer_parser(schema)


_METHODS = {"function_calling": _function_calling, "json_mode": _json_mode, "json_schema": _json_schema}


def _with_raw(bound: Runnable[Any, Any], parser: Runnable[Any, Any]) -> Runnable[Any, Any]:
    parser_with_fallback = RunnablePassthrough.assign(
        parsed=itemgetter("raw") | parser, parsing_error=lambda _: None
    ).with_fallbacks([RunnablePassthrough.assign(parsed=lambda _: None)], exception_key="parsing_error")
    return RunnableMap(raw=bound) | parser_with_fallback


def structured_runnable(
    llm: Any,
    schema: Any,
    *,
    method: Method = "function_calling",
    include_raw: bool = False,
    strict: bool | None = None,
    **kwargs: Any,
) -> Runnable[Any, Any]:
    """Build the runnable behind `ChatQwen.with_structured_output`."""
    if kwargs:
        raise QwenValidationError(f"Unexpected with_structured_output arguments: {sorted(kwargs)}")
    if method not in _METHODS:
        raise QwenValidationError(f"Unknown method {method!r}; use 'function_calling', 'json_mode' or 'json_schema'.")
    profile = llm.qwen_capabilities
    if profile.thinking == "always":
        raise QwenValidationError(
            f"Model {profile.model} always thinks, and DashScope allows neither forced tool calls nor JSON output "
            f"while thinking, so structured output cannot be guaranteed. Use a hybrid model such as qwen-plus "
            f"(thinking is switched off for structured calls)."
        )
    if method == "json_schema" and schema is not None and profile.known and not profile.json_schema:
        method = "function_calling"  # documented fallback: DashScope json_schema is Beijing qwen-plus only
    ls_format = {"kwargs": {"method": method, "strict": strict}, "schema": schema}
    bound, parser = _METHODS[method](llm, schema, strict, ls_format)
    return _with_raw(bound, parser) if include_raw else bound | parser


__all__ = ["Method", "structured_runnable"]
