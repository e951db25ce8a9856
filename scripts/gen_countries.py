#!/usr/bin/env python3
"""Generates the taxonomy's countries (country/<iso2>) from Debian's iso-codes.

Reads /usr/share/iso-codes/json/iso_3166-1.json and every translation in
/usr/share/locale/*/LC_MESSAGES/iso_3166-1.mo, adds English demonyms and the
common short forms iso-codes lacks (EXTRA below), and writes one taxonomy YAML
file. Run by CMake at build time into <build>/taxonomy/countries.yaml; the
tagging stage reads it from tagging.generated_dir (docs/taxonomy.md).

Usage: gen_countries.py --output build/taxonomy/countries.yaml
"""
import argparse
import gettext
import glob
import json
import os
import re
import sys
import unicodedata

ISO_JSON = "/usr/share/iso-codes/json/iso_3166-1.json"
LOCALE_DIR = "/usr/share/locale"

# English demonyms and adjectives (matched capitalized: "Afghan", "AFGHAN", not "polish").
DEMONYMS = {
    "af": ["Afghan", "Afghans"], "al": ["Albanian", "Albanians"], "dz": ["Algerian", "Algerians"],
    "ao": ["Angolan", "Angolans"], "ar": ["Argentine", "Argentinian", "Argentines"], "am": ["Armenian", "Armenians"],
    "au": ["Australian", "Australians"], "at": ["Austrian", "Austrians"], "az": ["Azerbaijani", "Azeri", "Azerbaijanis"],
    "bh": ["Bahraini", "Bahrainis"], "bd": ["Bangladeshi", "Bangladeshis"], "by": ["Belarusian", "Belarusians"],
    "be": ["Belgian", "Belgians"], "bj": ["Beninese"], "bt": ["Bhutanese"], "bo": ["Bolivian", "Bolivians"],
    "ba": ["Bosnian", "Bosnians"], "bw": ["Botswanan", "Batswana"], "br": ["Brazilian", "Brazilians"],
    "bn": ["Bruneian"], "bg": ["Bulgarian", "Bulgarians"], "bf": ["Burkinabe", "Burkinabè"], "bi": ["Burundian", "Burundians"],
    "kh": ["Cambodian", "Cambodians"], "cm": ["Cameroonian", "Cameroonians"], "ca": ["Canadian", "Canadians"],
    "cf": ["Central African"], "td": ["Chadian", "Chadians"], "cl": ["Chilean", "Chileans"], "cn": ["Chinese"],
    "co": ["Colombian", "Colombians"], "km": ["Comorian", "Comorians"], "cd": ["Congolese"], "hr": ["Croatian", "Croats"],
    "cu": ["Cuban", "Cubans"], "cy": ["Cypriot", "Cypriots"], "cz": ["Czech", "Czechs"], "dk": ["Danish", "Danes"],
    "dj": ["Djiboutian", "Djiboutians"], "do": ["Dominican", "Dominicans"], "ec": ["Ecuadorian", "Ecuadorians"],
    "eg": ["Egyptian", "Egyptians"], "sv": ["Salvadoran", "Salvadorans"], "er": ["Eritrean", "Eritreans"],
    "ee": ["Estonian", "Estonians"], "et": ["Ethiopian", "Ethiopians"], "fj": ["Fijian", "Fijians"],
    "fi": ["Finnish", "Finns"], "fr": ["French"], "ga": ["Gabonese"], "gm": ["Gambian", "Gambians"],
    "ge": ["Georgian", "Georgians"], "de": ["German", "Germans"], "gh": ["Ghanaian", "Ghanaians"], "gr": ["Greek", "Greeks"],
    "gt": ["Guatemalan", "Guatemalans"], "gn": ["Guinean", "Guineans"], "ht": ["Haitian", "Haitians"],
    "hn": ["Honduran", "Hondurans"], "hu": ["Hungarian", "Hungarians"], "is": ["Icelandic", "Icelanders"],
    "in": ["Indian", "Indians"], "id": ["Indonesian", "Indonesians"], "ir": ["Iranian", "Iranians"],
    "iq": ["Iraqi", "Iraqis"], "ie": ["Irish"], "il": ["Israeli", "Israelis"], "it": ["Italian", "Italians"],
    "ci": ["Ivorian", "Ivorians"], "jm": ["Jamaican", "Jamaicans"], "jp": ["Japanese"], "jo": ["Jordanian", "Jordanians"],
    "kz": ["Kazakh", "Kazakhs", "Kazakhstani"], "ke": ["Kenyan", "Kenyans"], "kw": ["Kuwaiti", "Kuwaitis"],
    "kg": ["Kyrgyz", "Kirghiz"], "la": ["Laotian", "Lao"], "lv": ["Latvian", "Latvians"], "lb": ["Lebanese"],
    "ls": ["Basotho"], "lr": ["Liberian", "Liberians"], "ly": ["Libyan", "Libyans"], "lt": ["Lithuanian", "Lithuanians"],
    "lu": ["Luxembourgish"], "mg": ["Malagasy"], "mw": ["Malawian", "Malawians"], "my": ["Malaysian", "Malaysians"],
    "mv": ["Maldivian", "Maldivians"], "ml": ["Malian", "Malians"], "mt": ["Maltese"], "mr": ["Mauritanian", "Mauritanians"],
    "mu": ["Mauritian", "Mauritians"], "mx": ["Mexican", "Mexicans"], "md": ["Moldovan", "Moldovans"],
    "mn": ["Mongolian", "Mongolians"], "me": ["Montenegrin", "Montenegrins"], "ma": ["Moroccan", "Moroccans"],
    "mz": ["Mozambican", "Mozambicans"], "mm": ["Burmese"], "na": ["Namibian", "Namibians"],
    "np": ["Nepalese", "Nepali"], "nl": ["Dutch"], "nz": ["New Zealander", "New Zealanders"],
    "ni": ["Nicaraguan", "Nicaraguans"], "ne": ["Nigerien", "Nigeriens"], "ng": ["Nigerian", "Nigerians"],
    "kp": ["North Korean", "North Koreans"], "mk": ["Macedonian", "Macedonians"], "no": ["Norwegian", "Norwegians"],
    "om": ["Omani", "Omanis"], "pk": ["Pakistani", "Pakistanis"], "ps": ["Palestinian", "Palestinians"],
    "pa": ["Panamanian", "Panamanians"], "pg": ["Papua New Guinean"], "py": ["Paraguayan", "Paraguayans"],
    "pe": ["Peruvian", "Peruvians"], "ph": ["Filipino", "Filipinos", "Philippine"], "pl": ["Polish", "Poles"],
    "pt": ["Portuguese"], "qa": ["Qatari", "Qataris"], "ro": ["Romanian", "Romanians"], "ru": ["Russian", "Russians"],
    "rw": ["Rwandan", "Rwandans"], "sa": ["Saudi", "Saudis"], "sn": ["Senegalese"], "rs": ["Serbian", "Serbs"],
    "sl": ["Sierra Leonean", "Sierra Leoneans"], "sg": ["Singaporean", "Singaporeans"], "sk": ["Slovak", "Slovaks"],
    "si": ["Slovenian", "Slovenians"], "so": ["Somali", "Somalis", "Somalian"], "za": ["South African", "South Africans"],
    "kr": ["South Korean", "South Koreans"], "ss": ["South Sudanese"], "es": ["Spanish", "Spaniards"],
    "lk": ["Sri Lankan", "Sri Lankans"], "sd": ["Sudanese"], "se": ["Swedish", "Swedes"], "ch": ["Swiss"],
    "sy": ["Syrian", "Syrians"], "tw": ["Taiwanese"], "tj": ["Tajik", "Tajiks", "Tajikistani"],
    "tz": ["Tanzanian", "Tanzanians"], "th": ["Thai"], "tg": ["Togolese"], "tn": ["Tunisian", "Tunisians"],
    "tr": ["Turkish", "Turks"], "tm": ["Turkmen", "Turkmens"], "ug": ["Ugandan", "Ugandans"],
    "ua": ["Ukrainian", "Ukrainians"], "ae": ["Emirati", "Emiratis"], "gb": ["British", "Briton", "Britons"],
    "us": ["American", "Americans"], "uy": ["Uruguayan", "Uruguayans"], "uz": ["Uzbek", "Uzbeks", "Uzbekistani"],
    "ve": ["Venezuelan", "Venezuelans"], "vn": ["Vietnamese"], "ye": ["Yemeni", "Yemenis"], "zm": ["Zambian", "Zambians"],
    "zw": ["Zimbabwean", "Zimbabweans"], "cv": ["Cape Verdean"], "gw": ["Bissau-Guinean"], "gq": ["Equatoguinean"],
    "sz": ["Swazi"],
}

