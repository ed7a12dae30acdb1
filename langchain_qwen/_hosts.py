"""DashScope hosts: region x billing plan (pay-as-you-go, Coding Plan, Token Plan), workspace and trial hosts."""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping

from langchain_qwen._errors import PLAN_NAMES, QwenValidationError

# Addendum §2.1: the shared pay-as-you-go hosts per region (any workspace key of that region).
REGION_URLS: dict[str, str] = {
    "cn-beijing": "https://dashscope.aliyuncs.com/compatible-mode/v1",
    "ap-southeast-1": "https://dashscope-intl.aliyuncs.com/compatible-mode/v1",
    "us-east-1": "https://dashscope-us.aliyuncs.com/compatible-mode/v1",
    "cn-hongkong": "https://cn-hongkong.dashscope.aliyuncs.com/compatible-mode/v1",
}
WORKSPACE_REGIONS = frozenset({"cn-beijing", "ap-southeast-1", "ap-northeast-1", "eu-central-1"})
"""Regions with workspace hosts `https://{WorkspaceId}.{region}.maas.aliyuncs.com/compatible-mode/v1`
(Tokyo and Frankfurt exist only as workspace hosts; US and Hong Kong only as shared hosts)."""
TRIAL_REGIONS = WORKSPACE_REGIONS
"""Regions assumed to have a trial host `https://trial.{region}.maas.aliyuncs.com/compatible-mode/v1`
(lower rate limits; the documented region list is not exact, so the maas regions are offered)."""
REGIONS = frozenset(REGION_URLS) | WORKSPACE_REGIONS

# Addendum §2.2: subscription plans have their own hosts and their own keys.
PLAN_URLS: dict[tuple[str, str], str] = {
    ("coding", "cn-beijing"): "https://coding.dashscope.aliyuncs.com/v1",
    ("coding", "ap-southeast-1"): "https://coding-intl.dashscope.aliyuncs.com/v1",
    ("token", "cn-beijing"): "https://token-plan.cn-beijing.maas.aliyuncs.com/compatible-mode/v1",
    ("token", "ap-southeast-1"): "https://token-plan.ap-southeast-1.maas.aliyuncs.com/compatible-mode/v1",
}
PLANS = ("payg", "coding", "token")
PLAN_ALIASES: dict[str, str] = {
    "pay-as-you-go": "payg",
    "paygo": "payg",
    "default": "payg",
    "coding-plan": "coding",
    "coding_plan": "coding",
    "token-plan": "token",
    "token_plan": "token",
}
REGION_ALIASES: dict[str, str] = {
    "beijing": "cn-beijing",
    "cn": "cn-beijing",
    "china": "cn-beijing",
    "singapore": "ap-southeast-1",
    "intl": "ap-southeast-1",
    "international": "ap-southeast-1",
    "us": "us-east-1",
    "virginia": "us-east-1",
    "hongkong": "cn-hongkong",
    "hong-kong": "cn-hongkong",
    "hk": "cn-hongkong",
    "frankfurt": "eu-central-1",
    "germany": "eu-central-1",
    "eu": "eu-central-1",
    "tokyo": "ap-northeast-1",
    "japan": "ap-northeast-1",
}
DEFAULT_REGION = "cn-beijing"
_WORKSPACE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{0,62}$")


def _canonical(name: str, aliases: Mapping[str, str]) -> str:
    """`name` trimmed and lower-cased, through its alias table."""
    key = name.strip().lower()
    return aliases.get(key, key)


def normalize_region(region: str | None) -> str:
    """Canonical region id (`cn-beijing`, `ap-southeast-1`, ...) for a region name or alias."""
    if not region:
        return DEFAULT_REGION
    key = _canonical(region, REGION_ALIASES)
    if key not in REGIONS:
        raise QwenValidationError(
            f"Unknown DashScope region: region={region!r}; allowed: {sorted(REGIONS)} "
            f"(or an alias: {sorted(REGION_ALIASES)})."
        )
    return key


def normalize_plan(plan: str | None) -> str:
    """Canonical billing plan (`payg`, `coding`, `token`) for a plan name or alias."""
    if not plan:
        return "payg"
    key = _canonical(plan, PLAN_ALIASES)
    if key not in PLANS:
        raise QwenValidationError(
            f"Unknown DashScope billing plan: plan={plan!r}; allowed: {list(PLANS)} "
            f"(pay-as-you-go, Coding Plan, Token Plan; aliases {sorted(PLAN_ALIASES)})."
        )
    return key


