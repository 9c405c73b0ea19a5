"""django-allauth strings whose shipped German spells "ß"; our catalogue gives the Swiss "ss".

Marked here so that `makemessages` keeps them in `locale/de` (catalogues in LOCALE_PATHS
win over allauth's own).
"""

from django.utils.translation import gettext_noop

ALLAUTH_STRINGS = (
    gettext_noop(
        "We have sent an email to you for verification. Follow the link provided to finalize "
        "the signup process. If you do not see the verification email in your main inbox, "
        "check your spam folder. Please contact us if you do not receive the verification "
        "email within a few minutes."
    ),
    gettext_noop(
        "If you do not recognize this change then please take proper security precautions "
        "immediately. The change to your account originates from:\n\n- IP address: %(ip)s\n"
        "- Browser: %(user_agent)s\n- Date: %(timestamp)s"
    ),
)
