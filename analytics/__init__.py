"""needsmine — 集团客户需求挖掘工作台.

Everything the dashboard and the command line compute lives in this package; nothing here
imports streamlit except the one module of cached wrappers.
"""

__version__ = "0.1.0"
