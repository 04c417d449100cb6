"""Local stand-ins for the CRMs' HTTP APIs, for tests and the offline demo: real HTTP servers on
127.0.0.1 that answer the endpoints csbot's CRM readers call with payloads shaped like the vendors'
documented responses (pagination and rate limiting included) and record every request they get."""

from localcrm.base import RecordedRequest
from localcrm.hubspot import LocalHubSpot
from localcrm.salesforce import LocalSalesforce

__all__ = ["LocalHubSpot", "LocalSalesforce", "RecordedRequest"]
