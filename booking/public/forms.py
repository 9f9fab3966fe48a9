"""The contact form."""

from __future__ import annotations

from wtforms import EmailField, StringField, TelField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from booking.clinic.limits import EMAIL_LENGTH, MESSAGE_LENGTH, MESSAGE_MIN_LENGTH, NAME_LENGTH, PHONE_LENGTH
from booking.clinic.validators import email_address, phone_number, stripped
from booking.forms import ClinicForm


class ContactForm(ClinicForm):
    """"Send us a message"."""

    name = StringField("Your name", validators=[DataRequired("Enter your name."), Length(max=NAME_LENGTH)])
    email = EmailField("Email address", validators=[DataRequired("Enter your email address so we can reply."),
                                                    Length(max=EMAIL_LENGTH), email_address])
    phone = TelField("Phone number (optional)", filters=[stripped],
                     validators=[Optional(), Length(max=PHONE_LENGTH), phone_number])
    message = TextAreaField("Your message", validators=[
        DataRequired("Write your message."),
        Length(min=MESSAGE_MIN_LENGTH, max=MESSAGE_LENGTH,
               message=f"Write between {MESSAGE_MIN_LENGTH} and {MESSAGE_LENGTH:,} characters."),
    ])
