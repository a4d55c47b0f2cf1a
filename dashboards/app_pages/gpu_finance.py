"""GPU finance: yield products backed by GPUs (USD.AI's sUSDai, GAIB's sAID) measured from their share
prices against what they claim and what compute networks' stakers really earn; GPU loans originated,
repaid, outstanding and defaulted; and the systems with no verified on-chain identifiers, with why."""

import pandas as pd
import streamlit as st

from dashboards import charts, data
from dashboards.components import (chart, methodology_link, no_data, one_source, provenance_badge, require_published,
                                   same_source, sidebar_filters, table)
from depinlens.registry import load_registry
from depinlens.settings import Settings

st.title("GPU finance")
st.caption("Yield that GPUs pay through on-chain products, measured from each product's share price (NAV), "
           "beside the yield its sources claim and the real yield of compute networks' staking.")
require_published()
filters = sidebar_filters()

# ── data ────────────────────────────────────────────────────────────────────────
window = {"networks": filters.networks, "start": filters.start, "end": filters.end}
products, daily_yield, loans, each_loan = one_source(data.query("gpu_finance_summary", **window),
                                                     data.query("vault_yield_daily", **window),
                                                     data.query("gpu_financing_daily", **window),
                                                     data.query("gpu_loans", **window))
staking = data.query("network_summary", **window)
staking = same_source(staking, products) if not products.empty else staking
compute = staking[~staking["network"].isin(products["network"])].dropna(subset=["real_yield"])

# ── realised against claimed ────────────────────────────────────────────────────
st.subheader("Realised yield against claimed")
if products.empty:
    no_data("GPU-backed yield products")
else:
    provenance_badge(products["source"])
    chart(charts.yield_comparison(products, compute[["network", "real_yield"]]),
          pd.concat([products[["network", "realised_yield", "claimed_yield_low", "claimed_yield_high"]],
                     compute[["network", "real_yield"]]]), "gpu_yield_comparison")
    st.caption("Realised yield: (share price at the window's last reading ÷ at its first) ^ (365 ÷ days) − 1, "
               "compounded; a short window annualises a few days' change, so read it with `Days measured`.")
    table(products, "gpu_finance_products",
          show=["network", "chain", "days_measured", "start_share_price", "end_share_price",
                "end_redemption_share_price", "realised_yield", "claimed_yield_low", "claimed_yield_high",
                "claimed_yield_text", "nav"])

    st.subheader("Share price")
    chart(charts.metric_lines(daily_yield, "share_price", "Share price (assets per share)"),
          daily_yield[["day", "network", "share_price"]], "gpu_share_price")

# ── financing ───────────────────────────────────────────────────────────────────
st.subheader("GPU loans")
if loans.empty:
    no_data("GPU loans")
else:
    provenance_badge(loans["source"])
    cols = st.columns(4)
    cols[0].metric("Principal originated", f"{loans['principal_originated'].sum():,.0f}")
    cols[1].metric("Principal repaid", f"{loans['principal_repaid'].sum():,.0f}")
    cols[2].metric("Interest paid to lenders", f"{loans['interest_to_lenders'].sum():,.2f}")
    cols[3].metric("Defaults", f"{int(loans['defaults'].sum())}",
                   help=f"principal written off: {loans['principal_written_off'].sum():,.0f}")
    st.caption(f"Amounts in the loans' currency ({', '.join(sorted(loans['currency_symbol'].unique()))}).")
    chart(charts.metric_lines(loans, "principal_outstanding", "Principal outstanding (currency units)"),
          loans[["day", "network", "principal_outstanding"]], "gpu_loans_outstanding")
    table(loans, "gpu_loans",
          show=["day", "network", "currency_symbol", "principal_originated", "principal_repaid",
                "principal_outstanding", "interest_to_lenders", "protocol_revenue", "defaults",
                "principal_written_off"])

    st.subheader("Loans and their collateral")
    if each_loan.empty:
        no_data("GPU loans originated in the window")
    else:
        stated = int((each_loan["collateral_status"] == "stated").sum())
        st.caption(f"Collateral (which GPUs) as each loan's terms state it in the borrow() call that originated it: "
                   f"stated for {stated} of {len(each_loan)} loans; \"unknown\" ones say why.")
        table(each_loan, "gpu_loan_collateral",
              show=["originated_day", "network", "borrower", "currency_symbol", "principal", "loan_status",
                    "collateral", "collateral_reason", "origination_tx"])

# ── systems with nothing verified on-chain ───────────────────────────────────────
st.subheader("What is and is not on-chain")
status = pd.DataFrame(load_registry(Settings.from_env().registry_path).identifier_status())
missing = status[status["status"] == "no verified on-chain identifiers"]
if not missing.empty:
    st.warning("No verified on-chain identifiers: " + ", ".join(missing["name"]) + ". Nothing of theirs is "
               "measured; the table says what would be, once published.", icon=":material/help:")
table(status.rename(columns={"name": "system"}), "onchain_identifiers",
      show=["network", "system", "status", "identifiers", "pending"])
methodology_link()
