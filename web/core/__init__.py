"""The app's plumbing, which every blueprint and command may use: configuration from the environment, the
database session of a request or command, Alembic migrations, the refusals of input no view can use, the
template filters (Chinese dates), and sign-in and CSRF.

May use: workflows/ and engine/; never a blueprint or shared/.
"""
