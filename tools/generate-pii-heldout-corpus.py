#!/usr/bin/env python3
"""Writes Tests/Fixtures/pii-heldout-corpus.jsonl: a second labelled PII corpus, held out.

Written apart from the detectors and from tools/generate-pii-corpus.py, and never used to tune
them: other Faker locales (none of the first corpus's), other providers, and the shapes real
agent traces have (OpenTelemetry GenAI spans, OpenAI chat completions with tool calls,
Anthropic messages with tool_use/tool_result blocks, MCP tools/call requests). Each row is
{"id", "people", "input", "labels": [{"pointer", "type"}], "negatives": [pointer], "secrets": [text]}
in the first corpus's format, so one scorer serves both. `swift test` scores it
(PIIHeldOutCorpusTests); figures are in the README.

    pip install faker==40.63.0 && python3 tools/generate-pii-heldout-corpus.py
"""
import base64
from datetime import datetime
import json
import random
import unicodedata
import urllib.parse
from pathlib import Path

from faker import Faker

SEED = 73019
LOCALES = ["pl_PL", "pt_BR", "sv_SE", "tr_TR", "cs_CZ", "da_DK", "fi_FI", "ro_RO", "hu_HU", "en_IE", "en_IN", "pt_PT", "no_NO", "hr_HR"]
random.seed(SEED)
Faker.seed(SEED)
fake = Faker(LOCALES)
OUT = Path(__file__).resolve().parent.parent / "Tests" / "Fixtures" / "pii-heldout-corpus.jsonl"


def esc(token):
    return str(token).replace("~", "~0").replace("/", "~1")


def pointer(*parts):
    return "".join("/" + esc(p) for p in parts)


# ---- values -----------------------------------------------------------------------------------

def person():
    for _ in range(50):
        first, last = fake.first_name(), fake.last_name()
        if " " not in first and " " not in last and first.isalpha() and last.replace("-", "").isalpha() and len(first) > 2 and len(last) > 2:
            return first, last
    return "Astrid", "Lindqvist"


def ascii_fold(text):
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)).lower()


def email_for(first, last):
    domain = random.choice(["example.com", "example.org", "mail.example.net", "corp.example.io", fake.free_email_domain()])
    local = random.choice([f"{ascii_fold(first)}.{ascii_fold(last)}", f"{ascii_fold(first)[0]}{ascii_fold(last)}", f"{ascii_fold(last)}{random.randint(1, 99)}"])
    local = "".join(c for c in local if c.isalnum() or c in "._")
    if random.random() < 0.25:
        local += "+" + random.choice(["billing", "ops", "trial", "x"])
    return f"{local}@{domain}"


def luhn_complete(prefix, length):
    digits = [int(c) for c in prefix]
    while len(digits) < length - 1:
        digits.append(random.randint(0, 9))
    for check in range(10):
        candidate = digits + [check]
        total = 0
        for i, d in enumerate(reversed(candidate)):
            if i % 2 == 1:
                d *= 2
                if d > 9:
                    d -= 9
            total += d
        if total % 10 == 0:
            return "".join(map(str, candidate))
    raise AssertionError


CARD_SCHEMES = [("4", [13, 16, 19]), ("51", [16]), ("55", [16]), ("2221", [16]), ("2720", [16]), ("34", [15]), ("37", [15]),
                ("6011", [16, 19]), ("65", [16]), ("35", [16, 19]), ("62", [16, 17, 18, 19]), ("36", [14]),
                ("50", [12, 13, 16, 19]), ("56", [12, 16]), ("58", [12, 18]), ("6759", [12, 16, 19]), ("2200", [16, 19])]


def card():
    prefix, lengths = random.choice(CARD_SCHEMES)
    number = luhn_complete(prefix, random.choice(lengths))
    grouping = random.choice(["none", "space", "dash"])
    if grouping == "none":
        return number, number
    sep = " " if grouping == "space" else "-"
    groups = [number[i:i + 4] for i in range(0, len(number), 4)]
    return sep.join(groups), number


