"""Standard LangChain integration tests for ChatQwen, run over loopback HTTP against the DashScope emulator."""

from __future__ import annotations

import pytest
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage
from langchain_tests.integration_tests import ChatModelIntegrationTests

from langchain_qwen import ChatQwen
from langchain_qwen.testing import shared_emulator


class TestChatQwenEmulator(ChatModelIntegrationTests):
    @property
    def chat_model_class(self) -> type[BaseChatModel]:
        return ChatQwen

    @property
    def chat_model_params(self) -> dict:
        emu = shared_emulator()
        return {"model": "qwen-plus", "base_url": emu.base_url, "api_key": emu.api_key, "temperature": 0}

    @property
    def supports_json_mode(self) -> bool:
        return True

    @property
    def model_override_value(self) -> str | None:
        return "qwen-turbo"

    @property
    def supported_usage_metadata_details(self) -> dict:
        return {"invoke": ["reasoning_output"], "stream": ["reasoning_output"]}

    def invoke_with_reasoning_output(self, *, stream: bool = False) -> AIMessage:
        llm = self.chat_model_class(**{**self.chat_model_params, "enable_thinking": True})
        if not stream:
            return llm.invoke("What is 3^3?")  # type: ignore[return-value]
        full = None
        for chunk in llm.stream("What is 3^3?"):
            full = chunk if full is None else full + chunk
        return full  # type: ignore[return-value]

    @pytest.mark.xfail(
        reason=(
            "qwen-turbo has no tool_choice 'required' (400 'tool_choice is one of the strings that should be "
            "[none, auto]'); with two tools bound, tool_choice='any' is sent as 'auto' plus an instruction "
            "(one warning), which the emulator, answering 'Hello!' without naming a tool, does not follow."
        ),
        strict=True,
    )
    def test_tool_choice(self, model: BaseChatModel) -> None:
        super().test_tool_choice(model)
