"""One-line definitions shown on hover; the full text is docs/methodology.md."""

METHODOLOGY_PATH = "docs/methodology.md"

DEFINITIONS = {
    "revenue_usd": "Protocol revenue: burns (Render, io.net), payments × take rate (Akash, Nosana), "
                   "revenue paid to stakers (NodeAI), vault NAV growth (GAIB). Aethir's is off-chain.",
    "fees_usd": "What users paid: Render burns ÷ 0.95; job payments (Akash, Nosana).",
    "burns_usd": "Tokens burned (sent to the zero address / SPL burn) × the day's price.",
    "emissions_usd": "Tokens minted × the day's price.",
    "net_issuance_usd": "Emissions − burns. Negative = deflationary day.",
    "real_yield": "Revenue-backed staking rewards × 365 ÷ staked value.",
    "nominal_apy": "All staking rewards × 365 ÷ staked value (Akash: inflation net of tax ÷ bonded ratio).",
    "utilization": "Busy GPU-hours ÷ GPU-hours of the observed fleet (busiest day in 30 per provider).",
    "gpu_hours": "Σ hours each job ran within the day × its GPUs.",
    "usd_per_gpu_hour": "Cheapest hourly price of one GPU of the model at the venue.",
    "usd_per_pflop_hour": "$/GPU-hour ÷ measured (or datasheet) PFLOP/s.",
    "usd_per_million_tokens": "$/GPU-hour ÷ (decode tokens/s × 3600 ÷ 10⁶).",
    "pct_of_peak": "Measured figure ÷ the card's datasheet dense peak.",
    "gap_ratio": "(measured − claimed) ÷ claimed.",
}