IBAN_LENGTHS = {"AT": 20, "BE": 16, "BR": 29, "CH": 21, "CZ": 24, "DE": 22, "DK": 18, "ES": 24, "FI": 18, "FR": 27, "GB": 22, "HR": 21,
                "HU": 28, "IE": 22, "IT": 27, "NL": 18, "NO": 15, "PL": 28, "PT": 25, "RO": 24, "SE": 24, "TR": 26}


def iban_valid(value):
    """ISO 13616: the registry's length for the country, and mod-97 of the rearranged number is 1."""
    if IBAN_LENGTHS.get(value[:2]) != len(value):
        return False
    rearranged = value[4:] + value[:4]
    return int("".join(str(int(c, 36)) for c in rearranged)) % 97 == 1


def iban():
    # Some Faker locales make IBANs of the wrong length for their country (en_IE gives GB…
    # with 21 characters): those are not account numbers, so only valid ones are used.
    value = fake.iban()
    while not iban_valid(value):
        value = fake.iban()
    if random.random() < 0.5:
        return " ".join(value[i:i + 4] for i in range(0, len(value), 4))
    return value


def api_key():
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
    tail = "".join(random.choice(alphabet) for _ in range(40))
    return random.choice([f"sk-proj-{tail}", f"ghp_{tail[:36]}", f"xoxb-{random.randint(10**10, 10**11)}-{tail[:24]}", f"AKIA{''.join(random.choice('ABCDEFGHIJKLMNOPQRSTUVWXYZ234567') for _ in range(16))}"])


def jwt():
    def part(obj):
        return base64.urlsafe_b64encode(json.dumps(obj, separators=(",", ":")).encode()).decode().rstrip("=")
    header = part({"alg": random.choice(["HS256", "RS256", "ES256"]), "typ": "JWT"})
    body = part({"sub": str(random.randint(1000, 99999)), "iat": random.randint(1.6e9, 1.8e9)})
    sig = base64.urlsafe_b64encode(random.randbytes(32)).decode().rstrip("=")
    return f"{header}.{body}.{sig}"


# ---- neutral filler ---------------------------------------------------------------------------

MODELS = ["gpt-4o-2024-08-06", "gpt-4.1-mini", "claude-3-5-sonnet-20241022", "claude-opus-4-20250514", "o3-mini-2025-01-31"]
TOOLS = ["lookup_policy", "propose_signal", "search_exceptions", "fetch_evidence", "summarize_case", "list_controls"]
SENTENCES = [
    "The control failed its quarterly attestation and needs review.",
    "No material change since the last evaluation run.",
    "Three exceptions are open for the payments region.",
    "Escalating to the risk committee per policy POL-7.",
    "The evidence pack hash matches the stored digest.",
    "Retry after the rate limit window of 60 seconds.",
]


def neutral_text():
    return " ".join(random.sample(SENTENCES, 2))


def ids():
    return {
        "trace_id": random.randbytes(16).hex(),
        "span_id": random.randbytes(8).hex(),
        "request_id": str(fake.uuid4()),
        "started_at": fake.date_time_between(datetime(2024, 1, 1), datetime(2026, 1, 1)).isoformat() + "Z",
        "duration_ms": random.randint(3, 90000),
        "input_tokens": random.randint(10, 20000),
        "output_tokens": random.randint(10, 8000),
        "build": f"{random.randint(1, 9)}.{random.randint(0, 30)}.{random.randint(0, 99)}",
        "order_ref": f"SO-{random.randint(10**9, 10**10 - 1)}",
        "epoch_ms": random.randint(1.6e12, 1.8e12),
        "digest": random.randbytes(32).hex(),
    }


# ---- PII placements: each returns (text to put in a string, type, secrets) -----------------------

