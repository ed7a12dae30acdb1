"""Standard LangChain unit tests for ChatQwen (offline)."""

from langchain_core.language_models import BaseChatModel
from langchain_tests.unit_tests import ChatModelUnitTests

from langchain_qwen import ChatQwen


class TestChatQwenUnit(ChatModelUnitTests):
    @property
    def chat_model_class(self) -> type[BaseChatModel]:
        return ChatQwen

    @property
    def chat_model_params(self) -> dict:
        return {"model": "qwen-plus", "api_key": "sk-test"}

    @property
    def init_from_env_params(self) -> tuple[dict, dict, dict]:
        return (
            {"DASHSCOPE_API_KEY": "sk-from-env", "DASHSCOPE_BASE_URL": "https://example.invalid/compatible-mode/v1"},
            {"model": "qwen-plus"},
            {"api_key": "sk-from-env", "base_url": "https://example.invalid/compatible-mode/v1"},
        )
