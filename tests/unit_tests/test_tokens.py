"""Exact local token counts: reproduce DashScope's reported prompt_tokens."""

from langchain_core.messages import AIMessage, HumanMessage, SystemMessage, ToolMessage
from langchain_core.tools import tool

from langchain_qwen import ChatQwen
from langchain_qwen._tokens import count_messages, count_text


def test_seed_doc_prompt_tokens() -> None:
    # ../shared/seed-docs/qwen-llm-api-reseller.txt: qwen2.5-14b-instruct reported prompt_tokens 20 and 41.
    llm = ChatQwen(model="qwen2.5-14b-instruct", api_key="k")
    sys = SystemMessage("You are a helpful assistant.")
    assert llm.get_num_tokens_from_messages([sys, HumanMessage("你好")]) == 20
    history = [sys, HumanMessage("你好"), AIMessage("你好!有什么可以帮助你的吗?"), HumanMessage("什么是AGI?")]
    assert llm.get_num_tokens_from_messages(history) == 41
    # qwq-quickstart.txt: "9.9和9.11谁大" alone -> prompt_tokens 18.
    assert ChatQwen(model="qwq-32b", api_key="k").get_num_tokens_from_messages([HumanMessage("9.9和9.11谁大")]) == 18


def test_completion_token_counts_match_doc() -> None:
    # The non-stream answer counted 8 completion tokens, the streamed one 7.
    assert count_text("你好!有什么我可以帮助你的吗?") == 8
    assert count_text("你好!有什么可以帮助你的吗?") == 7


def test_vocab_by_family_and_tools() -> None:
    text = "Qwen3.5 uses a larger vocabulary: 你好，世界！"
    small = ChatQwen(model="qwen-plus", api_key="k").get_num_tokens(text)
    large = ChatQwen(model="qwen3.5-plus", api_key="k").get_num_tokens(text)
    assert small > 0 and large > 0

    @tool
    def get_weather(city: str) -> str:
        """Get the weather for a city."""
        return city

    llm = ChatQwen(model="qwen-plus", api_key="k")
    msgs = [HumanMessage("Weather in Paris?")]
    with_tools = llm.get_num_tokens_from_messages(msgs, tools=[get_weather])
    assert with_tools > llm.get_num_tokens_from_messages(msgs) + 40


def test_tool_turns_counted() -> None:
    wire = [
        {"role": "user", "content": "hi"},
        {"role": "assistant", "content": "", "tool_calls": [{"id": "a", "function": {"name": "f", "arguments": "{}"}}]},
        {"role": "tool", "tool_call_id": "a", "content": "42"},
    ]
    assert count_messages(wire) > count_messages(wire[:1])
    assert ChatQwen(model="qwen-plus", api_key="k").get_num_tokens_from_messages(
        [
            HumanMessage("hi"),
            AIMessage("", tool_calls=[{"name": "f", "args": {}, "id": "a"}]),
            ToolMessage("42", tool_call_id="a"),
        ]
    ) == count_messages(wire)


def test_special_token_lookalikes_count_as_text() -> None:
    assert count_text("<|im_start|>") > 1


def test_message_like_inputs_are_accepted() -> None:
    llm = ChatQwen(model="qwen2.5-14b-instruct", api_key="k")
    assert llm.get_num_tokens_from_messages([("system", "You are a helpful assistant."), ("human", "你好")]) == 20
