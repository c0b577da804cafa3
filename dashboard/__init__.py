"""The Streamlit side of the dashboard (everything that imports streamlit, apart from the
page scripts in ``pages/`` and the router ``app.py``): ``view`` (the sidebar, each page's
frame), ``data`` (connections and cached figures), ``widgets`` (cards, tables,
downloads), ``charts`` (plotly) and ``access`` (roles and passcodes)."""
