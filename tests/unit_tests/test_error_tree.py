"""The error tree drawn in `_errors`' docstring is the real class tree, rooted at `QwenError(Exception)`."""

import re

import openai
import pytest
from langchain_core.exceptions import ContextOverflowError, ModelError

import langchain_qwen
from langchain_qwen import _errors


def _drawn_tree() -> dict[str, str | None]:
    """{class name: drawn parent} from the box-drawing tree in the module docstring."""
    parents: dict[str, str | None] = {}
    stack: list[tuple[int, str]] = []
    for line in (_errors.__doc__ or "").splitlines():
        m = re.match(r"^(\s*(?:[│ ]   )*(?:[├└]── )?)(Qwen\w+)", line)
        if not m:
            continue
        depth = len(m.group(1))
        while stack and stack[-1][0] >= depth:
            stack.pop()
        parents[m.group(2)] = stack[-1][1] if stack else None
        stack.append((depth, m.group(2)))
    return parents


def _real_tree() -> dict[str, str | None]:
    classes = {
        name: obj
        for name, obj in vars(_errors).items()
        if isinstance(obj, type) and name.startswith("Qwen") and issubclass(obj, BaseException)
    }
    tree: dict[str, str | None] = {}
    for name, cls in classes.items():
        qwen_bases = [b.__name__ for b in cls.__bases__ if b.__name__ in classes]
        assert len(qwen_bases) <= 1, f"{name} has several package bases {qwen_bases}"
        tree[name] = qwen_bases[0] if qwen_bases else None
    return tree


def test_docstring_tree_equals_the_classes():
    drawn = _drawn_tree()
    assert len(drawn) > 15
    assert drawn == _real_tree()


def test_every_error_is_an_exception_under_one_root():
    for name in _real_tree():
        cls = getattr(_errors, name)
        assert issubclass(cls, _errors.QwenError) and issubclass(cls, Exception), name
        assert name in langchain_qwen.__all__, f"{name} is not exported"


def test_except_qwen_error_catches_local_and_status_errors():
    with pytest.raises(langchain_qwen.QwenError) as info:
        raise langchain_qwen.QwenValidationError("bad")
    assert isinstance(info.value, ValueError)
    req = __import__("httpx2").Request("POST", "https://x/chat/completions")
    resp = __import__("httpx2").Response(401, request=req, json={"error": {"message": "no"}})
    sdk = openai.AuthenticationError("no", response=resp, body={"message": "no"})
    mapped = _errors.map_api_error(sdk, _errors.ErrorContext())
    try:
        raise mapped
    except langchain_qwen.QwenError as caught:
        assert isinstance(caught, openai.AuthenticationError) and isinstance(caught, ModelError)


def test_context_overflow_is_a_bad_request():
    assert issubclass(_errors.QwenContextOverflowError, _errors.QwenBadRequestError)
    assert issubclass(_errors.QwenContextOverflowError, ContextOverflowError)
    assert issubclass(_errors.QwenContextOverflowError, openai.BadRequestError)


def test_partial_is_a_constructor_keyword():
    assert _errors.QwenValidationError("x").partial is None
    assert _errors.QwenValidationError("x", partial="so far").partial == "so far"
    req = __import__("httpx2").Request("POST", "https://x")
    assert _errors.QwenTimeoutError(request=req, partial=1).partial == 1
    err = _errors.interrupted(req, "half", "connection closed")
    assert err.partial == "half" and isinstance(err, _errors.QwenConnectionError)
