"""depinlens dashboards: the router. Pages live in app_pages/, data access in data.py."""

import streamlit as st

pg = st.navigation(
    {
        "Networks": [st.Page("app_pages/token_flows.py", title="Token flows", icon="🔥", default=True)],
        "About the data": [st.Page("app_pages/data_sources.py", title="Data and sources", icon="🧾")],
    }
)
st.set_page_config(page_title="depinlens", page_icon="🛰️", layout="wide")
pg.run()