def _plan_url(plan: str, region: str, workspace_id: str | None, trial: bool) -> str:
    if workspace_id or trial:
        raise QwenValidationError(
            f"plan={plan!r} has its own hosts: workspace_id= and trial=True apply to pay-as-you-go only; "
            f"drop them, or use plan='payg'."
        )
    url = PLAN_URLS.get((plan, region))
    if url is None:
        allowed = sorted(r for p, r in PLAN_URLS if p == plan)
        raise QwenValidationError(
            f"region={region!r} has no {PLAN_NAMES[plan]} host; allowed regions for plan={plan!r}: {allowed}."
        )
    return url


def resolve_base_url(
    region: str | None, plan: str | None = None, workspace_id: str | None = None, trial: bool = False
) -> str:
    """The compatible-mode base URL that region, billing plan, workspace and trial together decide."""
    reg, pln = normalize_region(region), normalize_plan(plan)
    if pln != "payg":
        return _plan_url(pln, reg, workspace_id, trial)
    if workspace_id and trial:
        raise QwenValidationError("workspace_id= and trial=True name different hosts; pass one of them.")
    if workspace_id:
        if not _WORKSPACE_ID.match(workspace_id):
            raise QwenValidationError(
                f"workspace_id={workspace_id!r} is not a Model Studio workspace id (letters, digits and '-')."
            )
        if reg not in WORKSPACE_REGIONS:
            raise QwenValidationError(
                f"region={reg!r} has no workspace hosts; workspace_id= works in {sorted(WORKSPACE_REGIONS)}. "
                f"Drop workspace_id= to use the shared host {REGION_URLS[reg]}."
            )
        return f"https://{workspace_id}.{reg}.maas.aliyuncs.com/compatible-mode/v1"
    if trial:
        if reg not in TRIAL_REGIONS:
            raise QwenValidationError(f"region={reg!r} has no trial host; allowed: {sorted(TRIAL_REGIONS)}.")
        return f"https://trial.{reg}.maas.aliyuncs.com/compatible-mode/v1"
    if reg not in REGION_URLS:
        raise QwenValidationError(
            f"region={reg!r} is served only from workspace hosts: pass workspace_id=... (your Model Studio "
            f"workspace) or base_url=."
        )
    return REGION_URLS[reg]


_HOST_PATTERNS: tuple[tuple[re.Pattern[str], str | None, str], ...] = (
    (re.compile(r"^dashscope\.aliyuncs\.com$"), "cn-beijing", "payg"),
    (re.compile(r"^dashscope-intl\.aliyuncs\.com$"), "ap-southeast-1", "payg"),
    (re.compile(r"^dashscope-us\.aliyuncs\.com$"), "us-east-1", "payg"),
    (re.compile(r"^cn-hongkong\.dashscope\.aliyuncs\.com$"), "cn-hongkong", "payg"),
    (re.compile(r"^coding\.dashscope\.aliyuncs\.com$"), "cn-beijing", "coding"),
    (re.compile(r"^coding-intl\.dashscope\.aliyuncs\.com$"), "ap-southeast-1", "coding"),
    (re.compile(r"^token-plan\.([a-z0-9-]+)\.maas\.aliyuncs\.com$"), None, "token"),
    (re.compile(r"^[A-Za-z0-9-]+\.([a-z0-9-]+)\.maas\.aliyuncs\.com$"), None, "payg"),
)


@functools.lru_cache(maxsize=256)
def describe_host(base_url: str) -> tuple[str | None, str | None]:
    """(region, plan) of a known DashScope host, else (None, None): for the 401/403 hint."""
    from urllib.parse import urlsplit

    host = (urlsplit(base_url).hostname or "").lower()
    for pattern, region, plan in _HOST_PATTERNS:
        match = pattern.match(host)
        if match:
            return region or match.group(1), plan
    return None, None


__all__ = [
    "DEFAULT_REGION",
    "PLANS",
    "PLAN_URLS",
    "REGIONS",
    "REGION_URLS",
    "WORKSPACE_REGIONS",
    "describe_host",
    "normalize_plan",
    "normalize_region",
    "resolve_base_url",
]
