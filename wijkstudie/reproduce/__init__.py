"""The main command (``make reproduce``, ``python -m wijkstudie.reproduce``).

Run the notebooks that changed, in parallel (``run``), keep every executed notebook with what it read and wrote
(``notebook_cache``), and write the report site (``site``).
"""