# Short forms the press uses that iso-codes does not carry, per language.
EXTRA = {
    "ru": {"en": ["Russia"], "ar": ["روسيا"], "fa": ["روسیه"], "ur": ["روس"], "ps": ["روسیه"], "zh": ["俄罗斯", "俄国"],
           "fr": ["Russie"], "ru": ["Россия", "России", "Россию", "Россией"]},
    "sy": {"en": ["Syria"], "ar": ["سوريا", "سورية"], "fa": ["سوریه"], "ur": ["شام"], "ps": ["سوریه"], "ru": ["Сирия", "Сирии"],
           "zh": ["叙利亚"], "fr": ["Syrie"]},
    "us": {"en": ["United States", "US", "U.S.", "USA", "U.S.A."], "ar": ["الولايات المتحدة", "أمريكا", "امريكا"],
           "fa": ["آمریکا", "امریکا"], "ur": ["امریکہ"], "ps": ["امریکا"], "ru": ["США"], "zh": ["美国"], "fr": ["États-Unis"]},
    "gb": {"en": ["UK", "U.K.", "Britain", "Great Britain"], "ar": ["بريطانيا"], "fa": ["بریتانیا", "انگلیس"],
           "ur": ["برطانیہ"], "ru": ["Великобритания", "Британия"], "zh": ["英国"], "fr": ["Royaume-Uni"]},
    "ir": {"en": ["Iran"], "ar": ["إيران", "ايران"], "fa": ["ایران"], "ur": ["ایران"], "ps": ["ایران"], "ru": ["Иран"],
           "zh": ["伊朗"], "fr": ["Iran"]},
    "iq": {"ar": ["العراق"], "fa": ["عراق"], "ur": ["عراق"], "ru": ["Ирак"], "zh": ["伊拉克"], "fr": ["Irak"]},
    "af": {"ar": ["أفغانستان"], "fa": ["افغانستان"], "ps": ["افغانستان"], "ru": ["Афганистан"], "zh": ["阿富汗"]},
    "pk": {"ar": ["باكستان"], "fa": ["پاکستان"], "ur": ["پاکستان"], "ps": ["پاکستان"], "ru": ["Пакистан"], "zh": ["巴基斯坦"]},
    "tj": {"ru": ["Таджикистан"], "fa": ["تاجیکستان"], "zh": ["塔吉克斯坦"]},
    "kr": {"en": ["South Korea"], "zh": ["韩国"]},
    "kp": {"en": ["North Korea"], "zh": ["朝鲜"]},
    "vn": {"en": ["Vietnam"]},
    "cd": {"en": ["DR Congo", "DRC", "Democratic Republic of the Congo", "Democratic Republic of Congo"],
           "fr": ["RDC", "République démocratique du Congo"]},
    "cg": {"en": ["Republic of the Congo", "Congo-Brazzaville"], "fr": ["Congo-Brazzaville"]},
    "ci": {"en": ["Ivory Coast"], "fr": ["Côte d'Ivoire"]},
    "cf": {"en": ["Central African Republic"], "fr": ["Centrafrique", "République centrafricaine"]},
    "ps": {"en": ["Palestine"], "ar": ["فلسطين"]},
    "cz": {"en": ["Czech Republic", "Czechia"]},
    "tr": {"en": ["Türkiye", "Turkey"], "ar": ["تركيا"], "ru": ["Турция"], "zh": ["土耳其"]},
    "mm": {"en": ["Burma"]},
    "la": {"en": ["Laos"]},
    "tz": {"en": ["Tanzania"]},
    "bo": {"en": ["Bolivia"]},
    "ve": {"en": ["Venezuela"]},
    "md": {"en": ["Moldova"]},
    "ae": {"en": ["UAE", "Emirates"], "ar": ["الإمارات"]},
    "sa": {"en": ["Saudi Arabia"], "ar": ["السعودية"], "fa": ["عربستان"]},
    "so": {"ar": ["الصومال"], "fr": ["Somalie"]},
    "ml": {"fr": ["Mali"]},
    "ne": {"fr": ["Niger"]},
    "bf": {"fr": ["Burkina"], "en": ["Burkina"]},
    "ye": {"ar": ["اليمن"], "fa": ["یمن"]},
    "lb": {"ar": ["لبنان"]},
    "il": {"ar": ["إسرائيل", "اسرائيل"], "fa": ["اسرائیل"]},
    "cn": {"ar": ["الصين"], "fa": ["چین"], "ur": ["چین"], "ru": ["Китай"], "zh": ["中国"]},
    "in": {"ar": ["الهند"], "fa": ["هند"], "ur": ["بھارت", "ہندوستان"], "ru": ["Индия"], "zh": ["印度"]},
    "ng": {"ar": ["نيجيريا"], "fr": ["Nigeria"], "ru": ["Нигерия"]},
    "ph": {"en": ["Philippines"], "fr": ["Philippines"]},
}

