"""The administrator's console: clinician accounts only (Django's user admin, staff only).

Clinical records are deliberately not registered: an administrator manages who can sign in,
not what is in a client's record (that goes through the clinic's pages and services).
"""
