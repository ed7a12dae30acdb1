"""Error mapping: every DashScope error body becomes a typed error that is both an SDK and a LangChain error."""

import httpx2
import openai
import pytest
from langchain_core.exceptions import (
    ContextOverflowError,
    ModelAuthenticationError,
    ModelInvalidRequestError,
    ModelRateLimitError,
)

from langchain_qwen import (
    QwenAuthenticationError,
    QwenContentInspectionError,
    QwenContextOverflowError,
    QwenRateLimitError,
    QwenServerError,
    QwenValidationError,
)
from langchain_qwen._errors import ErrorContext, map_api_error, retry_delay, stream_payload_error

CTX = ErrorContext(base_url="https://dashscope-intl.aliyuncs.com/compatible-mode/v1", region="ap-southeast-1")


def _sdk_error(status: int, body: dict) -> openai.APIStatusError:
    req = httpx2.Request("POST", "https://x/chat/completions")
    resp = httpx2.Response(status, json=body, request=req)
    cls = {400: openai.BadRequestError, 401: openai.AuthenticationError, 429: openai.RateLimitError}.get(
        status, openai.InternalServerError
    )
    return cls("x", response=resp, body=body.get("error"))


def _body(code: str | None, message: str, typ: str = "invalid_request_error") -> dict:
    return {
        "error": {"message": message, "type": typ, "param": None, "code": code},
        "id": "chatcmpl-1",
        "request_id": "r1",
    }


def test_auth_error_has_region_hint_and_both_bases() -> None:
    err = map_api_error(_sdk_error(401, _body("invalid_api_key", "Incorrect API key provided. ")), CTX)
    assert isinstance(err, QwenAuthenticationError) and isinstance(err, openai.AuthenticationError)
    assert isinstance(err, ModelAuthenticationError) and "region-scoped" in str(err) and "ap-southeast-1" in str(err)
    assert retry_delay(err, 0) is None


def test_moderation_never_retried() -> None:
    body = _body("data_inspection_failed", "Input data may contain inappropriate content.", "data_inspection_failed")
    err = map_api_error(_sdk_error(400, body), CTX)
    assert isinstance(err, QwenContentInspectionError) and isinstance(err, ModelInvalidRequestError)
    assert err.code == "data_inspection_failed" and not err.is_retryable and retry_delay(err, 0) is None


def test_quota_429_is_retryable_but_billing_is_not() -> None:
    quota = map_api_error(_sdk_error(429, _body("insufficient_quota", "You exceeded your current quota")), CTX)
    assert isinstance(quota, QwenRateLimitError) and isinstance(quota, ModelRateLimitError)
    assert quota.is_retryable and retry_delay(quota, 0) is not None
    billing = map_api_error(_sdk_error(429, _body("PrepaidBillOverdue", "overdue", "PrepaidBillOverdue")), CTX)
    assert isinstance(billing, QwenRateLimitError) and not billing.is_retryable


def test_context_overflow_and_server_error() -> None:
    over = map_api_error(
        _sdk_error(400, _body("invalid_parameter_error", "Range of input length should be [1, 98304]")), CTX
    )
    assert isinstance(over, QwenContextOverflowError) and isinstance(over, ContextOverflowError)
    server = map_api_error(_sdk_error(500, _body("internal_error", "An internal error has occured")), CTX)
    assert isinstance(server, QwenServerError) and server.is_retryable


def test_in_stream_payload_mapping() -> None:
    resp = httpx2.Response(200, request=httpx2.Request("POST", "https://x"))
    err = stream_payload_error(
        resp, _body("data_inspection_failed", "Output data may contain inappropriate content."), CTX
    )
    assert isinstance(err, QwenContentInspectionError) and err.status_code == 400


def test_validation_error_is_value_error_and_model_error() -> None:
    err = QwenValidationError("x")
    assert isinstance(err, ValueError) and isinstance(err, ModelInvalidRequestError) and not err.is_retryable


@pytest.mark.parametrize("attempt", [0, 3, 10])
def test_backoff_is_bounded(attempt: int) -> None:
    err = map_api_error(_sdk_error(503, _body("ModelUnavailable", "Model is unavailable")), CTX)
    delay = retry_delay(err, attempt)
    assert delay is not None and 0 < delay <= 8.0
