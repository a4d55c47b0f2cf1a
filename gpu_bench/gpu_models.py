"""The one canonical list of GPU models, and the map from every venue's spelling onto it.

Why one list: cloud catalogs, Akash provider attributes, NVML and published specs all name
the same card differently ("A100-80GB", "a100 ram 80Gi", "NVIDIA A100-SXM4-80GB"). Prices,
peaks and benchmarks can only be joined on one vocabulary, so every loader (and gpu_bench,
and the marts) maps names through `canonical_gpu_model` and nothing else.

A canonical name is the family, then only what the source actually states:
`A100 80GB SXM`, `A100 80GB` (form factor not stated), `A100` (neither stated); `H100 SXM`,
`H100 PCIe`, `H100 NVL`, `H100`. Where a variant changes the physics (memory, SXM vs PCIe
clocks and bandwidth), the family alone never pretends to be one of them. The family is
always the part before the variant words, so SQL can group by it:
`gpu_family(name)` here, `regexp_replace(gpu_model, ' (\\d+GB|SXM|PCIe|NVL)', '', 'g')` there.

Unknown names raise `UnmappedGpuModel` (never a silent guess); `map_gpu_names` collects them
for a report instead.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from itertools import product

__all__ = [
    "CANONICAL_GPU_MODELS",
    "GpuModel",
    "GpuNameReport",
    "UnmappedGpuModel",
    "canonical_gpu_model",
    "gpu_family",
    "gpu_model_info",
    "map_gpu_names",
]

FORMS = ("SXM", "PCIe", "NVL")


@dataclass(frozen=True)
class _Family:
    """A GPU product line, the spellings that name it, and the variant axes that matter for it."""

    name: str
    aliases: tuple[str, ...]
    memories_gb: tuple[int, ...] = ()
    forms: tuple[str, ...] = ()


# Aliases are compared after `_key`: upper case, vendor words and variant words removed,
# everything but letters and digits dropped ("A100-80GB" -> "A100", "RTX_4070S_Ti" -> "RTX4070STI").
_FAMILIES: tuple[_Family, ...] = (
    # data centre
    _Family("B200", ("B200",)),
    _Family("GH200", ("GH200",)),
    _Family("H200", ("H200",), forms=("SXM", "NVL")),
    _Family("H100", ("H100",), forms=FORMS),
    _Family("A100", ("A100",), memories_gb=(40, 80), forms=("SXM", "PCIe")),
    _Family("A800", ("A800",)),
    _Family("A40", ("A40",)),
    _Family("A30", ("A30",)),
    _Family("A10", ("A10",)),
    _Family("A10G", ("A10G",)),
    _Family("L40S", ("L40S",)),
    _Family("L40", ("L40",)),
    _Family("L4", ("L4",)),
    _Family("V100", ("V100",)),
    _Family("P100", ("P100",)),
    _Family("T4", ("T4",)),
    # professional
    _Family("RTX PRO 6000", ("RTXPRO6000", "RTXPRO6000S", "RTXPRO6000SERVER", "RTXPRO6000BLACKWELL", "PRO6000")),
    _Family("RTX 6000 Ada", ("RTX6000ADA", "RTX6000ADAGENERATION", "6000ADA")),
    # SkyPilot's "RTX6000" (Lambda gpu_1x_rtx6000) is the Turing Quadro RTX 6000, not the Ada card.
    _Family("Quadro RTX 6000", ("RTX6000", "QUADRORTX6000")),
    _Family("Quadro RTX 8000", ("RTX8000", "QUADRORTX8000")),
    _Family("RTX A6000", ("RTXA6000", "A6000")),
    _Family("RTX A5000", ("RTXA5000", "A5000")),
    _Family("RTX A4000", ("RTXA4000", "A4000")),
    _Family("RTX A2000", ("RTXA2000", "A2000")),
    # GeForce
    _Family("RTX 5090", ("RTX5090", "5090")),
    _Family("RTX 5080", ("RTX5080", "5080")),
    _Family("RTX 4090", ("RTX4090", "4090")),
    _Family("RTX 4080 SUPER", ("RTX4080SUPER", "RTX4080S")),
    _Family("RTX 4080", ("RTX4080", "4080")),
    _Family("RTX 4070 Ti SUPER", ("RTX4070TISUPER", "RTX4070STI", "RTX4070TIS")),
    _Family("RTX 4070 Ti", ("RTX4070TI",)),
    _Family("RTX 4070 SUPER", ("RTX4070SUPER", "RTX4070S")),
    _Family("RTX 4070", ("RTX4070", "4070")),
    _Family("RTX 4060 Ti", ("RTX4060TI",)),
    _Family("RTX 4060", ("RTX4060", "4060")),
    _Family("RTX 3090 Ti", ("RTX3090TI",)),
    _Family("RTX 3090", ("RTX3090", "3090")),
    _Family("RTX 3080 Ti", ("RTX3080TI",)),
    _Family("RTX 3080", ("RTX3080", "3080")),
    _Family("RTX 3070 Ti", ("RTX3070TI",)),
    _Family("RTX 3070", ("RTX3070", "3070")),
    _Family("RTX 3060 Ti", ("RTX3060TI",)),
    _Family("RTX 3060", ("RTX3060", "3060")),
)

# Whole names whose variant is implied rather than written (NVML reports the SXM H200 as
# plain "NVIDIA H200"; the PCIe card is "NVIDIA H200 NVL").
_EXACT: dict[str, str] = {
    "NVIDIAH200": "H200 SXM",
}

_VENDOR_WORDS = {"NVIDIA", "GEFORCE", "TESLA"}
_MEMORY = re.compile(r"^(\d+)(?:GB|G|GI|GIB)$")
_SXM = re.compile(r"^SXM\d*$")
_PCIE = re.compile(r"^PCIE?$")
# words that name an H100's SXM form without saying "SXM": NVML "H100 80GB HBM3", GCP "H100-MEGA"
_SXM_WORDS = {"H100": {"HBM3", "MEGA"}}


@dataclass(frozen=True)
class GpuModel:
    """One canonical GPU model: its family and the variants the name pins down (None: not stated)."""

    name: str
    family: str
    memory_gb: int | None = None
    form_factor: str | None = None


class UnmappedGpuModel(ValueError):
    """A GPU name that is not in the canonical list; add an alias to gpu_models.py if it is real."""

    def __init__(self, raw_name: str, *, context: str = "") -> None:
        self.raw_name = raw_name
        where = f" ({context})" if context else ""
        super().__init__(
            f"GPU name {raw_name!r}{where} maps to no canonical model; add its spelling to an alias "
            f"in gpu_bench/gpu_models.py (canonical families: {', '.join(f.name for f in _FAMILIES)})"
        )


def _name(family: str, memory_gb: int | None, form: str | None) -> str:
    return " ".join(p for p in (family, f"{memory_gb}GB" if memory_gb else None, form) if p)


def _all_models() -> dict[str, GpuModel]:
    models: dict[str, GpuModel] = {}
    for fam in _FAMILIES:
        for memory, form in product((None, *fam.memories_gb), (None, *fam.forms)):
            model = GpuModel(_name(fam.name, memory, form), fam.name, memory, form)
            models[model.name] = model
    return models


CANONICAL_GPU_MODELS: Mapping[str, GpuModel] = _all_models()
_BY_ALIAS: dict[str, _Family] = {alias: fam for fam in _FAMILIES for alias in fam.aliases}
_FAMILY_BY_NAME: dict[str, _Family] = {fam.name: fam for fam in _FAMILIES}


def _tokens(text: str) -> list[str]:
    return [t for t in re.split(r"[^A-Z0-9]+", text.upper()) if t]


def _is_variant_word(token: str) -> bool:
    return bool(_MEMORY.match(token) or _SXM.match(token) or _PCIE.match(token)) or token in {"NVL", "HBM3", "MEGA"}


def _key(raw_name: str) -> str:
    """The alias key: letters and digits of the name, without vendor and variant words."""
    return "".join(t for t in _tokens(raw_name) if t not in _VENDOR_WORDS and not _is_variant_word(t))


def _variants(fam: _Family, text: str) -> tuple[int | None, str | None]:
    """Memory and form factor that `text` states for `fam` (None where it states none, or several)."""
    tokens = _tokens(text)
    memories = {int(m.group(1)) for t in tokens if (m := _MEMORY.match(t))} & set(fam.memories_gb)
    forms: set[str] = set()
    for t in tokens:
        if _SXM.match(t) or t in _SXM_WORDS.get(fam.name, ()):
            forms.add("SXM")
        elif _PCIE.match(t):
            forms.add("PCIe")
        elif t == "NVL":
            forms.add("NVL")
    forms &= set(fam.forms)
    return (memories.pop() if len(memories) == 1 else None, forms.pop() if len(forms) == 1 else None)


def _refine_family(fam: _Family, hint: str) -> _Family:
    """A more specific family of the same line that the hint spells out (RTX 4070 -> RTX 4070 Ti SUPER)."""
    compact = re.sub(r"[^A-Z0-9]", "", hint.upper())
    best, best_len = fam, 0
    for alias, other in _BY_ALIAS.items():
        if other.name.startswith(fam.name + " ") and alias in compact and len(alias) > best_len:
            best, best_len = other, len(alias)
    return best


def canonical_gpu_model(raw_name: str, *, hint: str | None = None) -> str:
    """The canonical model name for a venue's GPU spelling.

    Args:
        raw_name: the venue's name for the GPU ("A100-80GB", "h100", "NVIDIA GeForce RTX 4090").
        hint: other text from the same record that may state a variant the name leaves out
            (an instance type such as "gpu_1x_h100_pcie", Akash "ram 80Gi interface sxm").

    Raises:
        UnmappedGpuModel: the name is not a spelling of any canonical family.
    """
    if not isinstance(raw_name, str) or not raw_name.strip():
        raise UnmappedGpuModel(str(raw_name), context="empty name")
    exact = _EXACT.get("".join(_tokens(raw_name)))
    if exact:
        return exact
    fam = _BY_ALIAS.get(_key(raw_name))
    if fam is None:
        raise UnmappedGpuModel(raw_name)
    if hint:
        fam = _refine_family(fam, hint)
    memory, form = _variants(fam, f"{raw_name} {hint or ''}")
    return _name(fam.name, memory, form)


def gpu_model_info(name: str) -> GpuModel:
    """What a canonical name pins down; `UnmappedGpuModel` if `name` is not canonical."""
    try:
        return CANONICAL_GPU_MODELS[name]
    except KeyError:
        raise UnmappedGpuModel(name, context="not a canonical name") from None


def gpu_family(name: str) -> str:
    """The family of a canonical name ("A100 80GB SXM" -> "A100")."""
    return gpu_model_info(name).family


@dataclass
class GpuNameReport:
    """Names mapped, and names that are not (with how many records carried each)."""

    mapped: dict[tuple[str, str], str] = field(default_factory=dict)
    unmapped: dict[str, int] = field(default_factory=dict)

    @property
    def complete(self) -> bool:
        """True when every name mapped."""
        return not self.unmapped


def map_gpu_names(names: Iterable[tuple[str, str | None]]) -> GpuNameReport:
    """Map (raw name, hint) pairs in bulk, collecting unmapped names instead of raising."""
    report = GpuNameReport()
    for raw, hint in names:
        try:
            report.mapped[(raw, hint or "")] = canonical_gpu_model(raw, hint=hint)
        except UnmappedGpuModel:
            report.unmapped[raw] = report.unmapped.get(raw, 0) + 1
    return report
