#!/usr/bin/env python3
"""Replays the fixtures through the real binary and validates every event against
docs/event-schema.json with the jsonschema package (an implementation independent
of ours). Also checks that mention offsets point at the mention text.

usage: validate_events.py INGESTD_BINARY SOURCE_DIR
"""
import json
import os
import subprocess
import sys
import tempfile

import jsonschema


def main():
    binary, source = sys.argv[1], sys.argv[2]
    with open(os.path.join(source, "docs/event-schema.json")) as f:
        schema = json.load(f)
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    fixtures = os.path.join(source, "tests/fixtures/replay")
    with tempfile.TemporaryDirectory() as tmp:
        events = []
        for name in sorted(os.listdir(fixtures)):
            if not name.endswith(".jsonl"):
                continue
            out = os.path.join(tmp, name + ".out")
            subprocess.run([binary, "replay", "--config", os.path.join(source, "config/local.yaml"),
                            "--input", os.path.join(fixtures, name), "--output", out,
                            "--dlq", os.path.join(tmp, name + ".dlq"), "--quiet"], check=True)
            with open(out, encoding="utf-8") as f:
                events += [json.loads(line) for line in f]
    if not events:
        print("no events produced", file=sys.stderr)
        return 1
    failures = 0
    for event in events:
        for error in validator.iter_errors(event):
            failures += 1
            print(f"{event.get('id')}: {error.json_path}: {error.message}", file=sys.stderr)
        for tag in event.get("tags", []):
            for m in tag["mentions"]:
                field = event["title" if m.get("field") == "title" else "text"].encode("utf-8")
                if field[m["start"]:m["end"]].decode("utf-8", "replace") != m["text"]:
                    failures += 1
                    print(f"{event['id']}: {tag['id']}: offsets {m['start']}..{m['end']} do not hold {m['text']!r}",
                          file=sys.stderr)
    print(f"{len(events)} events checked, {failures} problems")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
