"""Accounts: users (one unit, one role each), signing in with throttling, API tokens, the office's administration
of users and of vague groups' members, and the Actor every package checks.

May use: directory/.
"""