CASED = re.compile(r"[A-Za-zÀ-ɏͰ-ӿԀ-ԯ]")


# iso-codes' French writes "Christmas, Île" and "Salomon, Îles": the island word goes back in front
# ("Île Christmas"), or the bare "Christmas" and "Salomon" would tag a holiday and a surname.
ISLAND_WORDS = {"île", "îles"}


def clean_names(raw):
    """Splits 'Iran, Islamic Republic of' and 'Holy See (Vatican City State)' into names."""
    head, _, tail = raw.partition(",")
    if tail.strip().casefold() in ISLAND_WORDS:
        raw = tail.strip() + " " + head.strip()
    out = []
    for part in re.split(r"[()（）]", raw):
        part = re.split(r"[,،，]", part)[0].strip()
        if part:
            out.append(part)
    return out


def is_acronym(text):
    """US, UK, UAE, DRC, U.S.: matched only as written."""
    letters = [c for c in text if unicodedata.category(c).startswith("L")]
    return len(letters) <= 4 and all(c.isupper() for c in letters) and letters != [] and text.isascii()


def is_cased(text):
    return bool(CASED.search(text))


def too_short(text):
    letters = [c for c in text if unicodedata.category(c).startswith("L")]
    if not letters:
        return True
    if is_acronym(text):
        return len(letters) < 2
    if is_cased(text):
        return len(letters) < 4
    return len(letters) < 2


