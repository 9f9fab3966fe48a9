"""The questionnaire a patient answers before a visit: which visits get one, when it is sent, what it asks.

Pure rules (floor 0) over the measures' definitions (``booking.measures``): ``answers`` reads what was typed into
stored answers, ``timing`` says who is asked and when.
"""
