"""The working-day calendar the office keeps: official holidays (休) and make-up workdays (调休 上班).

Two layers. The base is the chinese-calendar package's tables (the State Council's notices up to the last year
the package knows, 2026 for 1.11); above it, the office's own days (`calendar_day`) win, entered on the
calendar page or imported from the yearly notice (`flask --app web calendar import FILE`). A year the package
does not know counts as known once the office marks it complete (an import does); days of an unknown year are
taken Monday to Friday with a warning (see book.py). Owns the calendar tables. May use nothing of workflows/.
"""
