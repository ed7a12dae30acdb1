"""QwenFIM: fill-in-the-middle code completion on DashScope's `/completions` (qwen-coder-turbo, Beijing)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator, Mapping
from typing import Any

from langchain_core.callbacks import AsyncCallbackManagerForLLMRun, CallbackManagerForLLMRun
from langchain_core.language_models import LangSmithParams
from langchain_core.language_models.llms import BaseLLM
from langchain_core.outputs import Generation, GenerationChunk, LLMResult
from langchain_core.utils.utils import _build_model_kwargs
from pydantic import ConfigDict, Field, model_validator

from langchain_qwen._client import ClientConfig, apost, post, response_json
from langchain_qwen._errors import QwenValidationError
from langchain_qwen._profiles import FIM_REGIONS, known_models, resolve_profile
from langchain_qwen._settings import DashScopeSettings
from langchain_qwen._stream import aiter_chunks, iter_chunks

_PATH = "/completions"
FIM_PREFIX = "<|fim_prefix|>"
FIM_SUFFIX = "<|fim_suffix|>"
FIM_MIDDLE = "<|fim_middle|>"
_PARAM_FIELDS = ("max_tokens", "temperature", "top_p", "seed")


# --- pure helpers ---------------------------------------------------------------------------------


def fim_prompt(prefix: str, suffix: str | None = None) -> str:
    """The FIM prompt in DashScope's documented forms (F11).

    Args:
        prefix: The code before the gap.
        suffix: The code after the gap; None (or empty) asks for a continuation of `prefix` only.

    Returns:
        `<|fim_prefix|>{prefix}<|fim_suffix|>{suffix}<|fim_middle|>`, or `<|fim_prefix|>{prefix}<|fim_suffix|>`.
    """
    if suffix:
        return f"{FIM_PREFIX}{prefix}{FIM_SUFFIX}{suffix}{FIM_MIDDLE}"
    return f"{FIM_PREFIX}{prefix}{FIM_SUFFIX}"


def wire_prompt(prompt: str, suffix: str | None) -> str:
    """The prompt to send: `prompt` as is when it already holds FIM tokens, else `fim_prompt(prompt, suffix)`."""
    if FIM_PREFIX not in prompt:
        return fim_prompt(prompt, suffix)
    if suffix:
        raise QwenValidationError(
            "The prompt already contains <|fim_prefix|>, so it is sent as is; do not pass suffix= as well "
            "(put the suffix after <|fim_suffix|> in the prompt, or pass the plain prefix)."
        )
    return prompt


def check_fim_model(model: str) -> None:
    """Refuse models without `/completions` FIM (models not in the table pass: the API decides).

    Raises:
        QwenValidationError: The model has no FIM; the message names the models that do.
    """
    profile = resolve_profile(model)
    if profile.known and not profile.fim:
        offering = [m for m in known_models() if resolve_profile(m).fim]
        raise QwenValidationError(
            f"{model} does not offer fill-in-the-middle on /completions; models that do: {', '.join(offering)}. "
            f"For Qwen3-Coder (qwen3-coder-plus/flash) use chat partial mode instead: "
            f"langchain_qwen.partial.complete_prefix(ChatQwen(model=...), messages, prefix)."
        )


def check_fim_region(model: str, region: str | None) -> None:
    """Refuse a region that does not serve the model's FIM (None, i.e. a custom base URL, passes).

    Raises:
        QwenValidationError: `region` is not among the model's regions.
    """
    profile = resolve_profile(model)
    if region is None or not profile.known:
        return  # a custom base URL, or a model outside the table: the server decides
    regions = FIM_REGIONS  # /completions is Beijing-only (F11), wherever the model's chat is served
    if region not in regions:
        raise QwenValidationError(
            f"FIM is Beijing-only: {model} on /completions is served in {sorted(regions)}, but this QwenFIM "
            f"is configured for {region}. Use region='cn-beijing' with a Beijing API key."
        )


def generation_from_completion(payload: Mapping[str, Any]) -> Generation:
    """A `Generation` from a non-streamed `text_completion` body."""
    choice = (payload.get("choices") or [{}])[0]
    info: dict[str, Any] = {"finish_reason": choice.get("finish_reason"), "model_name": payload.get("model")}
    if payload.get("id"):
        info["id"] = payload["id"]
    if payload.get("usage"):
        info["token_usage"] = dict(payload["usage"])
    return Generation(text=choice.get("text") or "", generation_info=info)


def llm_result(generations: list[Generation], model: str) -> LLMResult:
    """One `LLMResult` for several prompts; `llm_output.token_usage` sums their usage."""
    total: dict[str, int] = {}
    for gen in generations:
        for key, value in ((gen.generation_info or {}).get("token_usage") or {}).items():
            if isinstance(value, int):
                total[key] = total.get(key, 0) + value
    return LLMResult(generations=[[g] for g in generations], llm_output={"token_usage": total, "model_name": model})


class FimStream:
    """Assembles one completion stream for `iter_chunks`: first finish reason only, usage once."""

    def __init__(self) -> None:
        self.done = False
        self.finished = False
        self.usage_sent = False
        self.text: list[str] = []

    def feed(self, obj: Mapping[str, Any]) -> list[GenerationChunk]:
        chunk = self.chunk(obj)
        return [chunk] if chunk is not None else []

    def flush(self) -> list[GenerationChunk]:
        return []

    def partial(self) -> GenerationChunk:
        """The text received so far."""
        return GenerationChunk(text="".join(self.text))

    def chunk(self, obj: Mapping[str, Any]) -> GenerationChunk | None:
        """A `GenerationChunk` for one wire chunk, or None when it carries nothing new."""
        choice = (obj.get("choices") or [{}])[0]
        text = choice.get("text") or ""
        info: dict[str, Any] = {}
        if not self.text and obj.get("id"):  # the first chunk carries the id
            info["id"] = obj["id"]
        finish = choice.get("finish_reason")
        if finish and not self.finished:  # DashScope may repeat the finish reason (F2.2)
            self.finished = True
            info.update(finish_reason=finish, model_name=obj.get("model"))
        if obj.get("usage") and not self.usage_sent:
            self.usage_sent = True
            info["token_usage"] = dict(obj["usage"])
        if not text and not info:
            return None
        self.text.append(text)
        return GenerationChunk(text=text, generation_info=info or None)


def _merge(chunks: list[GenerationChunk]) -> Generation:
    if not chunks:
        return Generation(text="")
    merged = chunks[0]
    for chunk in chunks[1:]:
        merged += chunk
    return Generation(text=merged.text, generation_info=merged.generation_info)


# --- the LLM class --------------------------------------------------------------------------------


class QwenFIM(BaseLLM, DashScopeSettings):
    """Fill-in-the-middle code completion with Qwen coder models on DashScope's `/completions`.

    The prompt is the code before the gap; pass the code after it as `suffix=` at call time. FIM is
    served for `qwen-coder-turbo` (and the `qwen2.5-coder-*-instruct` line) in Beijing only; for
    Qwen3-Coder use chat partial mode (`langchain_qwen.partial.complete_prefix`).

    Usage:
        ```python
        from langchain_qwen import QwenFIM

        fim = QwenFIM(model="qwen-coder-turbo", temperature=0.2)
        middle = fim.invoke("def add(a, b):\\n", suffix="\\n\\nprint(add(1, 2))")
        for piece in fim.stream("def fib(n):\\n"):  # prefix only: a continuation
            print(piece, end="")
        middle = fim.fill("def add(a, b):\\n", "\\n\\nprint(add(1, 2))")
        ```
    """

    model_config = ConfigDict(populate_by_name=True, arbitrary_types_allowed=True, protected_namespaces=())

    model: str = "qwen-coder-turbo"
    """DashScope coder model id with FIM support."""
    max_tokens: int | None = None
    """Maximum tokens to generate."""
    temperature: float | None = None
    """Sampling temperature (low values suit code)."""
    top_p: float | None = None
    """Nucleus sampling threshold."""
    stop: list[str] | str | None = None
    """Stop sequences."""
    seed: int | None = None
    """Sampling seed."""
    streaming: bool = False
    """Stream internally in `invoke` (the result is the same)."""
    model_kwargs: dict[str, Any] = Field(default_factory=dict)
    """Other request parameters (unknown constructor kwargs land here)."""

    @model_validator(mode="before")
    @classmethod
    def _collect_model_kwargs(cls, values: Any) -> Any:
        if isinstance(values, dict):
            return _build_model_kwargs(values, cls.model_fields.keys() | {"api_base", "request_timeout"})
        return values

    @property
    def _llm_type(self) -> str:
        return "qwen-fim"

    @property
    def lc_secrets(self) -> dict[str, str]:
        return {"api_key": "DASHSCOPE_API_KEY"}

    @property
    def _default_params(self) -> dict[str, Any]:
        params: dict[str, Any] = {"model": self.model}
        params.update({k: getattr(self, k) for k in _PARAM_FIELDS if getattr(self, k) is not None})
        if self.stop:
            params["stop"] = self.stop
        return {**params, **self.model_kwargs}

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return self._default_params

    def _get_ls_params(self, stop: list[str] | None = None, **kwargs: Any) -> LangSmithParams:
        ls = super()._get_ls_params(stop=stop, **kwargs)
        ls["ls_provider"] = "qwen"
        return ls

    def _prepare(
        self, prompt: str, stop: list[str] | None, kwargs: dict[str, Any], *, stream: bool
    ) -> tuple[dict[str, Any], ClientConfig]:
        """Validate model and region, then build the request body (no I/O)."""
        options = dict(kwargs)
        suffix = options.pop("suffix", None)
        options.pop("stream", None)
        options.pop("stream_options", None)
        body = {**self._default_params, **options}
        check_fim_model(body["model"])
        cfg = self._client_config()
        check_fim_region(body["model"], cfg.region)
        body["prompt"] = wire_prompt(prompt, suffix)
        if stop is not None:
            body["stop"] = stop
        if stream:
            body.update(stream=True, stream_options={"include_usage": True})
        return body, cfg

    # --- generation ---------------------------------------------------------------------------

    def _generate(
        self,
        prompts: list[str],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> LLMResult:
        generations = []
        for prompt in prompts:
            if self.streaming:
                generations.append(_merge(list(self._stream(prompt, stop, run_manager, **kwargs))))
                continue
            body, cfg = self._prepare(prompt, stop, kwargs, stream=False)
            response = post(cfg, _PATH, body, stream=False)
            generations.append(generation_from_completion(response_json(response, cfg.context)))
        return llm_result(generations, self.model)

    async def _agenerate(
        self,
        prompts: list[str],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> LLMResult:
        generations = []
        for prompt in prompts:
            if self.streaming:
                generations.append(_merge([c async for c in self._astream(prompt, stop, run_manager, **kwargs)]))
                continue
            body, cfg = self._prepare(prompt, stop, kwargs, stream=False)
            response = await apost(cfg, _PATH, body, stream=False)
            generations.append(generation_from_completion(response_json(response, cfg.context)))
        return llm_result(generations, self.model)

    def _stream(
        self,
        prompt: str,
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[GenerationChunk]:
        body, cfg = self._prepare(prompt, stop, kwargs, stream=True)
        response = post(cfg, _PATH, body, stream=True)
        for chunk in iter_chunks(response, FimStream(), cfg.context):
            if run_manager:
                run_manager.on_llm_new_token(chunk.text, chunk=chunk)
            yield chunk

    async def _astream(
        self,
        prompt: str,
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> AsyncIterator[GenerationChunk]:
        body, cfg = self._prepare(prompt, stop, kwargs, stream=True)
        response = await apost(cfg, _PATH, body, stream=True)
        async for chunk in aiter_chunks(response, FimStream(), cfg.context):
            if run_manager:
                await run_manager.on_llm_new_token(chunk.text, chunk=chunk)
            yield chunk

    # --- convenience ----------------------------------------------------------------------------

    def fill(self, prefix: str, suffix: str | None = None, **kwargs: Any) -> str:
        """The code between `prefix` and `suffix` (or a continuation of `prefix` when no suffix is given).

        Args:
            prefix: The code before the gap.
            suffix: The code after the gap.
            **kwargs: Per-call request options (`max_tokens`, `temperature`, `stop`, ...).

        Returns:
            The generated middle text.
        """
        return self.invoke(prefix, suffix=suffix, **kwargs)

    async def afill(self, prefix: str, suffix: str | None = None, **kwargs: Any) -> str:
        """Async `fill`."""
        return await self.ainvoke(prefix, suffix=suffix, **kwargs)


__all__ = [
    "FIM_MIDDLE",
    "FIM_PREFIX",
    "FIM_SUFFIX",
    "FimStream",
    "QwenFIM",
    "check_fim_model",
    "check_fim_region",
    "fim_prompt",
    "generation_from_completion",
    "llm_result",
    "wire_prompt",
]
