"""The open data's own rules: each dataset's columns (columns.py) and its terms (terms.py).

Imports no app: the downloads (indicators/exports.py), the API's schemas, the
catalogue, the Data Package and the editors' spreadsheet all read it.
"""
