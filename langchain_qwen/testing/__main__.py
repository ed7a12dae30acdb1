"""Command line: run the DashScope emulator in the foreground; print its base URL and the API key it accepts."""

from __future__ import annotations

import argparse
import sys
import threading

from langchain_qwen.testing.emulator import DashScopeEmulator


def main(argv: list[str] | None = None) -> int:
    """Serve until killed; stdout line 1 is the base URL, line 2 the API key it accepts (flushed).

    Args:
        argv: Command-line arguments (default `sys.argv[1:]`).

    Returns:
        The process exit status.
    """
    parser = argparse.ArgumentParser(
        prog="python -m langchain_qwen.testing",
        description=__doc__,
        epilog="Prints the base URL, then the API key to use: `api key: sk-emulator` unless --api-key is given. "
        "Point clients at them, e.g. DASHSCOPE_API_KEY=sk-emulator and base_url=<printed URL>.",
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument(
        "--api-key",
        default="sk-emulator",
        help="the only API key the emulator accepts (default: %(default)s); other keys get HTTP 401",
    )
    parser.add_argument("--region", default="cn-beijing")
    parser.add_argument("--account-balance", default=None, help="send X-Account-Balance with this value")
    parser.add_argument("--cache-ttl", type=float, default=300.0, help="explicit context-cache TTL in seconds")
    parser.add_argument("--batch-seconds", type=float, default=0.0, help="seconds a batch takes to complete")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds every request waits before its answer")
    parser.add_argument(
        "--tool-arg-piece-tokens", type=int, default=None, help="stream tool arguments in pieces of this many tokens"
    )
    args = parser.parse_args(argv)
    emu = DashScopeEmulator(
        api_key=args.api_key,
        region=args.region,
        account_balance=args.account_balance,
        host=args.host,
        port=args.port,
        cache_ttl=args.cache_ttl,
        batch_seconds=args.batch_seconds,
        latency=args.latency,
        tool_arg_piece_tokens=args.tool_arg_piece_tokens,
    )
    emu.start()
    print(emu.base_url, flush=True)
    print(f"api key: {emu.api_key}", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        emu.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