def lang_key(locale):
    key = locale.replace("@", "-")
    if key.startswith("zh_"):
        key = {"zh_CN": "zh", "zh_HK": "zh-HK", "zh_TW": "zh-TW"}.get(key, key)
    return key


def alias_entry(text, capitalized):
    if is_acronym(text):
        return "{text: %s, case: sensitive}" % json.dumps(text, ensure_ascii=False)
    if capitalized:
        return "{text: %s, case: capitalized}" % json.dumps(text, ensure_ascii=False)
    return json.dumps(text, ensure_ascii=False)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", required=True)
    parser.add_argument("--iso-json", default=ISO_JSON)
    parser.add_argument("--locale-dir", default=LOCALE_DIR)
    args = parser.parse_args()

    with open(args.iso_json, encoding="utf-8") as f:
        countries = json.load(f)["3166-1"]
    locales = sorted(
        os.path.basename(os.path.dirname(os.path.dirname(p)))
        for p in glob.glob(os.path.join(args.locale_dir, "*", "LC_MESSAGES", "iso_3166-1.mo")))
    translations = {}
    for loc in locales:
        try:
            translations[loc] = gettext.translation("iso_3166-1", localedir=args.locale_dir, languages=[loc])
        except OSError:
            continue

    lines = [
        "# Generated by scripts/gen_countries.py from iso-codes: do not edit.",
        "# Every ISO 3166-1 country with its names in every language iso-codes translates,",
        "# plus English demonyms and common short forms.",
        "entities:",
    ]
    for c in sorted(countries, key=lambda c: c["alpha_2"]):
        iso2 = c["alpha_2"].lower()
        english = c.get("common_name") or c["name"]
        fields = [c["name"], c.get("common_name"), c.get("official_name")]
        by_lang = {}  # lang -> [(text, capitalized)]
        seen = set()

        def add(lang, text, force_capitalized=None):
            text = unicodedata.normalize("NFC", text.strip())
            if not text or too_short(text):
                return
            key = text.casefold()
            if key in seen:
                return
            seen.add(key)
            cap = force_capitalized if force_capitalized is not None else (is_cased(text) and text[0].isupper())
            by_lang.setdefault(lang, []).append((text, cap))

        for field in fields:
            if not field:
                continue
            for name in clean_names(field):
                add("en", name)
        for loc, tr in translations.items():
            for field in fields:
                if not field:
                    continue
                translated = tr.gettext(field)
                if translated == field and not loc.startswith("en"):
                    continue
                for name in clean_names(translated):
                    add(lang_key(loc), name)
        for lang, names in EXTRA.get(iso2, {}).items():
            for name in names:
                add(lang, name)
        for name in DEMONYMS.get(iso2, []):
            add("en", name, force_capitalized=True)
        if not by_lang:
            continue
        lines.append("  - id: country/%s" % iso2)
        lines.append("    name: %s" % json.dumps(english, ensure_ascii=False))
        lines.append("    aliases:")
        for lang in sorted(by_lang):
            lines.append("      %s:" % json.dumps(lang))
            for text, cap in by_lang[lang]:
                lines.append("        - " + alias_entry(text, cap))
    os.makedirs(os.path.dirname(os.path.abspath(args.output)), exist_ok=True)
    tmp = args.output + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    os.replace(tmp, args.output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
