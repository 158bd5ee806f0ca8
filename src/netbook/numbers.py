"""Numbers, number words, ranges and months as the sources print them: the one reader.

Every module that reads a number from text reads it here, so that two modules never
disagree on what a text prints. A number as printed is a run of digits with optional
groups after a comma or a full stop: "7", "17.8", "29,924", "1,234.5". Each such token is
read once, one way (:func:`readings`); a caller that needs a narrower view (the coverage's
"printed numbers" leave out identifiers like "G2" or "5-HIAA") filters the
:class:`Number` objects of :func:`numbers_in` by their context instead of writing a
second regular expression for digits.

Also here: the one list of number words ("Seventeen", "thirty", "twenty-one"), ranges
("10 to 15", "15-20"), months ("05/2017", "2017-05", "December 2019") and the one
whitespace normaliser.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass

# A number as printed: digits, then any groups of digits after a comma or a full stop.
# A trailing "." or "," is punctuation ("up to 60%."), never part of the number.
NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
# A word that may be a number word; :func:`word_value` decides whether it is one.
_WORD = re.compile(r"\b[A-Za-z]+\b")
# A word at the start of a text, a hyphenated cardinal whole ("Twenty-one patients").
_LEADING_WORD = re.compile(r"[A-Za-z]+(?:-[A-Za-z]+)?\b")
# Between the two ends of a range: "10 to 15", "15-20", "65–95".
_RANGE_SEPARATOR = re.compile(r"\s*(?:to|-|–)\s*")
# Where a number's range continues: "-20" in "15-20%" (hyphen or en dash only: "to" is
# read by :func:`parse_range`, not as a number glued to its unit).
_RANGE_TAIL = re.compile(r"\s*[-–]\s*")
# A month printed as month/year ("05/2017", "5/2017") or year-month ("2017-05").
_MONTH_SLASH_YEAR = re.compile(r"(\d{1,2})/(\d{4})")
_YEAR_DASH_MONTH = re.compile(r"(\d{4})-(\d{2})")
# A month printed by name, possibly abbreviated, before its year ("Dec. 2019", "May, 2017").
_NAMED_MONTH_YEAR = re.compile(r"([A-Za-z]+)\.?,? (\d{4})")
# The month/year form as the case report prints it in running text: two-digit month.
_PRINTED_MONTH = re.compile(r"\b\d{2}/\d{4}\b")

#: The cardinals written out, zero to nineteen, then the tens: the one word list.
CARDINALS: dict[str, int] = {
    w: i
    for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
        "fifteen sixteen seventeen eighteen nineteen".split()
    )
} | {w: 10 * i for i, w in enumerate("twenty thirty forty fifty sixty seventy eighty ninety".split(), 2)}
#: Words that print a number without being a count of their own ("a dozen", "half of").
OTHER_NUMBER_WORDS: dict[str, float] = {"hundred": 100, "thousand": 1000, "dozen": 12, "half": 0.5}


def normalise_whitespace(text: str) -> str:
    """Collapse every run of whitespace (line breaks included) to one space, trim the ends."""
    return " ".join(text.split())


def readings(token: str) -> set[float]:
    """The values a printed number token can stand for.

    "29,924" is twenty-nine thousand nine hundred and twenty-four; "1,5" may also be a
    decimal comma (a comma with other than three digits after it), so both readings are
    kept and matching never guesses wrongly. A token with two full stops ("4722.2016.37",
    a DOI's tail) is no number anyone can read: no reading.
    """
    found = {float(token.replace(",", ""))} if token.count(".") <= 1 else set()
    parts = token.split(",")
    if len(parts) == 2 and len(parts[1]) != 3 and "." not in token:
        found.add(float(token.replace(",", ".")))
    return found


def cardinal(word: str) -> int | None:
    """A cardinal written out ("Seventeen", "thirty", "twenty-one") as its value, else None."""
    word = word.casefold()
    if word in CARDINALS:
        return CARDINALS[word]
    tens, _, unit = word.partition("-")
    if tens in CARDINALS and CARDINALS[tens] >= 20 and 1 <= CARDINALS.get(unit, 0) <= 9:
        return CARDINALS[tens] + CARDINALS[unit]
    return None


def word_value(word: str) -> float | None:
    """A number word's value: a cardinal, or "hundred", "thousand", "dozen", "half"; else None."""
    value = cardinal(word)
    return float(value) if value is not None else OTHER_NUMBER_WORDS.get(word.casefold())


@dataclass(frozen=True)
class Number:
    """A number printed in a text: the token as printed and where it stands."""

    text: str  # as printed: "29,924", "17.8", "Seventeen"
    start: int
    end: int

    @property
    def is_word(self) -> bool:
        return not self.text[0].isdigit()

    @property
    def readings(self) -> set[float]:
        """Every value the token can stand for (see :func:`readings`)."""
        if self.is_word:
            return {word_value(self.text)}
        return readings(self.text)

    @property
    def value(self) -> float | None:
        """The reading with commas as thousands separators ("29,924" -> 29924.0); a word's
        value; None for a token no one can read as one number ("4722.2016.37")."""
        if self.is_word:
            return word_value(self.text)
        return float(self.text.replace(",", "")) if self.text.count(".") <= 1 else None

    @property
    def decimals(self) -> int:
        """Digits after the decimal point as printed ("17.80" -> 2), the precision of the value."""
        return len(self.text.partition(".")[2]) if "." in self.text else 0


def numbers_in(text: str, words: bool = False) -> list[Number]:
    """Every number a text prints, in order; with ``words``, number words as well.

    Each digit token is the longest run ``NUMBER`` matches ("29,924" is one number, not
    29 and 924). Number words are whole words of :data:`CARDINALS` or
    :data:`OTHER_NUMBER_WORDS`; "twenty-one" gives "twenty" and "one" (use
    :func:`cardinal` to read a hyphenated cardinal as one).
    """
    found = [Number(m.group(0), m.start(), m.end()) for m in NUMBER.finditer(text)]
    if words:
        found += [
            Number(m.group(0), m.start(), m.end())
            for m in _WORD.finditer(text)
            if word_value(m.group(0)) is not None
        ]
        found.sort(key=lambda n: n.start)
    return found


def number_values(text: str) -> set[float]:
    """All readings of all (digit) numbers a text prints."""
    return {value for number in numbers_in(text) for value in number.readings}


def number_at_start(text: str) -> Number | None:
    """The number (digits or a number word) a text starts with, after leading whitespace:
    "29,924 µg/L" -> 29,924; "Seventeen patients" -> Seventeen; else None."""
    start = len(text) - len(text.lstrip())
    digits = NUMBER.match(text, start)
    if digits:
        return Number(digits.group(0), start, digits.end())
    word = _LEADING_WORD.match(text, start)
    if word and cardinal(word.group(0)) is not None:
        return Number(word.group(0), start, word.end())
    return None


def parse_number(token: str, words: bool = True) -> float:
    """One printed number, a whole token: "63", "2.5", "29,924" (commas separate
    thousands), and unless ``words`` is False a cardinal: "Seventeen", "thirty",
    "twenty-one". Raises ValueError for anything else, so nothing is guessed."""
    text = normalise_whitespace(str(token))
    if NUMBER.fullmatch(text) and text.count(".") <= 1:
        return float(text.replace(",", ""))
    value = cardinal(text) if words else None
    if value is not None:
        return float(value)
    raise ValueError(f"not a printed number: {token!r}")


def parse_range(text: str) -> tuple[float, float] | None:
    """A range printed as two numbers ("10 to 15", "10-15", "10 – 15") as (low, high);
    None when the text is not a range."""
    text = normalise_whitespace(str(text))
    ends = [n for n in numbers_in(text) if n.value is not None]
    if len(ends) != 2 or ends[0].start != 0 or ends[1].end != len(text):
        return None
    if not _RANGE_SEPARATOR.fullmatch(text, ends[0].end, ends[1].start):
        return None
    return ends[0].value, ends[1].value


def followed_by(text: str, end: int, unit: str) -> bool:
    """Is the number ending at ``end`` printed with ``unit`` after it, directly ("18%",
    "18 %") or after the high end of its range ("15-20%": 15 is printed with "%")?"""
    if text[end:].lstrip().startswith(unit):
        return True
    tail = _RANGE_TAIL.match(text, end)
    high = NUMBER.match(text, tail.end()) if tail else None
    return high is not None and text[high.end() :].lstrip().startswith(unit)


def month_number(name: str) -> int | None:
    """A month's number from its name or abbreviation ("December", "dec", "Sept" -> None)."""
    key = name.casefold().rstrip(".")
    for number in range(1, 13):
        if key in (calendar.month_name[number].casefold(), calendar.month_abbr[number].casefold()):
            return number
    return None


def parse_month(text: str) -> tuple[int, int]:
    """A month of a year as printed, as (year, month): "05/2017", "5/2017", "2017-05",
    "December 2019", "Dec. 2019", "May, 2017". Raises ValueError for anything else."""
    raw = normalise_whitespace(str(text))
    match = _MONTH_SLASH_YEAR.fullmatch(raw)
    if match:
        year, month = int(match.group(2)), int(match.group(1))
    elif match := _YEAR_DASH_MONTH.fullmatch(raw):
        year, month = int(match.group(1)), int(match.group(2))
    elif (match := _NAMED_MONTH_YEAR.fullmatch(raw)) and month_number(match.group(1)):
        year, month = int(match.group(2)), month_number(match.group(1))
    else:
        raise ValueError(f"not a printed month: {text!r}")
    if not 1 <= month <= 12:
        raise ValueError(f"not a month: {text!r}")
    return year, month


def month_forms(year: int, month: int) -> list[str]:
    """The ways the sources print a month of a year (each one :func:`parse_month` reads)."""
    name = calendar.month_name[month]
    return [
        f"{month:02d}/{year}",
        f"{month}/{year}",
        f"{year}-{month:02d}",
        f"{name} {year}",
        f"{name}, {year}",
        f"{name[:3]} {year}",
        f"{name[:3]}. {year}",
    ]


def printed_months(text: str) -> list[tuple[int, int]]:
    """The months a running text prints as MM/YYYY, as (year, month), in order of print."""
    return [parse_month(m.group(0)) for m in _PRINTED_MONTH.finditer(text)]
