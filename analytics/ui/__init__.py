"""The only part of `analytics` that imports streamlit: the frame's helpers and, per page, the
cached wrappers around `analytics` functions (`st.cache_resource` for the connection,
`st.cache_data` for query results keyed on small arguments)."""
