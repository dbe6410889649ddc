from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError

from awards.models import Category

from . import imports


class ImportUploadForm(forms.Form):
    category = forms.ChoiceField(label="类别", choices=Category.choices, initial=Category.INDIVIDUAL)
    file = forms.FileField(
        label="Excel 文件（.xlsx）",
        help_text=f"使用本页下载的导入模板填写，不超过 {imports.MAX_UPLOAD_BYTES // 1024 // 1024} MB。",
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx," + imports.XLSX_CONTENT_TYPE}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        head = upload.read(8)
        upload.seek(0)
        try:
            imports.sniff_upload(upload.name, head, upload.size)
        except imports.ImportFileError as exc:
            raise ValidationError(exc.message) from exc
        return upload
