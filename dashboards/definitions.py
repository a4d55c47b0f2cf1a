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
    "usd_per_million_tokens": "$/GPU-hour ÷ (decode tokens/s × 3600 ÷ 10⁶); — where no accepted benchmark run "
                              "measured the model's decode tokens/s (a datasheet has no such figure).",
    "pct_of_peak": "Measured figure ÷ the card's datasheet dense peak.",
    "gap_ratio": "(measured − claimed) ÷ claimed, on the claim's own period and terms.",
    "h100_usd_per_gpu_hour": "The network's cheapest on-chain offer of any H100 variant in the window (the caption "
                             "names the variant); — where the network prices no H100 on-chain.",
    "a100_usd_per_gpu_hour": "The network's cheapest on-chain offer of any A100 variant in the window (the caption "
                             "names the variant); — where the network prices no A100 on-chain.",
    "market_cap_usd": "Total on-chain supply of the primary token × its price, at the window's last day with both "
                      "(circulating supply is not on-chain).",
    "fully_diluted_value_usd": "The primary token's price × its maximum supply as the token's own docs state it "
                               "(networks.toml cites the source and the day read), at the window's last day with a "
                               "price; — where the token has no maximum supply (inflationary) or none is verified.",
    "max_supply_tokens": "The primary token's maximum supply (whole tokens) as its own docs state it; networks.toml "
                         "cites the source and the day read.",
    "price_to_fees": "Market cap ÷ the window's fees × 365 ÷ its days.",
    "price_to_sales": "Market cap ÷ the window's revenue × 365 ÷ its days.",
    "revenue_change": "Revenue per day of the period ÷ that of the period before − 1 (per day, so a period the window "
                      "cuts short still compares); — for the window's first period (nothing before it in the window) "
                      "or when the period before earned nothing.",
    "fees_change": "Fees per day of the period ÷ those of the period before − 1; — for the window's first period "
                   "(nothing before it in the window) or when the period before had no fees.",
    "compared_as": "How the offer's model enters the comparison: the same model, or a name that leaves its memory "
                   "or form factor unstated (it cannot contradict the chosen model).",
    "measured_value": "What the data measures for the claim on its own terms: only days inside the claim's period; "
                      "totals scaled to the period (labelled), levels averaged; — where it cannot be compared yet.",
    "collateral": "What the loan's terms name as collateral in the borrow() call that originated it (token #id, "
                  "e.g. a bundle of GPU NFTs); \"unknown\" when the call did not go straight to the router, with why.",
}
