"""Every user-facing string of the three addons reads in Russian and in Ukrainian.

The strings are those Odoo's own exporter finds today (``--i18n-export``, what
``bin/i18n`` writes into each ``.pot``): Python ``_()``, the POS templates, field
labels and help, selections, views, menus, actions and data records. A string
counts as translated only where Odoo would load its translation: a non-empty
msgstr in ``<addon>/i18n/<lang>.po``, at a place the ``.pot`` lists (Odoo reads
each ``.po`` merged with the ``.pot`` and drops what the ``.pot`` lacks).
"""

import ast
import re
from pathlib import Path

import polib

from odoo.modules.module import get_module_path
from odoo.tests import TransactionCase, tagged
from odoo.tools.translate import (
    JAVASCRIPT_TRANSLATION_COMMENT,
    PYTHON_TRANSLATION_COMMENT,
    PoFileReader,
    TranslationModuleReader,
)

ADDONS = ("loyalty_lifecycle", "referral_program", "survey_nps")
LANGS = ("ru", "uk")
# What a translation must keep from its source: Python format placeholders,
# inline-template expressions ({{ }}, ${}) and QWeb expressions.
PLACEHOLDER = re.compile(r"%%|%(?:\([^)]*\))?[sdirf]|\{\{.*?\}\}|\$\{.*?\}|\bt-[\w-]+=\"[^\"]*\"")
HOW_TO_FIX = (
    "Regenerate the .pot with bin/i18n (after bin/test), merge it with "
    "`msgmerge --update --no-fuzzy-matching <addon>/i18n/<lang>.po <addon>/i18n/<addon>.pot` "
    "and fill in the empty msgstr."
)


def _term_key(term_type, name, res_id, src, comments):
    """Where Odoo looks a translation up: code terms by their source in Python
    or in JavaScript; record terms by model, field and external id."""
    if term_type == "code":
        side = "js" if JAVASCRIPT_TRANSLATION_COMMENT in comments else "py"
        return ("code", side, src)
    return (term_type, name, res_id, src)


@tagged("post_install", "-at_install")
class TestTranslations(TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # {addon: {key: src}} of the strings Odoo's exporter finds in the code and data
        cls.current = {addon: {} for addon in ADDONS}
        for module, term_type, name, res_id, src, _value, comments in TranslationModuleReader(
            cls.env.cr, modules=list(ADDONS)
        ):
            if module in cls.current:
                cls.current[module][_term_key(term_type, name, res_id, src, comments)] = src

    def _po_path(self, addon, lang):
        return Path(get_module_path(addon)) / "i18n" / f"{lang}.po"

    def _loaded_translations(self, path):
        """The keys of the non-empty translations Odoo loads from this file."""
        keys = set()
        for row in PoFileReader(str(path)):
            if not row["value"]:
                continue
            if row["type"] == "code":
                comments = row["comments"]
                if PYTHON_TRANSLATION_COMMENT in comments:
                    keys.add(("code", "py", row["src"]))
                if JAVASCRIPT_TRANSLATION_COMMENT in comments:
                    keys.add(("code", "js", row["src"]))
            else:
                keys.add(_term_key(row["type"], row["name"], f"{row['module']}.{row['imd_name']}", row["src"], ""))
        return keys

    def test_every_string_is_translated_into_russian_and_ukrainian(self):
        report = []
        for addon in ADDONS:
            self.assertGreater(len(self.current[addon]), 10, f"no strings found for {addon}")
            for lang in LANGS:
                path = self._po_path(addon, lang)
                if not path.exists():
                    report.append(f"{addon}/i18n/{lang}.po is missing")
                    continue
                entries = [e for e in polib.pofile(str(path)) if e.msgstr and not e.obsolete]
                # Odoo loads a fuzzy msgstr as it is, but it is only msgmerge's guess
                fuzzy = {e.msgid for e in entries if e.fuzzy}
                in_file = {e.msgid for e in entries} - fuzzy
                loaded = self._loaded_translations(path)
                missing = sorted({src for key, src in self.current[addon].items() if key not in loaded or src in fuzzy})
                if missing:
                    report.append(f"{addon}/i18n/{lang}.po: {len(missing)} string(s) without a translation:")
                    report.extend(
                        f"    msgid {src!r}"
                        + ("  (fuzzy: check the msgstr, then drop the fuzzy flag)" if src in fuzzy else "")
                        + ("  (translated, but the .pot does not list it here)" if src in in_file else "")
                        for src in missing
                    )
        if report:
            self.fail("\n".join(["", *report, HOW_TO_FIX]))

    def test_translations_keep_the_placeholders(self):
        report = []
        for addon in ADDONS:
            for lang in LANGS:
                path = self._po_path(addon, lang)
                if not path.exists():
                    continue
                for entry in polib.pofile(str(path)):
                    if not entry.msgstr or entry.obsolete:
                        continue
                    expected = sorted(PLACEHOLDER.findall(entry.msgid))
                    found = sorted(PLACEHOLDER.findall(entry.msgstr))
                    if expected != found:
                        report.append(
                            f"{addon}/i18n/{lang}.po: msgid {entry.msgid!r}\n"
                            f"    msgstr {entry.msgstr!r}\n    keeps {found}, the source has {expected}"
                        )
        if report:
            self.fail("\n".join(["", *report]))

    def test_every_python_string_reaches_the_pot(self):
        """A _() nested in the arguments of another _() is invisible to the
        exporter, so it never gets a translation: call it beforehand."""
        report = []
        for addon in ADDONS:
            exported = {key[2] for key in self.current[addon] if key[:2] == ("code", "py")}
            addon_dir = Path(get_module_path(addon))
            for path in sorted(addon_dir.rglob("*.py")):
                for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                    if (
                        isinstance(node, ast.Call)
                        and isinstance(node.func, ast.Name)
                        and node.func.id in ("_", "_lt")
                        and node.args
                        and isinstance(node.args[0], ast.Constant)
                        and isinstance(node.args[0].value, str)
                        and len(re.sub(r"\W+", "", node.args[0].value.strip())) > 1
                        and node.args[0].value not in exported
                    ):
                        report.append(f"{path.relative_to(addon_dir.parent)}:{node.lineno}: {node.args[0].value!r}")
        if report:
            self.fail("\n".join(["not exported for translation:", *report]))
