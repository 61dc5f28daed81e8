"""Reads the log of an Odoo test run (odoo-bin --test-tags ...) and prints
how many tests ran, failed and errored, one line per failing test with the
last line of its traceback (the assertion), and the skipped tests.

Exits 1 when a test failed or errored, when the run logged no result line
(the server crashed before the tests ended), or when no test ran.
"""

import re
import sys

# 2025-01-01 10:00:00,123 4242 ERROR db odoo.addons.sale_loyalty.tests.test_loyalty: FAIL: TestLoyalty.test_x
LOG_LINE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d+ \d+ (?P<level>[A-Z]+) \S+ (?P<logger>[\w.]+): (?P<msg>.*)$")
RESULT = re.compile(r"(?P<failed>\d+) failed, (?P<errors>\d+) error\(s\) of (?P<run>\d+) tests when loading database")
TEST_ID = re.compile(r"^(?P<flavour>FAIL|ERROR): (?P<test>\S+)")
EXCEPTION = re.compile(r"^[\w.]*(Error|Exception|Warning)\b.*:")


def _assertion(traceback_lines):
    """The exception line of a traceback (the first, for chained ones), and
    for a failed tour the step that failed."""
    exception = next((line for line in traceback_lines if EXCEPTION.match(line)), None)
    exception = exception or (traceback_lines[-1] if traceback_lines else "")
    step = next((line for line in traceback_lines if line.startswith("FAILED: ")), None)
    text = f"{exception} | {step}" if step else exception
    return text if len(text) <= 400 else text[:397] + "..."


def _module(logger):
    parts = logger.split(".")
    return parts[2] if logger.startswith("odoo.addons.") and len(parts) > 2 else logger


def parse(lines):
    """(result dict or None, [(flavour, test id, assertion)], [skipped lines])"""
    result = None
    problems = []
    skipped = []
    current = None  # (flavour, test id, [traceback lines]) of the last FAIL/ERROR record
    for raw in lines:
        line = raw.rstrip("\n")
        match = LOG_LINE.match(line)
        if not match:
            if current is not None and line.strip():
                current[2].append(line.strip())
            continue
        if current is not None:
            problems.append((current[0], current[1], _assertion(current[2])))
            current = None
        msg = match["msg"]
        if result_match := RESULT.search(msg):
            result = {key: int(value) for key, value in result_match.groupdict().items()}
        elif match["level"] == "ERROR" and (test_match := TEST_ID.match(msg)):
            current = (test_match["flavour"], f"{_module(match['logger'])}:{test_match['test']}", [])
        elif match["level"] == "INFO" and msg.startswith("skipped "):
            skipped.append(f"{_module(match['logger'])}: {msg}")
    if current is not None:
        problems.append((current[0], current[1], _assertion(current[2])))
    return result, problems, skipped


def failed_tags(path):
    """Test tags (``/module:Class.method``) of the tests that failed in the
    log, one per line; nothing when the run did not finish."""
    with open(path, encoding="utf-8", errors="replace") as log:
        result, problems, _skipped = parse(log)
    if result is None:
        return 1
    for _flavour, test, _assertion_text in problems:
        print(f"/{test}")
    return 0


def main(path):
    with open(path, encoding="utf-8", errors="replace") as log:
        result, problems, skipped = parse(log)
    for flavour, test, assertion in problems:
        print(f"{flavour}: {test}\n    {assertion}")
    for line in skipped:
        print(f"skipped: {line}")
    if result is None:
        print("!! no test result line in the log: the run did not finish")
        return 1
    print(
        f"Odoo suites: {result['run']} tests run, {result['failed']} failed, "
        f"{result['errors']} error(s), {len(skipped)} skipped"
    )
    return 1 if result["failed"] or result["errors"] or problems or not result["run"] else 0


if __name__ == "__main__":
    if sys.argv[1] == "--failed-tags":
        sys.exit(failed_tags(sys.argv[2]))
    sys.exit(main(*sys.argv[1:]))
