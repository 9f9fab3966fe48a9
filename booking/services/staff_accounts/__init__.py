"""Staff accounts: passwords, sign-in and its lock, sessions, the second factor, resets, turning logins off."""
