#!/usr/bin/env python3
"""Builds an out-of-domain cross-check set from Debian's GTK and GLib translations.

The main evaluation set (build_eval_set.py) is the UDHR: the stage's group model was
trained on other articles of the same declarations. This set checks the stage on a
different kind of text, user-interface messages, from the translation catalogs of
Debian packages (`apt-get download` into a temporary directory, `dpkg-deb -x`,
`msgunfmt`). Debian's catalogs have no Somali or Hausa sentences and almost no Urdu
or Tajik for these packages, which is why they are not the main set. They have no Dari
either: Dari comes from the fa_AF catalogs of other packages (DARI_PACKAGES), without
the messages written word for word as in the Persian catalog of the same package.

Messages are cleaned (format specifiers, mnemonics, markup dropped), messages of one
word and untranslated ones are skipped, and the rest are joined with ". " and cut
into snippets like the main set. English is the catalogs' msgids.

  python3 bench/language_eval/build_debian_set.py --out build/language_eval_debian
  build/bench/language_eval build/language_eval_debian/test.tsv
"""
import argparse
import pathlib
import re
import subprocess
import sys
import tempfile

sys.path.insert(0, str(pathlib.Path(__file__).parent))
import build_eval_set  # noqa: E402  (snippets, CAP, NO_SPACES)

PACKAGES = ["libgtk2.0-common", "libgtk-3-common", "libglib2.0-data"]
# Dari: GTK and GLib have no fa_AF catalog. These packages do (the Sugar learning activities, translated for
# OLPC's Afghanistan deployment; Roundcube; Kodi), each beside a Persian (fa, fa_IR) one for the same messages.
# They are read for Dari only, so the other languages' snippets stay the GTK and GLib ones.
DARI_PACKAGES = ["libsugarext-data", "sugar-browse-activity", "sugar-calculate-activity", "sugar-chat-activity",
                 "sugar-imageviewer-activity", "sugar-jukebox-activity", "sugar-log-activity",
                 "sugar-memorize-activity", "sugar-pippy-activity", "sugar-read-activity", "sugar-terminal-activity",
                 "sugar-write-activity", "command-not-found", "roundcube-core", "roundcube-plugins", "kodi-data"]
LOCALES = {
    "ar": "ar", "fa": "fa", "ps": "ps", "ur": "ur", "ug": "ug", "ru": "ru", "uk": "uk", "be": "be", "bg": "bg",
    "sr": "sr", "kk": "kk", "ky": "ky", "tg": "tg", "tt": "tt", "uz": "uz", "tr": "tr", "az": "az", "ku": "ku",
    "zh_CN": "zh", "zh_TW": "zh-Hant", "ja": "ja", "ko": "ko", "fr": "fr", "de": "de", "it": "it", "nl": "nl",
    "es": "es", "pt": "pt", "ro": "ro", "pl": "pl", "cs": "cs", "sv": "sv", "fi": "fi", "hu": "hu", "el": "el",
    "id": "id", "ms": "ms", "vi": "vi", "th": "th", "he": "he", "hi": "hi", "bn": "bn", "hy": "hy", "ka": "ka",
    "am": "am", "sw": "sw", "so": "so", "ha": "ha",
}
MIN_CHARS = 1500  # languages with less translated text are left out (and listed)
CLEAN = [(re.compile(r"%(\d+\$)?[-+ #0]*\d*(\.\d+)?[hlLqjzt]*[a-zA-Z%]"), " "), (re.compile(r"<[^>]*>"), " "),
         (re.compile(r"[_&](?=\w)"), ""), (re.compile(r"\\[nt]"), " "), (re.compile(r"\s+"), " ")]


def messages(mo):
    """(msgid, msgstr) pairs of a compiled catalog, via msgunfmt (not the header)."""
    po = subprocess.run(["msgunfmt", str(mo)], check=True, capture_output=True, text=True).stdout
    return [(msgid, msgstr) for _, msgid, msgstr in po_entries(po) if msgid]


def po_entries(po):
    """(msgctxt, msgid, msgstr) of each entry of a catalog's text; of a plural entry, msgstr[0]."""
    entries, cur, key = [], {}, None
    for line in po.splitlines():
        m = re.match(r'^(msgctxt|msgid|msgstr)(?:\[0\])? "(.*)"$', line)
        if m:
            key = m.group(1)
            if key != "msgstr" and "msgstr" in cur:  # a new entry begins
                entries.append((cur.get("msgctxt", ""), cur.get("msgid", ""), cur["msgstr"]))
                cur = {}
            cur[key] = m.group(2)
        elif line.startswith('"') and key:
            cur[key] += line[1:-1]
        elif line.startswith("msgid_plural") or line.startswith("msgstr["):
            key = None
    if "msgstr" in cur:
        entries.append((cur.get("msgctxt", ""), cur.get("msgid", ""), cur["msgstr"]))
    return entries


ROUNDCUBE = re.compile(r"""\$(?:labels|messages)\['([^']+)'\]\s*=\s*(?:'((?:[^'\\]|\\.)*)'|"((?:[^"\\]|\\.)*)")""")


