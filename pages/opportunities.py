"""Placeholder while this page is being built (replaced before the issue closes)."""

import streamlit as st

st.write("opportunities")
