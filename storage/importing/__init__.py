"""Import CSV files (hand-made or exported from Salesforce/HubSpot) into the csbot database.

report = import_file(engine, "accounts", Path("accounts.csv"), mapping={"Owner": "csm_email"})
"""

from storage.importing.errors import ImportFailed, RowError
from storage.importing.importer import ImportReport, import_file
from storage.importing.schema import KINDS

__all__ = ["KINDS", "ImportFailed", "ImportReport", "RowError", "import_file"]
