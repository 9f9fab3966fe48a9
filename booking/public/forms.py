"""The contact form."""

from __future__ import annotations

from wtforms import EmailField, StringField, TelField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from booking.forms import ClinicForm
from booking.validators import EMAIL_LENGTH, NAME_LENGTH, PHONE_LENGTH, email_address, phone_number, stripped


class ContactForm(ClinicForm):
    """"Send us a message"."""

    name = StringField("Your name", validators=[DataRequired("Enter your name."), Length(max=NAME_LENGTH)])
    email = EmailField("Email address", validators=[DataRequired("Enter your email address so we can reply."),
                                                    Length(max=EMAIL_LENGTH), email_address])
    phone = TelField("Phone number (optional)", filters=[stripped],
                     validators=[Optional(), Length(max=PHONE_LENGTH), phone_number])
    message = TextAreaField("Your message", validators=[
        DataRequired("Write your message."),
        Length(min=10, max=2000, message="Write between 10 and 2,000 characters."),
    ])