def roundcube_messages(inc):
    """(key, text) pairs of a Roundcube localization file ($labels['key'] = 'text' or "text"), with its $name
    placeholders dropped."""
    pairs = []
    for key, single, double in ROUNDCUBE.findall(inc.read_text(encoding="utf-8")):
        text = re.sub(r"\\(.)", r"\1", single or double)
        pairs.append((key, re.sub(r"\$\w+", " ", text)))
    return pairs


def kodi_messages(po):
    """((msgctxt, msgid), msgstr) pairs of a Kodi strings.po: one msgid can stand under several contexts."""
    return [((ctxt, msgid), msgstr) for ctxt, msgid, msgstr in po_entries(po.read_text(encoding="utf-8")) if msgid]


def dari_texts(root):
    """Dari messages of the fa_AF catalogs, less those written word for word as in the Persian catalog of the same
    package (fa or fa_IR). Returns the messages, how many were left out as Persian, and the Dari catalogs that have
    no Persian one (their messages are all kept)."""
    catalogs = []  # (Dari catalog, its Persian counterparts, reader)
    for mo in sorted(root.glob("usr/share/locale/fa_AF/LC_MESSAGES/*.mo")):
        catalogs.append((mo, [mo.parents[2] / loc / "LC_MESSAGES" / mo.name for loc in ("fa", "fa_IR")], messages))
    roundcube = root / "usr/share/roundcube"
    for inc in sorted(roundcube.glob("**/fa_AF.inc")) + sorted(roundcube.glob("**/fa_AF/*.inc")):
        persian = inc.with_name("fa_IR.inc") if inc.name == "fa_AF.inc" else inc.parent.with_name("fa_IR") / inc.name
        catalogs.append((inc, [persian], roundcube_messages))
    for po in sorted(root.glob("usr/share/kodi/**/resource.language.fa_af/**/strings.po")):
        parts = list(po.parts)
        parts[parts.index("resource.language.fa_af")] = "resource.language.fa_ir"
        catalogs.append((po, [pathlib.Path(*parts)], kodi_messages))
    texts, same, alone = [], 0, []
    for dari, persian, read in catalogs:
        fa = {}
        for p in persian:
            if p.exists():
                fa.update({k: clean(v) for k, v in read(p)})
        if not fa:
            alone.append(str(dari.relative_to(root)))
        for key, msgstr in read(dari):
            text = clean(msgstr)
            if not key or not msgstr or msgstr == key or len(text.split()) < 2:
                continue
            if fa.get(key) == text:
                same += 1
                continue
            texts.append(text)
    return texts, same, alone


def clean(text):
    for pattern, repl in CLEAN:
        text = pattern.sub(repl, text)
    return text.strip(" .:")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default="build/language_eval_debian")
    args = ap.parse_args()
    out = pathlib.Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    texts = {}
    with tempfile.TemporaryDirectory() as tmp:
        root, dari_root = pathlib.Path(tmp) / "root", pathlib.Path(tmp) / "dari"
        for packages, into in ((PACKAGES, root), (DARI_PACKAGES, dari_root)):
            debs = pathlib.Path(tmp) / into.name
            debs.mkdir()
            subprocess.run(["apt-get", "download", "-q", *packages], cwd=debs, check=True, stdout=subprocess.DEVNULL)
            for deb in sorted(debs.glob("*.deb")):
                subprocess.run(["dpkg-deb", "-x", str(deb), str(into / "x")], check=True)
        root, dari_root = root / "x", dari_root / "x"
        texts["prs"], same_as_persian, alone = dari_texts(dari_root)
        print(f"Dari: {len(set(texts['prs']))} distinct messages; {same_as_persian} left out, written as in the "
              f"Persian catalog; {len(alone)} catalogs without a Persian one: {' '.join(alone) or 'none'}")
        for mo in sorted(root.glob("usr/share/locale/*/LC_MESSAGES/*.mo")):
            locale = mo.parts[-3]
            for msgid, msgstr in messages(mo):
                if locale == "fr":  # one catalog set's msgids stand for English
                    en = clean(msgid)
                    if len(en.split()) >= 2:
                        texts.setdefault("en", []).append(en)
                lang = LOCALES.get(locale)
                if not lang or not msgstr or msgstr == msgid:
                    continue
                text = clean(msgstr)
                if len(text.split()) >= 2 or (lang in build_eval_set.NO_SPACES and len(text) >= 6):
                    texts.setdefault(lang, []).append(text)
    rows, skipped = [], []
    for lang in sorted(texts):
        joined = ". ".join(dict.fromkeys(texts[lang]))  # de-duplicated, in catalog order
        if len(joined) < MIN_CHARS:
            skipped.append(f"{lang}({len(joined)})")
            continue
        for length in build_eval_set.LENGTHS:
            pieces = build_eval_set.snippets(joined, length, lang not in build_eval_set.NO_SPACES)
            rows += [(length, lang, p) for p in pieces[: build_eval_set.CAP[length]]]
    with open(out / "test.tsv", "w", encoding="utf-8") as f:
        for length, lang, text in rows:
            f.write(f"{length}\t{lang}\t{text}\n")
    langs = sorted({lang for _, lang, _ in rows})
    print(f"{len(langs)} languages, {len(rows)} snippets -> {out}; too little text: {' '.join(skipped) or 'none'}")
    print("languages:", " ".join(langs))


if __name__ == "__main__":
    main()
