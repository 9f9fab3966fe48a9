"""The demo clinic's patients: realistic names and contact details, what their screenings answered, and
whether one already has a visit (how seeding again knows what it did).

The people are made from first and last names by a random generator of their own with a fixed
seed, so that every seeding makes the same people in the same order. Their addresses are at
reserved domains and their phone numbers in the 555-01xx range kept for fiction: nobody real
is ever written to or called.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Mapping
from dataclasses import dataclass

from sqlalchemy import select

from booking.extensions import db
from booking.models import Appointment, Patient

FIRST_NAMES = (
    "Olivia", "Liam", "Emma", "Noah", "Charlotte", "Lucas", "Amelia", "Ethan", "Ava", "Benjamin", "Sophie",
    "Jacob", "Chloe", "William", "Maya", "Owen", "Hannah", "Nathan", "Grace", "Ryan", "Zoe", "Dylan", "Leah",
    "Carter", "Isabelle", "Hunter", "Madison", "Logan", "Abigail", "Mason", "Aaliyah", "Jasmine", "Arjun",
    "Harpreet", "Simran", "Rohan", "Fatima", "Omar", "Yusuf", "Amira", "Wei", "Jun", "Min-jun", "Ji-woo",
    "Thi Hoa", "Minh", "Maria", "Jose", "Gabriel", "Camila", "Mateo", "Valentina", "Chinedu", "Amara",
    "Kwame", "Ifeoma", "Dmitri", "Anastasia", "Bogdan", "Kateryna", "Marc-Andre", "Genevieve", "Mathieu",
    "Aurelie", "Tyler", "Brooke", "Colton", "Kayla", "Brent", "Shannon", "Darren", "Tanya", "Gordon", "Linda",
    "Douglas", "Patricia", "Raymond", "Sharon", "Harold", "Margaret",
)
LAST_NAMES = (
    "Smith", "Brown", "Tremblay", "Martin", "Roy", "Wilson", "MacDonald", "Gagnon", "Johnson", "Taylor",
    "Campbell", "Anderson", "Leblanc", "Lee", "Wong", "Chan", "Nguyen", "Tran", "Kim", "Park", "Singh",
    "Gill", "Sidhu", "Grewal", "Sandhu", "Brar", "Patel", "Shah", "Khan", "Ahmed", "Ali", "Hassan",
    "Santos", "Reyes", "Garcia", "Cruz", "Okonkwo", "Adeyemi", "Mensah", "Kovalenko", "Shevchenko",
    "Hrynchuk", "Kowalski", "Nowak", "Schmidt", "Friesen", "Penner", "Wiebe", "Yellowhorn", "Many Grey Horses",
    "Crowchild", "Laboucane", "Desjarlais", "Cardinal", "Morin", "Lavallee", "Bergeron", "Fraser", "Murray",
    "Stewart", "Robertson", "McKenzie", "Sutherland", "O'Brien", "Kelly", "Byrne", "Rossi", "Ferrari",
    "Haddad", "Nasser",
)
DOMAINS = ("example.com", "example.net", "example.org")  # reserved: mail to them never reaches anyone
AREA_CODES = ("403", "587", "825", "780", "368")  # Alberta's
FIRST_NUMBER = 110  # 555-0110 on: the named demo patients have the numbers below it
NUMBERS = 90  # 555-0110 to 555-0199
NO_EMAIL_EVERY = 12  # one caller in so many gave the front desk no email address
PEOPLE_SEED = 1604

# What each kind of visit's patients answered, the more usual first (each drawn with the weight beside it).
# A massage patient may report a caution; a pregnant patient goes only to a therapist trained in prenatal massage.
ANSWERS: Mapping[str, tuple[tuple[dict[str, object], int], ...]] = {
    "physiotherapy": (
        ({"concerns": ["chronic_pain"]}, 5),
        ({"concerns": ["injury_rehab"]}, 6),
        ({"concerns": ["post_surgery"], "weeks_since_surgery": 10}, 2),
        ({"concerns": ["mobility_limitation"]}, 2),
        ({"concerns": ["neurological"]}, 1),
        ({"concerns": ["exercise_program"]}, 2),
    ),
    "massage": (
        ({"concerns": ["muscle_tension"]}, 6),
        ({"concerns": ["stress_relief"]}, 3),
        ({"concerns": ["tension_headache"]}, 2),
        ({"concerns": ["minor_strain"]}, 2),
        ({"concerns": ["relaxation"]}, 3),
        ({"concerns": ["muscle_tension"], "precautions": ["anticoagulants"]}, 1),
        ({"concerns": ["relaxation"], "precautions": ["osteoporosis"]}, 1),
        ({"concerns": ["stress_relief"], "precautions": ["cancer_treatment"]}, 1),
        ({"concerns": ["muscle_tension"], "precautions": ["pregnancy"]}, 2),
    ),
}


@dataclass(frozen=True)
class Person:
    """A demo patient: a name, an email address (None for a caller who gave none) and a phone number."""

    name: str
    email: str | None
    phone: str


def _address(name: str, domain: str) -> str:
    """An email address made of the name ("Many Grey Horses" gives many.grey.horses, "O'Brien" obrien)."""
    plain = "".join(letter for letter in name.lower() if letter.isalnum() or letter in " -")
    return ".".join(plain.replace("-", " ").split()) + "@" + domain


def people(taken: frozenset[str] = frozenset()) -> Iterator[Person]:
    """The demo's patients, always the same ones in the same order (the first with an email address), none named
    as one in ``taken``."""
    chooser = random.Random(PEOPLE_SEED)
    names = [f"{first} {last}" for first in FIRST_NAMES for last in LAST_NAMES]
    chooser.shuffle(names)
    for number, name in enumerate(name for name in names if name not in taken):
        phone = f"{AREA_CODES[number % len(AREA_CODES)]}-555-0{FIRST_NUMBER + number // len(AREA_CODES) % NUMBERS}"
        email = None if number % NO_EMAIL_EVERY == NO_EMAIL_EVERY - 1 else _address(name, chooser.choice(DOMAINS))
        yield Person(name, email, phone)


def has_visit(email: str | None) -> bool:
    """Whether the demo patient with this email already has a visit."""
    return db.session.scalar(
        select(Appointment.id).join(Patient).where(Patient.email == email).limit(1)) is not None
