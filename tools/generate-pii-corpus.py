#!/usr/bin/env python3
"""Generate the labelled PII corpus used by the scanner's quality tests.

Run once, at test-data generation time; the output is committed, so neither `swift test` nor CI
needs Faker:

    pip install faker==40.6.0   # any recent version; the seed fixes the values
    python3 tools/generate-pii-corpus.py > Tests/Fixtures/pii-corpus.jsonl
    python3 tools/generate-pii-corpus.py 99 > /tmp/held-out.jsonl   # a held-out corpus

Every PII type is crossed with every container (PII-naming key, neutral key, prose, JSON in a
string, URL query, base64, JWT in a header, deep nesting, sensitive marker), names are also held
by role keys (author, reviewer: a string, an object's name, a list) beside ids, agents and teams
under the same keys, and every record
carries the tricky negatives that must be left exactly as they are. A record:

    {"id": 7, "people": [{"display_name": ..., "email": ...}], "input": {...},
     "labels": [{"pointer": "/a/b", "type": "email"}], "negatives": ["/trace_id", ...],
     "secrets": ["jane@example.org"]}

`secrets` are the raw PII values: after scrubbing, none may appear anywhere in the output.
"""
import base64
import json
import random
import string
import sys
import uuid
from datetime import datetime
from urllib.parse import quote

from faker import Faker

# The committed corpus uses the default seed; another seed gives a held-out corpus of the same shape.
SEED = int(sys.argv[1]) if len(sys.argv) > 1 else 20260114
fake = Faker(["en_US", "en_GB", "de_DE", "fr_FR", "es_ES", "it_IT", "nl_NL"])
Faker.seed(SEED)
random.seed(SEED)
rng = random.Random(SEED)

