"""Akash providers: what each provider serves and earns on-chain, the view Akash Console users ask for."""

import streamlit as st

from dashboards import data
from dashboards.components import (MISSING, methodology_link, no_data, one_source, provenance_badge,
                                   require_published, sidebar_filters, table)

NETWORK = "akash"
AUDIT_NOTE = ("Audited: whether an auditor signed the provider's attributes on-chain (Akash's audit module, "
              "audit/v1 attributes list, read once per ingest run), as of the latest read. ")
NOT_READ = ("not read: no ingest run has read the audit module for this provider (the node serves no audit "
            "module, or the provider was last seen before audits were read)")

st.title("Akash providers")
st.caption("Per provider over the window: the GPUs its leases took by model (average leased at once: GPU-hours ÷ 24 "
           "÷ days), leases, what tenants paid, what the provider kept after the protocol's take, and the price per "
           "GPU-hour that implies. Providers are named by their on-chain address.")
require_published()
filters = sidebar_filters(networks=False)
(providers,) = one_source(data.query("provider_summary", network=NETWORK, start=filters.start, end=filters.end))
if providers.empty:
    no_data("Akash leases")
    st.stop()
provenance_badge(providers["source"])

cols = st.columns(3)
cols[0].metric("Providers with leases", f"{providers['provider'].nunique():,}")
cols[1].metric("Paid by tenants", f"${providers['payments_usd'].sum():,.0f}")
cols[2].metric("GPU-hours", f"{providers['gpu_hours'].sum():,.0f}")
incomplete = providers[~providers["payments_complete"].fillna(True)]
if not incomplete.empty:
    st.warning(f"{len(incomplete)} providers were paid in a denom with no price on some days: their USD figures count "
               "only the priced payments.", icon=":material/error:")

providers["audited"] = providers["audit_status"].fillna(MISSING)
unread = int(providers["audit_status"].isna().sum())
st.caption(AUDIT_NOTE + (f"{MISSING} for {unread:,} providers: {NOT_READ}." if unread else ""))
table(providers, "akash_providers",
      show=["provider", "audited", "gpus_by_model", "leases_started", "lease_days", "gpu_hours", "payments_usd",
            "provider_earnings_usd", "protocol_revenue_usd", "usd_per_gpu_hour", "days", "source"])
methodology_link()
