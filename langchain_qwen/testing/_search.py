"""Web search (`enable_search`, `search_options`, F13.2) of the DashScope emulator: checks and billing stand-in.

* ``enable_search: true`` on a model without ``profile.web_search`` → 400 ``MSG_SEARCH`` (documented).
* With search on, ``search_options`` (when given) must be an object: ``search_strategy`` one of
  turbo | max | agent | agent_max (``agent``/``agent_max`` only for models with ``search_agent`` in
  ``_service``: the qwen3-max, qwen3.5-plus and qwen3.5-flash families), ``freshness`` one of 7 | 30 | 180 | 365, ``assigned_site_list`` a list of at
  most 25 entries, ``forced_search`` a boolean; other keys (``enable_search_extension``,
  ``prompt_intervene``, citation options, …) are accepted and ignored. Refusal wordings are
  ``[invented]``. Options are not checked when search is off.
* A searched answer ends with `` (searched the web)`` and costs 100 extra prompt tokens (``[invented]``
  stand-in for the injected search results). Compatible mode returns no sources or citations.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ._errors import ChatError
from ._service import ServiceModel

MSG_SEARCH = "This model does not support enable_search."
SEARCH_SUFFIX = " (searched the web)"
SEARCH_PROMPT_TOKENS = 100
"""[invented] Prompt tokens added by a searched request."""
STRATEGIES = ("turbo", "max", "agent", "agent_max")
AGENT_STRATEGIES = ("agent", "agent_max")
FRESHNESS = (7, 30, 180, 365)
MAX_ASSIGNED_SITES = 25

MSG_OPTIONS = "search_options must be an object."
"""[invented]"""
MSG_STRATEGY = "search_strategy should be one of ['turbo', 'max', 'agent', 'agent_max']"
"""[invented]"""
MSG_AGENT = "The search_strategy {strategy} is not supported by model {model}."
"""[invented]"""
MSG_FRESHNESS = "freshness should be one of [7, 30, 180, 365]"
"""[invented]"""
MSG_SITES = "assigned_site_list should be a list of at most 25 sites"
"""[invented]"""
MSG_FORCED = "'forced_search' must be Boolean"
"""[invented] modelled on the documented "'seed' must be Integer"."""


def check_search(body: Mapping[str, Any], profile: ServiceModel, model: str) -> bool:
    """Validate the web-search parameters; return True when the request searches.

    Raises:
        ChatError: 400 for an unsupported model or invalid `search_options`.
    """
    if not body.get("enable_search"):
        return False
    if profile.known and not profile.web_search:
        raise ChatError(MSG_SEARCH)
    options = body.get("search_options")
    if options is None:
        return True
    if not isinstance(options, Mapping):
        raise ChatError(MSG_OPTIONS)
    strategy = options.get("search_strategy")
    if strategy is not None:
        if strategy not in STRATEGIES:
            raise ChatError(MSG_STRATEGY)
        if strategy in AGENT_STRATEGIES and profile.known and not profile.search_agent:
            raise ChatError(MSG_AGENT.format(strategy=strategy, model=model))
    freshness = options.get("freshness")
    if freshness is not None and (isinstance(freshness, bool) or freshness not in FRESHNESS):
        raise ChatError(MSG_FRESHNESS)
    sites = options.get("assigned_site_list")
    if sites is not None and (not isinstance(sites, list) or len(sites) > MAX_ASSIGNED_SITES):
        raise ChatError(MSG_SITES)
    forced = options.get("forced_search")
    if forced is not None and not isinstance(forced, bool):
        raise ChatError(MSG_FORCED)
    return True


__all__ = ["MSG_SEARCH", "SEARCH_PROMPT_TOKENS", "SEARCH_SUFFIX", "check_search"]