def prose_name(row_people):
    first, last = person()
    display = f"{first} {last}"
    row_people.append({"display_name": display, "email": email_for(first, last)})
    form = random.choice(["plain", "possessive", "possessive_curly", "surname_first", "surname_first_caps", "lower", "upper", "nfd"])
    if form == "plain":
        written = display
    elif form == "possessive":
        written = f"{display}'s"
    elif form == "possessive_curly":
        written = f"{display}\u2019s"
    elif form == "surname_first":
        written = f"{last}, {first}"
    elif form == "surname_first_caps":
        written = f"{last.upper()}, {first}"
    elif form == "lower":
        written = display.lower()
    elif form == "upper":
        written = display.upper()
    else:
        written = unicodedata.normalize("NFD", display)
    template = random.choice([
        "Please loop in {} before closing this exception.",
        "Approval request drafted for {} ({} queue).",
        "{} flagged the control; awaiting sign-off.",
        "Per {} the evidence is complete.",
    ])
    text = template.format(written, random.choice(["risk", "ops", "audit"])) if template.count("{}") == 2 else template.format(written)
    secret = written[:-2] if form == "possessive" else (written[:-2] if form == "possessive_curly" else written)
    return text, "person_name", [secret]


def url_email(row_people):
    first, last = person()
    address = email_for(first, last)
    encoded = urllib.parse.quote(address, safe="")
    form = random.choice(["path", "fragment", "mailto", "query_plain", "query_encoded", "redirect"])
    host = random.choice(["https://portal.example.com", "https://app.example.org", "http://intranet.example.net"])
    if form == "path":
        text, secret = f"{host}/users/{encoded}/settings", encoded
    elif form == "fragment":
        text, secret = f"{host}/inbox#{encoded}", encoded
    elif form == "mailto":
        text, secret = f"mailto:{encoded}?subject=Review", encoded
    elif form == "query_plain":
        text, secret = f"{host}/notify?to={address}&lang=en", address
    elif form == "query_encoded":
        text, secret = f"{host}/notify?recipient={encoded}&lang=en", encoded
    else:
        inner = f"https://sso.example.com/login?user={encoded}"
        text, secret = f"{host}/auth/callback?next={urllib.parse.quote(inner, safe='')}", urllib.parse.quote(encoded, safe="")
    return f"Open {text} to continue.", "email", [secret]


def prose_email(row_people):
    first, last = person()
    address = email_for(first, last)
    return random.choice([f"Reply to {address} with the evidence.", f"cc: <{address}>", f"Escalated by {address}."]), "email", [address]


def prose_card(row_people):
    written, digits = card()
    return random.choice([f"Card on file {written} was declined.", f"PAN: {written}", f"refund to {written} pending"]), "account_number", [written]


def prose_iban(row_people):
    value = iban()
    return random.choice([f"Wire to IBAN {value} by Friday.", f"beneficiary account {value}"]), "account_number", [value]


def prose_token(row_people):
    value = random.choice([api_key(), jwt()])
    if random.random() < 0.3:
        return f"Authorization: Bearer {value}", "token", [value]
    return random.choice([f"use key {value} for the retry", f"token={value}"]), "token", [value]


def base64_card(row_people):
    written, digits = card()
    blob = base64.b64encode(json.dumps({"pan": digits, "note": "stored for retry"}).encode()).decode()
    return f"payload:{blob}", "account_number", [digits, blob]


STRING_PLACEMENTS = [prose_name, url_email, prose_email, prose_card, prose_iban, prose_token, base64_card]


# ---- trace shapes -----------------------------------------------------------------------------

def otel_span(row):
    base = ids()
    attributes = {
        "gen_ai.system": random.choice(["openai", "anthropic"]),
        "gen_ai.request.model": random.choice(MODELS),
        "gen_ai.usage.input_tokens": base["input_tokens"],
        "gen_ai.usage.output_tokens": base["output_tokens"],
        "gen_ai.operation.name": "chat",
    }
    events = [
        {"name": "gen_ai.user.message", "attributes": {"content": neutral_text()}},
        {"name": "gen_ai.choice", "attributes": {"index": 0, "finish_reason": "stop", "message.content": neutral_text()}},
    ]
    doc = {"traceId": base["trace_id"], "spanId": base["span_id"], "name": "chat " + attributes["gen_ai.request.model"],
           "startTimeUnixNano": str(base["epoch_ms"] * 1000000), "attributes": attributes, "events": events,
           "resource": {"service.name": "governance-agent", "service.version": base["build"]}}
    slots = [pointer("events", 0, "attributes", "content"), pointer("events", 1, "attributes", "message.content")]
    row["negatives"] += [pointer("traceId"), pointer("spanId"), pointer("startTimeUnixNano"), pointer("attributes", "gen_ai.request.model"),
                         pointer("attributes", "gen_ai.usage.input_tokens"), pointer("resource", "service.version")]
    return doc, slots