TYPES = ["email", "person_name", "account_number", "token", "sensitive"]
CONTAINERS = ["key", "neutral", "prose", "json_string", "url_query", "base64", "header", "deep", "marker"]


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def luhn_digit(partial: str) -> str:
    total = 0
    for i, ch in enumerate(reversed(partial)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return str((10 - total % 10) % 10)


def card_number() -> str:
    return fake.credit_card_number(card_type=rng.choice(["visa", "mastercard", "amex", "discover"]))


def grouped(number: str, sep: str) -> str:
    return sep.join(number[i:i + 4] for i in range(0, len(number), 4))


def iban() -> str:
    value = fake.iban()
    return grouped(value, " ") if rng.random() < 0.5 else value


def account_value(context: str) -> str:
    # Bank account numbers without a checksum only count under account-like keys.
    if context == "key" and rng.random() < 0.3:
        return "".join(rng.choice(string.digits) for _ in range(rng.choice([8, 10, 12])))
    choice = rng.random()
    if choice < 0.4:
        return card_number()
    if choice < 0.6:
        return grouped(card_number(), rng.choice([" ", "-"]))
    return iban()


def jwt() -> str:
    header = b64url(json.dumps({"alg": rng.choice(["HS256", "RS256"]), "typ": "JWT"}).encode())
    payload = b64url(json.dumps({"sub": str(uuid.UUID(int=rng.getrandbits(128))), "iat": rng.randint(1_700_000_000, 1_800_000_000)}).encode())
    signature = b64url(bytes(rng.getrandbits(8) for _ in range(32)))
    return f"{header}.{payload}.{signature}"


def api_key() -> str:
    alnum = string.ascii_letters + string.digits
    kind = rng.choice(["sk", "sk_live", "ghp", "github_pat", "akia", "xoxb", "glpat"])
    if kind == "sk":
        return "sk-" + rng.choice(["", "proj-"]) + "".join(rng.choice(alnum) for _ in range(40))
    if kind == "sk_live":
        return "sk_live_" + "".join(rng.choice(alnum) for _ in range(24))
    if kind == "ghp":
        return "ghp_" + "".join(rng.choice(alnum) for _ in range(36))
    if kind == "github_pat":
        return "github_pat_" + "".join(rng.choice(alnum + "_") for _ in range(60))
    if kind == "akia":
        return "AKIA" + "".join(rng.choice(string.ascii_uppercase + string.digits) for _ in range(16))
    if kind == "xoxb":
        return "xoxb-" + "-".join("".join(rng.choice(string.digits) for _ in range(12)) for _ in range(2)) + "-" + "".join(rng.choice(alnum) for _ in range(24))
    return "glpat-" + "".join(rng.choice(alnum) for _ in range(20))


def token_value() -> str:
    choice = rng.random()
    if choice < 0.35:
        return jwt()
    if choice < 0.55:
        return "Bearer " + rng.choice([jwt(), api_key()])
    return api_key()


KEYS = {
    "email": ["email", "user_email", "contactEmail", "reviewer_email", "email_address"],
    "person_name": ["display_name", "full_name", "first_name_last_name", "customer_name", "account_holder"],
    "account_number": ["account_number", "iban", "card_number", "bank_account", "acct_no"],
    "token": ["password", "api_key", "access_token", "client_secret", "x-api-key", "refresh_token"],
}
NEUTRAL_KEYS = ["value", "note", "summary", "text", "detail", "comment", "message", "arg"]
PROSE = [
    "Please follow up with {} about the flagged transfer.",
    "Escalated after review: {} was mentioned in the ticket.",
    "Agent reasoning: the customer record references {} twice.",
    "{} — copied from the original request, see attachment.",
]


def pii_value(kind: str, context: str, people):
    """A raw PII value of `kind`, and the secret strings a leak check must not find."""
    if kind == "email":
        person = rng.choice(people) if people and rng.random() < 0.5 else None
        value = person["email"] if person else fake.email()
        return value, [value]
    if kind == "person_name":
        if context == "key":
            value = fake.name()  # caught by its key, whoever it is
        else:
            value = rng.choice(people)["display_name"]
            if rng.random() < 0.3:
                value = rng.choice([value.upper(), value.lower()])
        return value, [value]
    if kind == "account_number":
        value = account_value(context)
        return value, [value]
    value = token_value()
    secret = value.split(" ", 1)[1] if value.startswith("Bearer ") else value
    return value, [secret]


def make_people():
    people = []
    for _ in range(rng.randint(1, 3)):
        name = fake.name()
        parts = [p for p in name.replace(".", "").split() if p[0].isalpha()]
        email = f"{parts[0].lower()}.{parts[-1].lower()}@{fake.free_email_domain()}"
        people.append({"display_name": name, "email": email})
    return people


def negatives():
    """Values that look like data but are not PII, each under its own key."""
    order = "".join(rng.choice(string.digits) for _ in range(15))
    bad_check = order + str((int(luhn_digit(order)) + rng.randint(1, 9)) % 10)
    return {
        "trace_id": uuid.UUID(int=rng.getrandbits(128)).hex,
        "span_id": "%016x" % rng.getrandbits(64),
        "request_id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        # Fixed bounds: Faker's iso8601() ends at "now", which would make the corpus change daily.
        "started_at": fake.date_time_between(start_date=datetime(2020, 1, 1), end_date=datetime(2026, 1, 1)).isoformat() + "Z",
        "epoch_ms": rng.randint(1_600_000_000_000, 1_800_000_000_000),
        "epoch_s": rng.randint(1_600_000_000, 1_800_000_000),
        "output_hash": "%064x" % rng.getrandbits(256),
        "policy_id": f"POL-{rng.choice(['AML', 'KYC', 'FRAUD', 'LIMITS'])}-{rng.randint(1, 999):03d}",
        "order_number": rng.choice([bad_check, f"ORD-{rng.randint(2020, 2026)}-{rng.randint(0, 999999):06d}"]),
        "status": rng.choice(["pending", "approved", "rejected", "expired", "ok", "error"]),
        "version": rng.choice(["v2.0.0", "sprint3", "1.4.2", "2026.01.14-rc1"]),
        "tool": rng.choice(["propose_signal", "propose_policy_draft", "dismiss_exception"]),
        "tokens_used": rng.randint(10, 9000),
        "amount": round(rng.uniform(1, 100_000), 2),
        "subject": f"acct-{rng.randint(100000, 999999)}",
        "country": rng.choice(["DE", "FR", "NL", "GB"]),
    }


def record(rid: int, kind, container):
    people = make_people()
    doc = negatives()
    neg_pointers = ["/" + k for k in doc]
    labels, secrets = [], []

    def label(pointer, t):
        labels.append({"pointer": pointer, "type": t})

    if kind is None:
        doc["note"] = rng.choice(["Routine evaluation completed.", "No action needed.", "Signal matched rule amount_limit."])
        neg_pointers.append("/note")
    elif kind == "sensitive":
        payload = {"value": fake.sentence(), "ref": str(uuid.UUID(int=rng.getrandbits(128)))}
        if container == "marker":
            doc["payload"] = dict(payload, sensitive=True)
            label("/payload", "sensitive")
        elif container == "deep":
            node = doc
            path = ""
            for depth in range(8):
                node["level"] = {}
                node = node["level"]
                path += "/level"
            node["x-sensitive"] = payload
            label(path + "/x-sensitive", "sensitive")
        else:
            doc["x-sensitive"] = payload
            label("/x-sensitive", "sensitive")
        secrets.append(payload["value"])
    else:
        value, secret = pii_value(kind, container, people)
        secrets += secret
        if container == "key":
            key = rng.choice(KEYS[kind])
            doc[key] = value
            label("/" + key.replace("~", "~0").replace("/", "~1"), kind)
        elif container == "neutral":
            key = rng.choice(NEUTRAL_KEYS)
            doc[key] = value
            label("/" + key, kind)
        elif container == "prose":
            doc["summary"] = rng.choice(PROSE).format(value)
            label("/summary", kind)
        elif container == "json_string":
            inner = {"step": rng.randint(1, 9), "args": {rng.choice(NEUTRAL_KEYS): value}}
            doc["tool_output"] = json.dumps(inner)
            label("/tool_output", kind)
        elif container == "url_query":
            doc["callback"] = f"https://api.example.com/v1/lookup?{rng.choice(NEUTRAL_KEYS)}={quote(value, safe='')}&page=2"
            label("/callback", kind)
        elif container == "base64":
            text = json.dumps({"field": value}) if rng.random() < 0.5 else f"forwarded: {value}"
            doc["attachment"] = base64.b64encode(text.encode()).decode()
            label("/attachment", kind)
        elif container == "header":
            carrier = f"Bearer {value}" if kind == "token" and not value.startswith("Bearer ") else value
            doc["headers"] = {"X-Request-Note": carrier, "Accept": "application/json"}
            neg_pointers.append("/headers/Accept")
            label("/headers/X-Request-Note", kind)
        elif container == "deep":
            node = doc
            path = ""
            for depth in range(10):
                node["child"] = {"depth": depth}
                node = node["child"]
                path += "/child"
            node["text"] = value
            label(path + "/text", kind)
        elif container == "marker":
            doc["input"] = {"sensitive": True, "text": value}
            label("/input", "sensitive")
    return {"id": rid, "people": people, "input": doc, "labels": labels, "negatives": neg_pointers, "secrets": secrets}


ROLE_KEYS = ["author", "reviewer", "approved_by", "assignee", "owner", "requested_by", "created_by", "contact"]
ROLE_NON_PEOPLE = ["agent:triage-bot", "agent:policy-bot", "Risk Team", "Compliance Desk", "Platform Ops", "admin",
                   "system", "unassigned", "POL-AML-001", "On Call"]


def role_record(rid: int, positive: bool):
    """A person held by a role key (author, reviewer, …): a name there is PII when it is one, and
    ids, agents and teams under the same keys are not."""
    doc = negatives()
    neg_pointers = ["/" + k for k in doc]
    labels, secrets = [], []
    key = rng.choice(ROLE_KEYS)
    if positive:
        name = fake.name()
        form = rng.choice(["string", "object", "list"])
        if form == "string":
            doc[key] = name
            labels.append({"pointer": "/" + key, "type": "person_name"})
        elif form == "object":
            doc[key] = {"name": name, "id": str(uuid.UUID(int=rng.getrandbits(128), version=4))}
            labels.append({"pointer": f"/{key}/name", "type": "person_name"})
            neg_pointers.append(f"/{key}/id")
        else:
            doc[key + "s"] = [name]
            labels.append({"pointer": f"/{key}s/0", "type": "person_name"})
        secrets.append(name)
    else:
        value = rng.choice(ROLE_NON_PEOPLE + [str(uuid.UUID(int=rng.getrandbits(128), version=4))])
        doc[key] = rng.choice([value, {"name": value, "kind": "service"}])
        neg_pointers.append("/" + key)
    return {"id": rid, "people": [], "input": doc, "labels": labels, "negatives": neg_pointers, "secrets": secrets}


def main():
    rows = []
    rid = 0
    for _ in range(12):
        for kind in TYPES:
            for container in CONTAINERS:
                rows.append(record(rid, kind, container))
                rid += 1
    for _ in range(400):  # rows with no PII at all: precision needs true negatives
        rows.append(record(rid, None, None))
        rid += 1
    # Added later, after every earlier row, so that those rows stay as they were.
    for positive in [True] * 60 + [False] * 60:
        rows.append(role_record(rid, positive))
        rid += 1
    for row in rows:
        sys.stdout.write(json.dumps(row, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
