"""GPU facts of Akash leases: the deployment group's GPU request, and the provider's advertised models.

A lease is a bid on one group (gseq) of a deployment. The group spec says how many GPUs each
resource unit takes and may name models (`vendor/nvidia/model/h100[/ram/80Gi][/interface/sxm]`);
a provider advertises what it has (`capabilities/gpu/vendor/nvidia/model/h100...` = "true").
The lease's model is the one the group names; when the group names none (any NVIDIA GPU) or
several, it is the provider's only matching model, else unknown. Names go through the
canonical list; names it lacks are collected for the report, never guessed.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from pipelines.chains.errors import DecodeError
from pipelines.reference.gpu_models import UnmappedGpuModel, canonical_gpu_model, gpu_family

PROVIDER_PREFIX = "capabilities/gpu/"


@dataclass(frozen=True)
class GroupGpus:
    """A deployment group's GPU request: total GPUs and the canonical models it accepts."""

    count: int
    models: frozenset[str]


@dataclass
class GpuNames:
    """Model names seen that the canonical list lacks, with how often."""

    unmapped: Counter = field(default_factory=Counter)

    def canonical(self, vendor_model: str, hint: str) -> str | None:
        """Canonical name of an Akash model token ("h100"), or None (and counted) when unmapped."""
        try:
            return canonical_gpu_model(vendor_model, hint=hint or None)
        except UnmappedGpuModel:
            self.unmapped[vendor_model] += 1
            return None


def _models_from_keys(keys: Iterable[str], names: GpuNames) -> frozenset[str]:
    """Canonical models named by attribute keys "vendor/<v>/model/<m>[/<k>/<v>...]" ('*' = any)."""
    parts_by_model: dict[str, list[str]] = {}
    for key in keys:
        parts = key.split("/")
        if len(parts) < 4 or parts[0] != "vendor" or parts[2] != "model" or parts[3] in ("", "*"):
            continue
        parts_by_model.setdefault(parts[3], []).extend(parts[4:])
    models = (names.canonical(model, " ".join(extra)) for model, extra in parts_by_model.items())
    return frozenset(m for m in models if m)


def _int_value(value: Any, where: str) -> int:
    text = value.get("val") if isinstance(value, dict) else value
    if isinstance(text, bool) or not (isinstance(text, int) or (isinstance(text, str) and text.isdigit())):
        raise DecodeError(f"{where}: {text!r:.40} is not a non-negative integer")
    return int(text)


def decode_deployment_gpus(answer: Any, names: GpuNames, where: str = "deployment") -> dict[int, GroupGpus]:
    """gseq -> the group's GPU request, from a `deployments/info` answer (v1beta4 or v1beta3).

    Raises:
        DecodeError: the answer has no groups list, or a group lacks its id or resources.
    """
    groups = answer.get("groups") if isinstance(answer, dict) else None
    if not isinstance(groups, list):
        raise DecodeError(f"{where}: answer has no 'groups' list")
    result: dict[int, GroupGpus] = {}
    for i, group in enumerate(groups):
        here = f"{where} group #{i}"
        ident = (group.get("id") or group.get("group_id")) if isinstance(group, dict) else None
        spec = group.get("group_spec") if isinstance(group, dict) else None
        resources = spec.get("resources") if isinstance(spec, dict) else None
        if not isinstance(ident, dict) or "gseq" not in ident or not isinstance(resources, list):
            raise DecodeError(f"{here}: needs id.gseq and group_spec.resources")
        count, keys = 0, []
        for j, unit in enumerate(resources):
            resource = unit.get("resource") if isinstance(unit, dict) else None
            gpu = resource.get("gpu") if isinstance(resource, dict) else None
            if gpu is None:
                continue
            units = _int_value(gpu.get("units") if isinstance(gpu, dict) else None, f"{here} resource #{j} gpu.units")
            replicas = _int_value(unit.get("count", 1), f"{here} resource #{j} count")
            if units:
                count += units * replicas
                keys += [a.get("key", "") for a in gpu.get("attributes") or [] if isinstance(a, dict)]
        result[_int_value(ident["gseq"], f"{here} id.gseq")] = GroupGpus(count, _models_from_keys(keys, names))
    return result


def decode_provider_gpus(providers: Any, names: GpuNames) -> dict[str, frozenset[str]]:
    """provider address -> canonical GPU models it advertises, from a `providers` list."""
    if not isinstance(providers, list):
        raise DecodeError(f"expected a list of providers, got {type(providers).__name__}")
    result: dict[str, frozenset[str]] = {}
    for provider in providers:
        if not isinstance(provider, dict) or not isinstance(provider.get("owner"), str):
            raise DecodeError(f"provider {str(provider)[:80]}: no owner address")
        keys = [a["key"][len(PROVIDER_PREFIX):] for a in provider.get("attributes") or []
                if isinstance(a, dict) and isinstance(a.get("key"), str) and a["key"].startswith(PROVIDER_PREFIX)
                and str(a.get("value")).lower() == "true"]
        result[provider["owner"]] = _models_from_keys(keys, names)
    return result


def lease_gpu_model(group: GroupGpus | None, provider_models: frozenset[str] | None) -> str | None:
    """The model a lease runs on: the group's only model, else the provider's only matching one."""
    if group is None or group.count == 0:
        return None
    if len(group.models) == 1:
        return next(iter(group.models))
    candidates = set(provider_models or ())
    if group.models:
        families = {gpu_family(m) for m in group.models}
        candidates = {m for m in candidates if gpu_family(m) in families}
    return candidates.pop() if len(candidates) == 1 else None