def openai_chat(row):
    base = ids()
    arguments = {"case_id": base["order_ref"], "limit": random.randint(1, 50), "query": neutral_text()}
    doc = {"id": "chatcmpl-" + random.randbytes(12).hex(), "object": "chat.completion", "created": base["epoch_ms"] // 1000,
           "model": random.choice(MODELS),
           "messages": [{"role": "system", "content": "You are the governance assistant."},
                        {"role": "user", "content": neutral_text()}],
           "choices": [{"index": 0, "finish_reason": "tool_calls", "message": {"role": "assistant", "content": None, "tool_calls": [
               {"id": "call_" + random.randbytes(10).hex(), "type": "function", "function": {"name": random.choice(TOOLS), "arguments": json.dumps(arguments)}}]}}],
           "usage": {"prompt_tokens": base["input_tokens"], "completion_tokens": base["output_tokens"]}}
    slots = [pointer("messages", 1, "content")]
    row["negatives"] += [pointer("id"), pointer("created"), pointer("model"), pointer("usage", "prompt_tokens"), pointer("messages", 0, "content")]
    row["arguments"] = (pointer("choices", 0, "message", "tool_calls", 0, "function", "arguments"), arguments)
    return doc, slots


def anthropic_messages(row):
    base = ids()
    tool_input = {"exception_id": str(fake.uuid4()), "reason": neutral_text()}
    doc = {"id": "msg_" + random.randbytes(12).hex(), "type": "message", "role": "assistant", "model": random.choice(MODELS),
           "content": [{"type": "text", "text": neutral_text()},
                       {"type": "tool_use", "id": "toolu_" + random.randbytes(10).hex(), "name": random.choice(TOOLS), "input": tool_input}],
           "stop_reason": "tool_use", "usage": {"input_tokens": base["input_tokens"], "output_tokens": base["output_tokens"]},
           "follow_up": {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_x", "content": neutral_text()}]}}
    slots = [pointer("content", 0, "text"), pointer("follow_up", "content", 0, "content"), pointer("content", 1, "input", "reason")]
    row["negatives"] += [pointer("id"), pointer("model"), pointer("usage", "input_tokens"), pointer("content", 1, "input", "exception_id")]
    return doc, slots


def mcp_call(row):
    base = ids()
    doc = {"jsonrpc": "2.0", "id": random.randint(1, 10**6), "method": "tools/call",
           "params": {"name": random.choice(TOOLS), "arguments": {"subject": f"acct-{random.randint(1000, 999999)}", "note": neutral_text()}},
           "_meta": {"progressToken": random.randint(1, 10**5), "trace": base["trace_id"], "elapsed_ms": base["duration_ms"]}}
    slots = [pointer("params", "arguments", "note")]
    row["negatives"] += [pointer("id"), pointer("params", "name"), pointer("params", "arguments", "subject"), pointer("_meta", "trace"), pointer("_meta", "elapsed_ms")]
    return doc, slots


SHAPES = [otel_span, openai_chat, anthropic_messages, mcp_call]


def set_at(doc, ptr, value):
    parts = [p.replace("~1", "/").replace("~0", "~") for p in ptr.split("/")[1:]]
    node = doc
    for part in parts[:-1]:
        node = node[int(part)] if isinstance(node, list) else node[part]
    last = parts[-1]
    if isinstance(node, list):
        node[int(last)] = value
    else:
        node[last] = value


def add_key_pii(doc, row, slot_parent):
    """PII as an object key, or a key whose name makes the value PII."""
    kind = random.choice(["email_key", "name_key", "keyed_email", "keyed_name", "card_number_value"])
    first, last = person()
    if kind == "email_key":
        address = email_for(first, last)
        slot_parent["votes"] = {address: random.choice(["approve", "reject"])}
        return ("votes", "[REDACTED:EMAIL]"), "email", [address]
    if kind == "name_key":
        display = f"{first} {last}"
        row["people"].append({"display_name": display, "email": email_for(first, last)})
        slot_parent["reviews"] = {display: random.choice(["approved", "pending"])}
        return ("reviews", "[REDACTED:PERSON_NAME]"), "person_name", [display]
    if kind == "keyed_email":
        key = random.choice(["reviewerEmail", "Reviewer-Email", "billing_email_address", "notify_emails", "ownerEmail"])
        address = email_for(first, last)
        value = [address] if key.endswith("emails") else address
        slot_parent[key] = value
        return (key,), "email", [address]
    if kind == "keyed_name":
        key = random.choice(["reviewerFullName", "Customer-Name", "account_holder", "given_name"])
        value = first if key == "given_name" else f"{first} {last}"
        slot_parent[key] = value
        return (key,), "person_name", [value]
    written, digits = card()
    key = random.choice(["cardNumber", "card_number", "pan"])
    slot_parent[key] = int(digits) if random.random() < 0.3 and grouping_free(written) else written
    return (key,), "account_number", [written]


def grouping_free(text):
    return text.isdigit()


def make_row(index):
    row = {"id": index, "people": [], "negatives": [], "labels": [], "secrets": []}
    doc, slots = random.choice(SHAPES)(row)
    positive = random.random() < 0.62
    if positive:
        used = set()
        for _ in range(random.choice([1, 1, 1, 2, 3])):
            if random.random() < 0.25:
                # On the document's top-level object (an attribute bag in real traces).
                parent = doc["attributes"] if "attributes" in doc else doc
                parent_ptr = pointer("attributes") if "attributes" in doc else ""
                path, kind, secrets = add_key_pii(doc, row, parent)
                label_ptr = parent_ptr + "".join("/" + esc(p) for p in path)
                if label_ptr in used:
                    continue
                used.add(label_ptr)
                row["labels"].append({"pointer": label_ptr, "type": kind})
                row["secrets"] += secrets
                continue
            free = [s for s in slots if s not in used]
            if "arguments" in row and random.random() < 0.35:
                ptr, arguments = row["arguments"]
                text, kind, secrets = random.choice(STRING_PLACEMENTS)(row["people"])
                arguments = dict(arguments)
                arguments["comment" if "comment" not in arguments else f"comment_{len(arguments)}"] = text
                row["arguments"] = (ptr, arguments)
                set_at(doc, ptr, json.dumps(arguments, ensure_ascii=False))
                used.add(ptr)
                row["labels"].append({"pointer": ptr, "type": kind})
                row["secrets"] += secrets
                continue
            if not free:
                continue
            slot = random.choice(free)
            used.add(slot)
            text, kind, secrets = random.choice(STRING_PLACEMENTS)(row["people"])
            set_at(doc, slot, text)
            row["labels"].append({"pointer": slot, "type": kind})
            row["secrets"] += secrets
    # A few known people who are not mentioned: names in the index must not fire on their own.
    for _ in range(random.randint(0, 2)):
        first, last = person()
        row["people"].append({"display_name": f"{first} {last}", "email": email_for(first, last)})
    # Labels of one pointer with several types stay separate findings; duplicates go.
    seen = set()
    row["labels"] = [l for l in row["labels"] if (l["pointer"], l["type"]) not in seen and not seen.add((l["pointer"], l["type"]))]
    labelled = {l["pointer"] for l in row["labels"]}
    row["negatives"] = [n for n in row["negatives"] if n not in labelled]
    row.pop("arguments", None)
    row["input"] = doc
    return {k: row[k] for k in ["id", "people", "input", "labels", "negatives", "secrets"]}


def main():
    rows = [make_row(i) for i in range(1500)]
    with OUT.open("w", encoding="utf-8") as out:
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    positives = sum(1 for r in rows if r["labels"])
    print(f"wrote {OUT.relative_to(Path.cwd()) if OUT.is_relative_to(Path.cwd()) else OUT}: {len(rows)} rows, {positives} with PII, {sum(len(r['labels']) for r in rows)} labels")


if __name__ == "__main__":
    main()
