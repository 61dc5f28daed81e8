"""Reads pytest's JUnit XML files and prints the one summary line of bin/test.

Fails (exit 1) when a test failed or errored, when a test was skipped (a POS
tour without a browser, say), when nothing ran, or when one of the addons had
no executed Odoo test: a run that silently skipped something is not a passing
run.
"""

import sys
import xml.etree.ElementTree as ET

ADDONS = ("loyalty_lifecycle", "referral_program", "survey_nps")


def main(install_problems="0", *paths):
    """``paths``: the JUnit XML of each pytest run (the tests, the screenshots
    on the database with demo data)."""
    passed = failed = skipped = 0
    ran_per_addon = dict.fromkeys(ADDONS, 0)
    cases = []
    for path in paths or ("(none)",):
        try:
            cases.extend(ET.parse(path).getroot().iter("testcase"))
        except (OSError, ET.ParseError) as exc:
            print(f"no test report ({exc}): 0 passed, 1 failed")
            return 1
    for case in cases:
        kinds = {child.tag for child in case}
        if kinds & {"failure", "error"}:
            failed += 1
        elif "skipped" in kinds:
            skipped += 1
            continue
        else:
            passed += 1
        classname = case.get("classname", "")
        for addon in ADDONS:
            if f"{addon}.tests." in classname or classname.startswith(f"{addon}."):
                ran_per_addon[addon] += 1
    print("tests run per addon: " + ", ".join(f"{a} {n}" for a, n in ran_per_addon.items()))
    problems = []
    missing = [a for a, n in ran_per_addon.items() if not n]
    if missing:
        problems.append("no test ran for " + ", ".join(missing))
    if int(install_problems):
        problems.append(f"{install_problems} install(s) logged warnings or errors")
    for problem in problems:
        print(f"!! {problem}")
    failed += len(problems)
    print(f"{passed} passed, {failed} failed, {skipped} skipped")
    if skipped:
        print(f"!! {skipped} test(s) skipped: a skipped test is not a passed test")
    return 1 if failed or skipped or not passed else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
