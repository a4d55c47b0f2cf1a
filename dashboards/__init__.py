"""The Streamlit app (`streamlit run dashboards/streamlit_app.py`); reads only the serving file."""
