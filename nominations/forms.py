"""Forms read and parse input; the rules run in ``nominations.services`` / ``nominations.rules``.

The nomination forms follow the order of the official approval forms (DESIGN §6): 附件3 先进集体推荐
审批表 and 附件4 先进个人推荐审批表 (Chongqing numbering). They never save: the view hands
``cleaned_data`` to the service, which runs ``full_clean`` and the rules; a ``ValidationError`` it
raises is put back on the fields here (``errors_to_form``).
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError

from awards.models import Category
from core.uploads import clean_document, clean_photo
from orgs.models import Level, Organisation

from . import rules
from .models import Appraisal, Consultation, Honour, Nomination, UnitProcedure

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _bootstrap(form: forms.BaseForm) -> None:
    """Bootstrap classes on every widget (labels and errors are rendered by the templates)."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput | forms.CheckboxSelectMultiple):
            css = "form-check-input"
        elif isinstance(widget, forms.Select | forms.SelectMultiple):
            css = "form-select"
        elif isinstance(widget, forms.HiddenInput):
            continue
        else:
            css = "form-control"
        widget.attrs.setdefault("class", css)


def _mark_invalid(form: forms.BaseForm) -> None:
    for name in form.errors:
        if name not in form.fields:
            continue
        attrs = form.fields[name].widget.attrs
        if "is-invalid" not in attrs.get("class", ""):
            attrs["class"] = (attrs.get("class", "") + " is-invalid").strip()
        attrs["aria-invalid"] = "true"
        attrs["aria-describedby"] = f"{form[name].auto_id}-errors"


class StyledForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _bootstrap(self)

    def full_clean(self):
        super().full_clean()
        _mark_invalid(self)

    def add_error(self, field, error):
        super().add_error(field, error)
        _mark_invalid(self)


