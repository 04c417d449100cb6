"""Salesforce's REST query API, as much of it as csbot reads: SOQL `query` with `nextRecordsUrl` pages,
over HTTPS (simple-salesforce speaks nothing else) with a certificate made for 127.0.0.1. The SOQL
understood is the shape csbot sends: SELECT fields FROM object [WHERE a AND b …] [ORDER BY fields], with
=, >= and IN conditions."""

import re
import ssl
import tempfile
from datetime import UTC, datetime, timedelta
from ipaddress import ip_address
from pathlib import Path
from typing import Any

from localcrm.base import Answer, LocalApi

_QUERY = re.compile(
    r"SELECT (?P<fields>.+?) FROM (?P<object>\w+)(?: WHERE (?P<where>.+?))?(?: ORDER BY (?P<order>.+))?$"
)
_CONDITION = re.compile(r"(?P<field>[\w.]+) (?P<op>=|>=|IN) (?P<value>.+)")


def stamp(moment: datetime) -> str:
    """A Salesforce timestamp: UTC, milliseconds, +0000."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}+0000"


def _certificate(directory: Path) -> tuple[Path, Path]:
    # cryptography is a development dependency: only tests and the demo start this server.
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.now(UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ip_address("127.0.0.1"))]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = directory / "localsalesforce.pem", directory / "localsalesforce.key"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return cert_path, key_path


class LocalSalesforce(LocalApi):
    """`certificate` is the file to trust (REQUESTS_CA_BUNDLE) to reach it."""

    def __init__(
        self, token: str = "00Dlocal!session", *, page_size: int = 2000, version: str = "62.0"
    ) -> None:
        self._directory = tempfile.TemporaryDirectory(prefix="localsalesforce-")
        self.certificate, key = _certificate(Path(self._directory.name))
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.certificate, key)
        super().__init__(token, tls=context)
        self.page_size = page_size
        self.version = version
        self.records: dict[str, dict[str, dict[str, Any]]] = {}
        self._cursors: dict[str, list[dict[str, Any]]] = {}

    def stop(self) -> None:
        super().stop()
        self._directory.cleanup()

    def put(self, sobject: str, record_id: str, modified: datetime, **fields: Any) -> None:
        """Create or change a record; a relationship is a dict (Owner={"Email": …})."""
        record = self.records.setdefault(sobject, {}).setdefault(record_id, {"Id": record_id})
        record.update(fields)
        record["SystemModstamp"] = stamp(modified)

    def unauthorized(self) -> Answer:
        return Answer(401, [{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}])

    def throttled(self) -> Answer:
        return Answer(
            403, [{"message": "TotalRequests Limit exceeded.", "errorCode": "REQUEST_LIMIT_EXCEEDED"}]
        )

    def answer(self, method: str, path: str, query: dict[str, list[str]], body: Any) -> Answer:
        base = f"/services/data/v{self.version}/query"
        if method == "GET" and path.rstrip("/") == base and "q" in query:
            return self._query(query["q"][0])
        if method == "GET" and path.startswith(base + "/"):
            locator = path.removeprefix(base + "/")
            if locator.rsplit("-", 1)[0] in self._cursors:
                return self._page(*locator.rsplit("-", 1))
        return Answer(404, [{"message": f"no route {method} {path}", "errorCode": "NOT_FOUND"}])

    def _query(self, soql: str) -> Answer:
        match = _QUERY.match(" ".join(soql.split()))
        if match is None:
            return Answer(400, [{"message": f"unexpected SOQL: {soql}", "errorCode": "MALFORMED_QUERY"}])
        sobject = match["object"]
        fields = [f.strip() for f in match["fields"].split(",")]
        rows = [r for r in self.records.get(sobject, {}).values() if self._matches(r, match["where"])]
        for name in reversed([f.strip() for f in (match["order"] or "").split(",") if f.strip()]):
            rows.sort(key=lambda r, name=name: str(self._value(r, name) or ""))
        shaped = [self._shape(sobject, r, fields) for r in rows]
        locator = f"01gLOCAL{len(self._cursors):06d}"
        self._cursors[locator] = shaped
        return self._page(locator, "0")

    def _page(self, locator: str, offset_text: str) -> Answer:
        rows = self._cursors[locator]
        offset = int(offset_text)
        end = offset + self.page_size
        payload: dict[str, Any] = {
            "totalSize": len(rows),
            "done": end >= len(rows),
            "records": rows[offset:end],
        }
        if end < len(rows):
            payload["nextRecordsUrl"] = f"/services/data/v{self.version}/query/{locator}-{end}"
        return Answer(200, payload)

    def _shape(self, sobject: str, record: dict[str, Any], fields: list[str]) -> dict[str, Any]:
        url = f"/services/data/v{self.version}/sobjects/{sobject}/{record['Id']}"
        shaped: dict[str, Any] = {"attributes": {"type": sobject, "url": url}}
        for name in fields:
            if "." in name:
                relation, field = name.split(".", 1)
                related = record.get(relation)
                if related is None:
                    shaped[relation] = None
                else:
                    target = shaped.setdefault(relation, {"attributes": {"type": relation}})
                    target[field] = related.get(field)
            else:
                shaped[name] = record.get(name)
        return shaped

    @staticmethod
    def _value(record: dict[str, Any], name: str) -> Any:
        value: Any = record
        for step in name.split("."):
            value = value.get(step) if isinstance(value, dict) else None
        return value

    def _matches(self, record: dict[str, Any], where: str | None) -> bool:
        for condition in (where or "").split(" AND ") if where else []:
            parsed = _CONDITION.fullmatch(condition.strip())
            if parsed is None:
                raise ValueError(f"unexpected SOQL condition: {condition}")
            have = self._value(record, parsed["field"])
            op, value = parsed["op"], parsed["value"]
            if op == "IN":
                options = [v.strip().strip("'").lower() for v in value.strip("()").split(",")]
                if str(have or "").lower() not in options:
                    return False
            elif value in ("true", "false"):
                if bool(have) != (value == "true"):
                    return False
            elif value.startswith("'"):
                if str(have or "").lower() != value.strip("'").lower():
                    return False
            else:  # a datetime literal
                limit = datetime.fromisoformat(value.replace("Z", "+00:00"))
                moment = datetime.strptime(str(have), "%Y-%m-%dT%H:%M:%S.%f%z") if have else None
                if moment is None or not (moment >= limit if op == ">=" else moment == limit):
                    return False
        return True
