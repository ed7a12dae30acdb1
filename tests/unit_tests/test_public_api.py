"""The public API is static (literal `__all__`, typed imports), `import langchain_qwen` is cheap, and no module imports cycle."""

import ast
import subprocess
import sys
import textwrap
from pathlib import Path

import langchain_qwen

PACKAGE = Path(langchain_qwen.__file__).parent
ROOT = PACKAGE.parent


def _init_tree() -> ast.Module:
    return ast.parse((PACKAGE / "__init__.py").read_text())


def test_all_is_a_literal_naming_every_typed_import():
    tree = _init_tree()
    literal = next(
        node.value
        for node in tree.body
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "__all__"
    )
    names = ast.literal_eval(literal)
    assert names == langchain_qwen.__all__
    block = next(node for node in tree.body if isinstance(node, ast.If))  # if TYPE_CHECKING:
    typed = {alias.asname or alias.name for node in block.body for alias in node.names}  # type: ignore[attr-defined]
    assert typed | {"__version__"} == set(names)
    assert set(langchain_qwen._EXPORTS) | {"__version__"} == set(names)


def test_every_public_name_resolves_to_its_module():
    for name in langchain_qwen.__all__:
        value = getattr(langchain_qwen, name)
        assert value is not None, name


def test_import_is_lazy_and_cheap():
    code = "import sys, langchain_qwen; print(sorted(m for m in sys.modules if m.startswith(('langchain', 'openai', 'pydantic'))))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True).stdout
    assert out.strip() == "['langchain_qwen', 'langchain_qwen._version']"


SNIPPET = """
from langchain_core.messages import AIMessage, HumanMessage

from langchain_qwen import {names}


def use() -> None:
    llm = ChatQwen(model="qwen-plus", temperature=0.2, enable_thinking=False)
    msg = llm.invoke([HumanMessage("hi")])
    print(msg.text, llm.qwen_capabilities.json_schema, __version__)
    profile: QwenProfile = resolve_profile("qwen-plus")
    models: list[str] = list(known_models())
    search: SearchOptions = {"forced_search": True}
    options = TranslationOptions(target_lang="en", terms=[TranslationPair(source="a", target="b")])
    translator = QwenTranslator(model="qwen-mt-flash", target_lang="en")
    emb = QwenEmbeddings(model="text-embedding-v4")
    fim = QwenFIM(model="qwen2.5-coder-32b-instruct")
    files = QwenFiles()
    batch = QwenBatch(llm)
    ebatch = QwenEmbeddingBatch(emb)
    jobs: tuple[type[BatchJob], type[BatchError], object] = (BatchJob, BatchError, BatchStatus)
    helpers = (run_batch, embed_batch, add_documents, document_messages, document_prompt, documents_to_messages,
               json_document_message, long_context_messages, text_document_messages, QwenFile)
    media = (audio_block, image_block, video_block, message_wav, pcm_to_wav)
    partial = (complete_prefix, acomplete_prefix, continue_answer, acontinue_answer, needs_continuation, prefix_message)
    print(profile, models, search, options, translator, fim, files, batch, ebatch, jobs, helpers, media, partial)
    print(needs_continuation(AIMessage("x")), QwenRerank, register_init_chat_model)
    print({names})
    errors: list[type[QwenError]] = [
        QwenAPIStatusError, QwenAuthenticationError, QwenBadRequestError, QwenConnectionError,
        QwenContentInspectionError, QwenContextOverflowError, QwenFileError, QwenFileNotReadyError,
        QwenFileParseError, QwenFileTooLargeError, QwenInvalidFileError, QwenNotFoundError,
        QwenPermissionDeniedError, QwenRateLimitError, QwenServerError, QwenStorageLimitError,
        QwenStreamInterruptedError, QwenTimeoutError, QwenUnsupportedFileError, QwenValidationError,
    ]
    try:
        llm.invoke("hi")
    except QwenError as err:
        print(err.code, err.partial, errors)
"""


def start_user_code_check(workdir: Path) -> subprocess.Popen[str]:
    """Start `mypy --strict` on a user snippet importing and using every public name (about 15 s cold).

    `tests/unit_tests/conftest.py` starts it right after collection, so it runs beside the rest of the suite.
    """
    user = workdir / "user_code.py"
    names = ", ".join(langchain_qwen.__all__)
    user.write_text(textwrap.dedent(SNIPPET).replace("{names}", names))
    command = [sys.executable, "-m", "mypy", "--strict", "--follow-imports=silent", "--config-file=/dev/null"]
    return subprocess.Popen([*command, str(user)], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)


def test_mypy_strict_accepts_user_code(early_mypy_check: subprocess.Popen[str] | None, tmp_path: Path):
    proc = early_mypy_check or start_user_code_check(tmp_path)
    out, err = proc.communicate()
    assert proc.returncode == 0, out + err


def _runtime_nodes(tree: ast.AST) -> list[ast.AST]:
    """Every node except those under `if TYPE_CHECKING:` (never imported at run time)."""
    out: list[ast.AST] = []
    todo = [tree]
    while todo:
        node = todo.pop()
        out.append(node)
        if isinstance(node, ast.If) and getattr(node.test, "id", "") == "TYPE_CHECKING":
            todo.extend(node.orelse)
            continue
        todo.extend(ast.iter_child_nodes(node))
    return out


def _import_graph() -> dict[str, set[str]]:
    modules = {}
    for path in PACKAGE.rglob("*.py"):
        name = ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        modules[name] = path
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        deps = set()
        for node in _runtime_nodes(ast.parse(path.read_text())):  # module-level and function-level imports alike
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                deps |= {node.module} & modules.keys()
                deps |= {f"{node.module}.{a.name}" for a in node.names} & modules.keys()
            elif isinstance(node, ast.Import):
                deps |= {a.name for a in node.names} & modules.keys()
        graph[name] = deps - {name}
    return graph


def test_no_import_cycles():
    graph = _import_graph()
    assert "langchain_qwen._translation_options" in graph
    done: set[str] = set()

    def visit(node: str, path: list[str]) -> None:
        if node in path:
            raise AssertionError("import cycle: " + " -> ".join([*path[path.index(node) :], node]))
        if node in done:
            return
        for dep in sorted(graph[node]):
            visit(dep, [*path, node])
        done.add(node)

    for module in sorted(graph):
        visit(module, [])


def test_translation_options_module_is_a_leaf():
    assert _import_graph()["langchain_qwen._translation_options"] <= {"langchain_qwen._errors"}