def errors_to_form(form: forms.BaseForm, error: ValidationError) -> None:
    """A model's ``ValidationError`` onto the form: on the field it names, or above the form."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, errors in error.error_dict.items():
        form.add_error(field if field in form.fields and field != NON_FIELD_ERRORS else None, errors)


class ServiceModelForm(forms.ModelForm):
    """A ModelForm for its labels, widgets and choices only: the service validates the model."""

    def _post_clean(self) -> None:  # the service runs full_clean() and the rules
        pass

    def full_clean(self):
        super().full_clean()
        _mark_invalid(self)

    def add_error(self, field, error):
        super().add_error(field, error)
        _mark_invalid(self)


COMMON_TAIL = ["ownership", "enterprise_compliance_declared", "prior_same_commendation", "deeds", "brief_deeds"]


class NominationForm(ServiceModelForm):
    photo_field = False

    def __init__(self, *args, unit: Organisation, campaign, **kwargs):
        super().__init__(*args, **kwargs)
        self.campaign = campaign
        deeds = self.fields["deeds"]
        brief = self.fields["brief_deeds"]
        deeds.widget = forms.Textarea(attrs={"rows": 14, "data-count": "deeds", "data-count-target": campaign.deeds_target_chars})
        brief.widget = forms.Textarea(attrs={"rows": 6, "data-count": "brief", "data-count-max": campaign.brief_deeds_max_chars})
        deeds.help_text = f"{campaign.deeds_target_chars}字左右（{int(campaign.deeds_target_chars * 0.8)}—{int(campaign.deeds_target_chars * 1.2)}字以外将提示说明理由）；字数不计空格和换行。"
        brief.help_text = f"不超过{campaign.brief_deeds_max_chars}字；字数不计空格和换行。"
        if "prior_same_commendation" in self.fields and campaign.prior_commendation_since_year:
            self.fields["prior_same_commendation"].label = f"{campaign.prior_commendation_since_year}年以来获得的省部级及以上同类表彰"
            self.fields["prior_same_commendation"].help_text = "如有，请写明时间、授予单位和表彰名称；没有请留空。"
        _bootstrap(self)


class IndividualForm(NominationForm):
    photo = forms.FileField(
        label="2寸证件照", required=False,
        help_text="2寸彩色证件照，JPG或PNG格式，不超过5MB，不小于100×140像素；上传后自动去除拍摄信息。",
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png", "data-photo-input": "1"}),
    )

    class Meta:
        model = Nomination
        # 附件4 先进个人推荐审批表: 姓名、性别、民族、出生年月、政治面貌、学历、参加工作时间、工作单位及职务、
        # 职级、联系电话 …… 照片, then the eligibility facts, 荣誉, 主要事迹.
        fields = [
            "name", "gender", "ethnicity", "birth_date", "political_status", "education", "work_start_date",
            "post", "division", "rank_grade", "id_number", "phone", "years_in_field",
            "is_unit_head", "is_alternate", "as_professional", "as_professional_reason",
            "is_city_managed_cadre", "has_model_worker_treatment", *COMMON_TAIL,
        ]
        widgets = {"birth_date": DATE, "work_start_date": DATE}

    def __init__(self, *args, unit: Organisation, campaign, **kwargs):
        super().__init__(*args, unit=unit, campaign=campaign, **kwargs)
        self.fields["division"].queryset = Organisation.objects.under(unit).filter(level=Level.DIVISION)
        self.fields["division"].help_text = "用于核对“先进集体和先进个人原则上不能集中在同一个处（科）室”。"
        self.fields["years_in_field"].help_text = f"原则上须从事{campaign.field_of_work}{campaign.min_years_in_field}年以上。"

    def clean_photo(self):
        upload = self.cleaned_data.get("photo")
        if not upload:
            return None
        return clean_photo(upload)


class CollectiveForm(NominationForm):
    class Meta:
        model = Nomination
        # 附件3 先进集体推荐审批表: 集体名称、单位性质、行政级别、负责人、职工人数、通讯地址、主要事迹.
        fields = [
            "organisation", "collective_nature", "head_name", "staff_count", "address", *COMMON_TAIL,
            "no_violation_commitment",
        ]

    def __init__(self, *args, unit: Organisation, campaign, **kwargs):
        super().__init__(*args, unit=unit, campaign=campaign, **kwargs)
        org = self.fields["organisation"]
        org.queryset = Organisation.objects.under(unit).filter(is_active=True)
        org.required = True
        org.help_text = "本单位，或本单位的内设机构、下属单位。"


def nomination_form_class(category: str) -> type[NominationForm]:
    return CollectiveForm if category == Category.COLLECTIVE else IndividualForm


# --- rows beside the nomination -----------------------------------------------------------------


class LeaderRow(StyledForm):
    name = forms.CharField(label="姓名", max_length=40, required=False)
    post = forms.CharField(label="职务", max_length=80, required=False)

    def clean(self):
        data = super().clean()
        if data.get("post") and not data.get("name"):
            self.add_error("name", "请填写班子成员姓名。")
        return data


class AppraisalRow(StyledForm):
    year = forms.IntegerField(label="年度", min_value=1990, max_value=2100, required=False)
    result = forms.ChoiceField(label="考核结果", choices=[("", "—请选择—"), *Appraisal.Result.choices], required=False)

    def clean(self):
        data = super().clean()
        if data.get("result") and not data.get("year"):
            self.add_error("year", "请填写年度。")
        return data


class HonourRow(StyledForm):
    year = forms.IntegerField(label="年份", min_value=1950, max_value=2100, required=False)
    level = forms.ChoiceField(label="级别", choices=[("", "—请选择—"), *Honour.Level.choices], required=False)
    title = forms.CharField(label="荣誉名称", max_length=120, required=False)
    conferred_by = forms.CharField(label="授予单位", max_length=120, required=False)

    def clean(self):
        data = super().clean()
        if data.get("title"):
            for f in ("year", "level"):
                if not data.get(f):
                    self.add_error(f, "请填写。")
        elif data.get("year") or data.get("conferred_by"):
            self.add_error("title", "请填写荣誉名称。")
        return data


class RowFormSet(forms.BaseFormSet):
    key = ""

    def rows(self) -> list[dict]:
        return [f.cleaned_data for f in self.forms if f.cleaned_data and f.cleaned_data.get(self.key)]


class LeaderFormSet(RowFormSet):
    key = "name"


class AppraisalFormSet(RowFormSet):
    key = "result"

    def clean(self):
        years = [f.cleaned_data.get("year") for f in self.forms if f.cleaned_data and f.cleaned_data.get("result")]
        if len(years) != len(set(years)):
            raise ValidationError("同一年度只能填写一次考核结果。")


class HonourFormSet(RowFormSet):
    key = "title"


LeaderFormSetFactory = forms.formset_factory(LeaderRow, formset=LeaderFormSet, extra=0, max_num=30)
AppraisalFormSetFactory = forms.formset_factory(AppraisalRow, formset=AppraisalFormSet, extra=0, max_num=5)
HonourFormSetFactory = forms.formset_factory(HonourRow, formset=HonourFormSet, extra=0, max_num=30)


def row_formsets(category: str, *, data=None, nom: Nomination | None, campaign) -> dict[str, RowFormSet]:
    """The row sections of the form: 班子成员 for a collective; 年度考核 and 荣誉 for an individual."""
    if category == Category.COLLECTIVE:
        initial = [{"name": x.name, "post": x.post} for x in nom.leaders.all()] if nom else []
        return {"leaders": LeaderFormSetFactory(data, prefix="leaders", initial=initial or [{}])}
    recorded = {a.year: a.result for a in nom.appraisals.all()} if nom else {}
    # 近5年: the five years before the campaign's year, oldest first, one row each.
    years = list(range(campaign.year - 5, campaign.year))
    extra_years = sorted(set(recorded) - set(years))
    years = sorted(set(years) | set(extra_years))[-5:] if extra_years else years
    appraisals = [{"year": y, "result": recorded.get(y, "")} for y in years]
    honours = [
        {"year": h.year, "level": h.level, "title": h.title, "conferred_by": h.conferred_by} for h in nom.honours.all()
    ] if nom else []
    return {
        "appraisals": AppraisalFormSetFactory(data, prefix="appraisals", initial=appraisals),
        "honours": HonourFormSetFactory(data, prefix="honours", initial=honours or [{}]),
    }


# --- unit stage ----------------------------------------------------------------------------------


class UnitProcedureForm(StyledForm):
    kind = forms.ChoiceField(label="程序", choices=UnitProcedure.Kind.choices)
    held_on = forms.DateField(label="日期", widget=DATE)
    attendees = forms.CharField(label="参加人员", max_length=300, help_text="如：全体职工32人；领导班子成员5人。")
    result = forms.CharField(label="结果", widget=forms.Textarea(attrs={"rows": 3}), help_text="如：推荐张某某为先进个人人选，得票28票。")
    minutes = forms.FileField(
        label="会议纪要（PDF、JPG或PNG，不超过10MB）", required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,image/jpeg,image/png"}),
    )

    def clean_minutes(self):
        upload = self.cleaned_data.get("minutes")
        return clean_document(upload) if upload else None


class UnitPublicityForm(StyledForm):
    nominations = forms.MultipleChoiceField(label="公示对象", widget=forms.CheckboxSelectMultiple)
    contact = forms.CharField(
        label="受理异议的联系人及电话", max_length=300,
        help_text="公示期间受理异议的联系人、电话，将显示在公示上。",
    )

    def __init__(self, *args, choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["nominations"].choices = choices
        self.fields["nominations"].error_messages["required"] = "请勾选要公示的推荐对象。"


class RankingForm(StyledForm):
    """Positions 1..n typed or set by drag / move buttons; checked with the ranking rule."""

    def __init__(self, *args, items: list[Nomination], what: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.items = items
        self.what = what
        for position, nom in enumerate(items, start=1):
            self.fields[f"pos_{nom.pk}"] = forms.IntegerField(
                label=f"{nom.display_name}的排序", min_value=1, max_value=max(len(items), 1), initial=position,
                widget=forms.NumberInput(attrs={"class": "form-control form-control-sm rank-number", "data-rank-number": "1"}),
            )

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        ranks = [data[f"pos_{n.pk}"] for n in self.items]
        try:
            rules.check_ranking(ranks, what=self.what)
        except rules.RuleError as exc:
            raise ValidationError(exc.message) from exc
        return data

    def ordered_ids(self) -> list[int]:
        return [n.pk for n in sorted(self.items, key=lambda n: self.cleaned_data[f"pos_{n.pk}"])]


class JustificationForm(StyledForm):
    rule = forms.CharField(widget=forms.HiddenInput)
    text = forms.CharField(label="说明理由", widget=forms.Textarea(attrs={"rows": 3}))


# --- district / department stage ---------------------------------------------------------------


class QueueFilterForm(StyledForm):
    category = forms.ChoiceField(label="类别", required=False, choices=[("", "全部类别"), *Category.choices])
    status = forms.ChoiceField(label="状态", required=False)
    unit = forms.ModelChoiceField(label="推荐单位", required=False, queryset=Organisation.objects.none(), empty_label="全部单位")

    def __init__(self, *args, units, statuses, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["status"].choices = [("", "全部状态"), *statuses]


class ReturnForm(StyledForm):
    reason = forms.CharField(label="退回原因", max_length=300, required=False)


class ConsultationForm(StyledForm):
    department = forms.ChoiceField(label="征求意见部门", choices=Consultation.Department.choices)
    department_name = forms.CharField(label="部门名称", max_length=120, required=False, help_text="如：中共渝北区委组织部。")
    answer = forms.ChoiceField(label="意见", choices=Consultation.Answer.choices)
    opinion = forms.CharField(label="意见内容", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    answered_on = forms.DateField(label="回复日期", widget=DATE)
    scanned_form = forms.FileField(
        label="征求意见表扫描件（PDF、JPG或PNG，不超过10MB）", required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,image/jpeg,image/png"}),
    )

    def clean_scanned_form(self):
        upload = self.cleaned_data.get("scanned_form")
        return clean_document(upload) if upload else None


class PartyGroupForm(StyledForm):
    held_on = forms.DateField(label="会议日期", widget=DATE)
    meeting = forms.CharField(label="会议名称", max_length=120, help_text="如：区知识产权局党组2026年第12次会议。")
    summary = forms.CharField(label="研究意见", widget=forms.Textarea(attrs={"rows": 3}))
    minutes = forms.FileField(
        label="会议纪要（PDF、JPG或PNG，不超过10MB）", required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,image/jpeg,image/png"}),
    )

    def clean_minutes(self):
        upload = self.cleaned_data.get("minutes")
        return clean_document(upload) if upload else None
