"""The import form: the file is read, parsed and validated here, so that every problem with
it is shown at the upload field and nothing is stored."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler, SkipFile
from django.http import HttpRequest
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from pydantic import ValidationError as SchemaError

from planner.exports import schema

ERRORS_SHOWN = 5


def _where(location: tuple[int | str, ...]) -> str:
    return " › ".join(str(part) for part in location) or "(file)"


class SizeLimit(FileUploadHandler):
    """Stops keeping an upload once it passes the import limit, rather than writing a file
    of any size to disk first; the form then says it was too large."""

    def __init__(self, request: HttpRequest, limit: int) -> None:
        super().__init__(request)
        self.limit = limit
        self.too_large = False

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        if start + len(raw_data) > self.limit:
            self.too_large = True
            raise SkipFile
        return raw_data

    def file_complete(self, file_size: int) -> None:
        return None  # the next handler (memory or a temporary file) keeps it


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("Team export file (JSON)"),
        help_text=_("A file from “Download team data (JSON)” of this or another Planner."),
        widget=forms.FileInput(attrs={"accept": ".json,application/json"}),
    )

    def __init__(self, *args: Any, too_large: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.too_large = too_large
        if too_large:  # the upload was dropped on the way in: say why, not "required"
            self.fields["file"].required = False

    def clean_file(self) -> schema.TeamExport:
        upload = self.cleaned_data["file"]
        limit = settings.IMPORT_MAX_BYTES
        if self.too_large or upload.size > limit:
            raise forms.ValidationError(
                _("The file is larger than %(limit)s, the most that can be imported."),
                code="too_large",
                params={"limit": filesizeformat(limit)},
            )
        try:
            data: Any = json.loads(upload.read().decode("utf-8-sig"))
        # ValueError: broken JSON, or a number too long to read; RecursionError: nesting
        # deeper than the parser goes.
        except (UnicodeDecodeError, ValueError, RecursionError):
            raise forms.ValidationError(
                _("This is not a JSON file. Choose the file “Download team data” gave you."),
                code="not_json",
            ) from None
        if not isinstance(data, dict) or data.get("format") != schema.FORMAT:
            raise forms.ValidationError(
                _("This JSON file is not a Planner team export."), code="not_export"
            )
        if data.get("version") != schema.VERSION:
            raise forms.ValidationError(
                _(
                    "This export is of version %(version)s; this Planner reads version "
                    "%(supported)s."
                ),
                code="version",
                params={"version": data.get("version"), "supported": schema.VERSION},
            )
        try:
            return schema.TeamExport.model_validate(data)
        except SchemaError as error:
            problems = error.errors(include_url=False)
            lines = [f"{_where(p['loc'])}: {p['msg']}" for p in problems[:ERRORS_SHOWN]]
            message = _("The file does not fit the export format:")
            more = len(problems) - ERRORS_SHOWN
            raise forms.ValidationError(
                [forms.ValidationError(message, code="invalid")]
                + [forms.ValidationError(line, code="invalid") for line in lines]
                + (
                    [
                        forms.ValidationError(
                            _("… and %(count)s more."), code="invalid", params={"count": more}
                        )
                    ]
                    if more > 0
                    else []
                )
            ) from None
