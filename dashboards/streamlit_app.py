"""depinlens dashboards: the router. Pages live in app_pages/, data access in data.py, shared filters in
filters.py. Serving options (upload limit, toolbar, no outside requests) are in .streamlit/config.toml."""

from pathlib import Path

import streamlit as st

# the tab's icon is served by this server, never fetched from an outside host; set before the navigation,
# or the browser first takes a page's Material icon as the tab's icon and fetches it from Google's font host
FAVICON = str(Path(__file__).parent / "static" / "favicon.png")
st.set_page_config(page_title="depinlens", page_icon=FAVICON, layout="wide")

pg = st.navigation(
    {
        "Compare": [
            st.Page("app_pages/overview.py", title="Overview", icon=":material/dashboard:", default=True),
            st.Page("app_pages/revenue.py", title="Revenue and burns", icon=":material/local_fire_department:"),
            st.Page("app_pages/staking.py", title="Staking and yield", icon=":material/savings:"),
            st.Page("app_pages/gpu_finance.py", title="GPU finance", icon=":material/account_balance:"),
            st.Page("app_pages/utilization.py", title="Utilization", icon=":material/speed:"),
            st.Page("app_pages/gpu_prices.py", title="GPU prices", icon=":material/sell:"),
            st.Page("app_pages/benchmarks.py", title="Benchmarks", icon=":material/timer:"),
            st.Page("app_pages/claims.py", title="Claims against evidence", icon=":material/fact_check:"),
        ],
        "Take away": [st.Page("app_pages/report.py", title="Report", icon=":material/picture_as_pdf:")],
        "Tokens": [st.Page("app_pages/token_flows.py", title="Token flows", icon=":material/swap_horiz:")],
        "Operators": [
            st.Page("app_pages/providers.py", title="Akash providers", icon=":material/dns:"),
            st.Page("app_pages/submit.py", title="Submit a benchmark", icon=":material/upload_file:"),
        ],
        "About the data": [st.Page("app_pages/data_sources.py", title="Data and methodology", icon=":material/description:")],
    },
    expanded=True,  # every page listed: past ten, Streamlit would hide the rest behind "View more"
)
pg.run()
