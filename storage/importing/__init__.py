"""Import rows into the csbot database: CSV files (hand-made or exported from Salesforce/HubSpot), or
rows of any other origin, through one set of checks.

report = import_file(engine, "accounts", Path("accounts.csv"), mapping={"Owner": "csm_email"})
report = import_rows(engine, "metrics", rows, origin="source product_usage")
"""

from storage.importing.errors import ImportFailed, RowError
from storage.importing.importer import ImportReport, import_file, import_rows
from storage.importing.schema import KINDS

__all__ = ["KINDS", "ImportFailed", "ImportReport", "RowError", "import_file", "import_rows"]
