"""The waitlist's services: joining and leaving (``entries``), the times that open (``openings``), offering them
(``offering``), claiming an offer (``claims``), the clinic's view (``overview``) and the links (``links``).

Import the modules directly (``from booking.services.waitlist import offering``); the pure rules they apply
(who fits an opening, in what order, the claim window) are ``booking.waitlist``'s.
"""
