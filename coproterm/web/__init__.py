"""The phone page's source: HTML, CSS and JS the hub assembles into one self-contained page (server/web.py)."""
