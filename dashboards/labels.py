"""What a column is called on a page and in a CSV header, and how its figures are written.

One place, so every table, chart axis and download names a figure alike: pages show
"Revenue" with "$1,234" in the cells; a CSV keeps the full-precision number under a header that
carries its unit ("revenue [USD]", "real yield [fraction a year, 0.05 = 5%]").
"""

from __future__ import annotations

from typing import Literal

Kind = Literal["text", "usd", "pct", "number", "int", "date", "ratio"]

# (label, kind, unit of the CSV figure); columns not listed fall back on their name
_COLUMNS: dict[str, tuple[str, Kind, str]] = {
    "network": ("Network", "text", ""),
    "source": ("Source label", "text", ""),
    "sources": ("Source labels", "text", ""),
    "day": ("Day", "date", "UTC date"),
    "days": ("Days", "int", "days"),
    "notes": ("Notes", "text", ""),
    "chain": ("Chain", "text", ""),
    "token": ("Token", "text", ""),
    "token_symbol": ("Token", "text", ""),
    "token_address": ("Contract / mint", "text", ""),
    "revenue_model": ("Revenue model", "text", ""),
    # money
    "fees_usd": ("Fees", "usd", "USD"),
    "revenue_usd": ("Revenue", "usd", "USD"),
    "supply_side_revenue_usd": ("Supply-side revenue", "usd", "USD"),
    "holders_revenue_usd": ("Holders' revenue", "usd", "USD"),
    "burns_usd": ("Burns", "usd", "USD"),
    "emissions_usd": ("Emissions", "usd", "USD"),
    "net_issuance_usd": ("Net issuance", "usd", "USD"),
    "staked_usd": ("Staked value", "usd", "USD"),
    "rewards_usd": ("Staking rewards", "usd", "USD"),
    "revenue_backed_rewards_usd": ("Revenue-backed rewards", "usd", "USD"),
    "token_price_usd": ("Token price", "usd", "USD"),
    "market_cap_usd": ("Market cap (total supply)", "usd", "USD"),
    "fdv_usd": ("Fully diluted value", "usd", "USD"),
    "fully_diluted_value_usd": ("Fully diluted value", "usd", "USD"),
    "max_supply_tokens": ("Maximum supply", "number", "tokens"),
    "annualised_fees_usd": ("Fees, annualised", "usd", "USD a year"),
    "annualised_revenue_usd": ("Revenue, annualised", "usd", "USD a year"),
    "payments_usd": ("Paid by tenants", "usd", "USD"),
    "provider_earnings_usd": ("Kept by the provider", "usd", "USD"),
    "protocol_revenue_usd": ("Protocol's take", "usd", "USD"),
    "revenue_usd_per_day": ("Revenue per day", "usd", "USD a day"),
    "usd_per_gpu_hour": ("$ per GPU-hour", "usd", "USD per GPU-hour"),
    "median_usd_per_gpu_hour": ("Median $ per GPU-hour", "usd", "USD per GPU-hour"),
    "network_usd_per_gpu_hour": ("Network $ per GPU-hour", "usd", "USD per GPU-hour"),
    "cloud_usd_per_gpu_hour": ("Cloud $ per GPU-hour", "usd", "USD per GPU-hour"),
    "h100_usd_per_gpu_hour": ("H100 $ per GPU-hour", "usd", "USD per GPU-hour"),
    "a100_usd_per_gpu_hour": ("A100 $ per GPU-hour", "usd", "USD per GPU-hour"),
    "usd_per_pflop_hour": ("$ per PFLOP-hour", "usd", "USD per PFLOP-hour"),
    "usd_per_million_tokens": ("$ per million tokens", "usd", "USD per million decode tokens"),
    # GPU finance (amounts in the loan currency's units, e.g. USDai)
    "currency_symbol": ("Currency", "text", ""),
    "loan_router": ("Loan router", "text", ""),
    "vault": ("Vault", "text", ""),
    "collateral": ("Collateral (GPUs)", "text", ""),
    "collateral_reason": ("Why collateral is unknown", "text", ""),
    "collateral_token": ("Collateral token", "text", ""),
    "collateral_token_id": ("Collateral token id", "text", ""),
    "collateral_wrapper_context": ("Collateral wrapper context", "text", ""),
    "originated_day": ("Originated", "date", "UTC date"),
    "borrower": ("Borrower", "text", ""),
    "principal": ("Principal", "number", "currency units"),
    "origination_fee": ("Origination fee", "number", "currency units"),
    "loan_status": ("Status", "text", ""),
    "loan_terms_hash": ("Loan terms hash", "text", ""),
    "origination_tx": ("Origination tx", "text", ""),
    "principal_originated": ("Principal originated", "number", "currency units"),
    "principal_repaid": ("Principal repaid", "number", "currency units"),
    "principal_outstanding": ("Principal outstanding", "number", "currency units"),
    "interest_to_lenders": ("Interest paid to lenders", "number", "currency units"),
    "protocol_revenue": ("Protocol revenue (fees)", "number", "currency units"),
    "origination_fees": ("Origination fees", "number", "currency units"),
    "exit_fees": ("Exit fees", "number", "currency units"),
    "liquidation_fees": ("Liquidation fees", "number", "currency units"),
    "liquidation_surplus": ("Liquidation surplus", "number", "currency units"),
    "principal_written_off": ("Principal written off", "number", "currency units"),
    "loans_originated": ("Loans originated", "int", "loans"),
    "loans_repaid": ("Loans repaid", "int", "loans"),
    "defaults": ("Defaults", "int", "loans sent to liquidation"),
    "nav": ("NAV", "number", "asset units"),
    "share_price": ("Share price", "number", "assets per share"),
    "start_share_price": ("Share price at start", "number", "assets per share"),
    "end_share_price": ("Share price at end", "number", "assets per share"),
    "redemption_share_price": ("Redemption share price", "number", "assets per share"),
    "end_redemption_share_price": ("Redemption share price at end", "number", "assets per share"),
    "realised_yield": ("Realised yield (from NAV)", "pct", "fraction a year, 0.05 = 5%"),
    "realised_yield_since_start": ("Realised yield since first reading", "pct", "fraction a year, 0.05 = 5%"),
    "realised_yield_30d": ("Realised yield, trailing 30 days", "pct", "fraction a year, 0.05 = 5%"),
    "claimed_yield_low": ("Claimed yield (low)", "pct", "fraction a year, 0.05 = 5%"),
    "claimed_yield_high": ("Claimed yield (high)", "pct", "fraction a year, 0.05 = 5%"),
    "claimed_yield_text": ("Claim", "text", ""),
    "days_measured": ("Days measured", "int", "days"),
    "status": ("On-chain identifiers", "text", ""),
    "system": ("System", "text", ""),
    "identifiers": ("Verified identifiers", "text", ""),
    "pending": ("Not registered, and why", "text", ""),
    # shares of one
    "nominal_apy": ("Nominal APY", "pct", "fraction a year, 0.05 = 5%"),
    "real_yield": ("Real yield", "pct", "fraction a year, 0.05 = 5%"),
    "utilization": ("Utilization", "pct", "fraction, 0.5 = 50%"),
    "revenue_growth": ("Revenue growth", "pct", "fraction, 0.1 = +10%"),
    "revenue_change": ("Revenue per day vs the period before", "pct", "fraction, 0.1 = +10%"),
    "fees_change": ("Fees per day vs the period before", "pct", "fraction, 0.1 = +10%"),
    "gap_ratio": ("Gap (measured ÷ claimed − 1)", "pct", "fraction, -0.5 = 50% below the claim"),
    "pct_of_peak": ("% of datasheet peak", "pct", "fraction, 0.5 = 50%"),
    "price_to_fees": ("Price ÷ fees", "ratio", "market cap ÷ annualised fees"),
    "price_to_sales": ("Price ÷ sales", "ratio", "market cap ÷ annualised revenue"),
    # counts and quantities
    "active_providers": ("Active providers", "int", "providers"),
    "active_jobs": ("Active jobs", "int", "jobs"),
    "jobs_started": ("Jobs started", "int", "jobs"),
    "lease_days": ("Lease-days", "int", "lease-days"),
    "leases_started": ("Leases started", "int", "leases"),
    "incomplete_days": ("Incomplete days", "int", "days"),
    "gpu_hours": ("GPU-hours", "number", "GPU-hours"),
    "emissions_tokens": ("Emissions (tokens)", "number", "tokens"),
    "burns_tokens": ("Burns (tokens)", "number", "tokens"),
    "net_issuance_tokens": ("Net issuance (tokens)", "number", "tokens"),
    "staked_tokens": ("Staked (tokens)", "number", "tokens"),
    "supply_tokens": ("Supply (tokens)", "number", "tokens"),
    "minted": ("Minted", "number", "tokens"),
    "burned": ("Burned", "number", "tokens"),
    "transferred": ("Transferred", "number", "tokens"),
    "net_issuance": ("Net issuance", "number", "tokens"),
    "minted_raw": ("Minted (base units)", "text", "base units"),
    "burned_raw": ("Burned (base units)", "text", "base units"),
    "transferred_raw": ("Transferred (base units)", "text", "base units"),
    "mint_count": ("Mints", "int", "transactions"),
    "burn_count": ("Burns", "int", "transactions"),
    "transfer_count": ("Transfers", "int", "transactions"),
    "first_block": ("First block / slot", "int", ""),
    "last_block": ("Last block / slot", "int", ""),
    "offers": ("Offers", "int", "offers"),
    "value": ("Value", "number", ""),
    "tflops": ("TFLOP/s", "number", "TFLOP/s"),
    "median_tflops": ("Median TFLOP/s", "number", "TFLOP/s"),
    "median_pct_of_peak": ("Median % of datasheet peak", "pct", "fraction, 0.5 = 50%"),
    "runs": ("Runs", "int", "runs"),
    "last_signed_at": ("Last signed", "date", "UTC date"),
    "claimed_value": ("Claimed", "number", "the claim's unit"),
    "claimed_value_high": ("Claimed (upper)", "number", "the claim's unit"),
    "measured_value": ("Measured (same terms)", "number", "the claim's unit"),
    "records": ("Records", "int", "records"),
    "rows": ("Rows", "int", "rows"),
    # text columns with a better name
    "venue": ("Venue", "text", ""),
    "venue_kind": ("Kind", "text", ""),
    "gpu_model": ("GPU model", "text", ""),
    "compared_as": ("Compared as", "text", ""),
    "price_source": ("Price source", "text", ""),
    "basis": ("Basis", "text", ""),
    "price_day": ("Price as of", "date", "UTC date"),
    "signed_at": ("Signed", "date", "UTC date"),
    "signed_day": ("Signed", "date", "UTC date"),
    "as_of": ("As of", "date", "UTC date"),
    "latest_day": ("Latest day", "date", "UTC date"),
    "first_day": ("First day", "date", "UTC date"),
    "last_day": ("Last day", "date", "UTC date"),
    "supply_day": ("Supply as of", "date", "UTC date"),
    "period_start": ("Period from", "date", "UTC date"),
    "period_end": ("Period to", "date", "UTC date"),
    "evidence_from": ("Measured from", "date", "UTC date"),
    "evidence_to": ("Measured to", "date", "UTC date"),
    "published_at": ("Published", "date", "UTC date"),
    "claim_text": ("Claim", "text", ""),
    "period": ("Claim's period", "text", ""),
    "measurement_basis": ("Basis of the measurement", "text", ""),
    "evidence_note": ("What is measured", "text", ""),
    "source_name": ("Claim source", "text", ""),
    "provider": ("Provider", "text", ""),
    "gpus_by_model": ("GPUs by model (average leased at once)", "text", "GPUs"),
    "audited": ("Audited", "text", ""),
    "engine": ("Engine", "text", ""),
    "tier": ("Tier", "text", ""),
    "tier_reason": ("Why self-attested", "text", ""),
    "operator_pubkey": ("Operator key", "text", ""),
    "precision": ("Precision", "text", ""),
    "metric": ("Metric", "text", ""),
    "unit": ("Unit", "text", ""),
    "run_ids": ("Benchmark runs", "text", ""),
    "supply_chain": ("Supply read on", "text", ""),
    "unpriced_denoms": ("Unpriced denoms", "text", ""),
}


def label(column: str) -> str:
    """The column's name on a page: 'Revenue', '$ per GPU-hour'; unknown columns in plain words."""
    known = _COLUMNS.get(column)
    if known:
        return known[0]
    words = column.removesuffix("_usd").replace("_", " ")
    return words[:1].upper() + words[1:]


def kind(column: str) -> Kind:
    """How the column's figures are written: usd, pct, int, number, ratio, date or text."""
    known = _COLUMNS.get(column)
    if known:
        return known[1]
    if column.endswith("_usd") or "usd_per" in column:
        return "usd"
    return "number"


def in_text(column: str) -> str:
    """The column's name inside a sentence: 'revenue', 'GPU-hours', 'nominal APY'."""
    name = label(column)
    return name if name[:2].isupper() else name[:1].lower() + name[1:]


def csv_header(column: str) -> str:
    """The column's CSV header, with the unit of its full-precision figure: 'revenue [USD]'."""
    known = _COLUMNS.get(column)
    unit = known[2] if known else ("USD" if column.endswith("_usd") else "")
    return f"{in_text(column)} [{unit}]" if unit else in_text(column)
