"""Pages of unit staff: the list, the nomination form, the detail, procedures, publicity, ranking."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from awards.models import Campaign, Category, Stage, StageKey
from nominations.models import Nomination, Status, UnitProcedure
from publicity.models import Notice

from .builders import (
    PDF,
    collective,
    collective_post,
    individual,
    individual_post,
    jpeg_bytes,
    justify_all,
    procedures,
    submitted,
    through_unit_publicity,
    upload,
)

pytestmark = pytest.mark.django_db


def _create_url(campaign, unit, category):
    return reverse("nominations:create", args=[campaign.slug, unit.pk, category])


def _desk_url(campaign, unit):
    return reverse("nominations:unit_desk", args=[campaign.slug, unit.pk])


# --- the list -------------------------------------------------------------------------------------


def test_index_lists_unit_nominations_with_status_in_words(client, login, campaign, yubei):
    staff = login("unit_yubei")
    individual(campaign, yubei, staff, name="张三")
    response = client.get(reverse("nominations:index"))
    assert response.status_code == 200
    text = response.content.decode()
    assert "张三" in text
    assert "草稿" in text
    assert "新增先进集体" in text and "新增先进个人" in text
    assert _create_url(campaign, yubei, "individual") in text


def test_index_shows_warning_count(client, login, campaign, yubei):
    staff = login("unit_yubei")
    individual(campaign, yubei, staff, years_in_field=2)
    text = client.get(reverse("nominations:index")).content.decode()
    assert "1 条，" in text and "待说明 1 条" in text


def test_index_for_screener_links_each_quota_queue(client, login, campaign, yubei):
    login("district_yubei")
    text = client.get(reverse("nominations:index")).content.decode()
    quota = campaign.quotas.get(organisation__name="渝北区", parent__isnull=True)
    assert reverse("nominations:screening_queue", args=[quota.pk]) in text
    assert reverse("nominations:quota_progress", args=[quota.pk]) in text


def test_home_todo_links_to_unit_desk_and_screening_queue(client, login, campaign, yubei):
    login("unit_yubei")
    assert _desk_url(campaign, yubei) in client.get("/").content.decode()
    login("district_yubei")
    quota = campaign.quotas.get(organisation__name="渝北区", parent__isnull=True)
    assert reverse("nominations:screening_queue", args=[quota.pk]) in client.get("/").content.decode()


# --- the nomination form ---------------------------------------------------------------------------


def test_create_individual_get_shows_form_in_official_order(client, login, campaign, yubei):
    login("unit_yubei")
    response = client.get(_create_url(campaign, yubei, "individual"))
    assert response.status_code == 200
    text = response.content.decode()
    positions = [text.index(x) for x in ("一、基本情况", "二、参评条件", "三、近5年年度考核情况", "四、获得荣誉情况", "五、主要事迹")]
    assert positions == sorted(positions)
    assert f'data-count-max="{campaign.brief_deeds_max_chars}"' in text
    assert f'data-count-target="{campaign.deeds_target_chars}"' in text
    assert "<script>" not in text and "onclick" not in text


def test_create_individual_post_saves_fields_rows_and_photo(client, login, campaign, yubei):
    staff = login("unit_yubei")
    data = individual_post(campaign, photo=upload("me.jpg", jpeg_bytes()))
    response = client.post(_create_url(campaign, yubei, "individual"), data)
    nom = Nomination.objects.get(name="李7号")
    assert response.status_code == 302
    assert response["Location"] == reverse("nominations:detail", args=[nom.pk])
    assert (nom.unit, nom.category, nom.status, nom.created_by) == (yubei, Category.INDIVIDUAL, Status.DRAFT, staff)
    assert nom.appraisals.count() == 5
    assert list(nom.honours.values_list("title", flat=True)) == ["重庆市知识产权保护工作先进个人"]
    assert nom.photo.name.endswith(".jpg")


def test_create_collective_post_saves_leaders(client, login, campaign, yubei):
    login("unit_yubei")
    response = client.post(_create_url(campaign, yubei, "collective"), collective_post(yubei))
    assert response.status_code == 302
    nom = Nomination.objects.get(category=Category.COLLECTIVE, unit=yubei)
    assert sorted(nom.leaders.values_list("name", flat=True)) == ["王局长", "赵副主任"]
    assert nom.no_violation_commitment is True


def test_create_with_model_validation_error_shows_it_on_the_field_and_keeps_input(client, login, campaign, yubei):
    login("unit_yubei")
    data = individual_post(campaign, id_number="500112198506010000", deeds="我写的事迹" * 10)
    response = client.post(_create_url(campaign, yubei, "individual"), data)
    assert response.status_code == 200
    assert response.context["form"].errors["id_number"] == ["身份证号应为18位，且校验位正确。"]
    text = response.content.decode()
    assert "我写的事迹我写的事迹" in text
    assert 'value="李7号"' in text
    assert not Nomination.objects.filter(name="李7号").exists()


def test_create_when_campaign_not_open_shows_service_message(client, login, campaign, yubei):
    login("unit_yubei")
    Campaign.objects.filter(pk=campaign.pk).update(status=Campaign.Status.DRAFT)
    response = client.post(_create_url(campaign, yubei, "collective"), collective_post(yubei))
    assert response.status_code == 200
    assert "当前不在推荐阶段" in response.content.decode()
    assert not Nomination.objects.filter(unit=yubei).exists()


def test_create_with_non_image_photo_shows_message_and_saves_nothing(client, login, campaign, yubei):
    login("unit_yubei")
    data = individual_post(campaign, photo=upload("photo.jpg", b"%PDF-1.4 definitely not a photo" * 10))
    response = client.post(_create_url(campaign, yubei, "individual"), data)
    assert response.status_code == 200
    assert "不是可识别的图片" in response.context["form"].errors["photo"][0]
    assert not Nomination.objects.filter(unit=yubei).exists()


def test_create_with_6mb_photo_shows_message_and_saves_nothing(client, login, campaign, yubei, media_root):
    login("unit_yubei")
    data = individual_post(campaign, photo=upload("photo.jpg", jpeg_bytes() + b"\0" * (6 * 1024 * 1024)))
    response = client.post(_create_url(campaign, yubei, "individual"), data)
    assert response.status_code == 200
    assert "超过5MB" in response.context["form"].errors["photo"][0]
    assert not Nomination.objects.filter(unit=yubei).exists()


def test_edit_with_bad_photo_keeps_existing_photo_and_fields(client, login, campaign, yubei):
    staff = login("unit_yubei")
    nom = individual(campaign, yubei, staff)
    before = (nom.photo.name, nom.post)
    data = individual_post(campaign, name=nom.name, post="已修改的职务", photo=upload("photo.jpg", b"not an image" * 50))
    response = client.post(reverse("nominations:edit", args=[nom.pk]), data)
    assert response.status_code == 200
    assert "photo" in response.context["form"].errors
    nom.refresh_from_db()
    assert (nom.photo.name, nom.post) == before
    assert nom.history.count() == 1


def test_edit_updates_fields_and_replaces_rows(client, login, campaign, yubei):
    staff = login("unit_yubei")
    nom = individual(campaign, yubei, staff)
    data = individual_post(campaign, name=nom.name, post="副主任", honours=())
    response = client.post(reverse("nominations:edit", args=[nom.pk]), data)
    assert response.status_code == 302
    nom.refresh_from_db()
    assert nom.post == "副主任"
    assert nom.honours.count() == 0
    assert nom.photo  # not uploaded again: kept


def test_edit_get_prefills_rows(client, login, campaign, yubei):
    staff = login("unit_yubei")
    nom = collective(campaign, yubei, staff, leaders=("王局长", "钱书记"))
    text = client.get(reverse("nominations:edit", args=[nom.pk])).content.decode()
    assert 'value="王局长"' in text and 'value="钱书记"' in text


def test_edit_of_submitted_nomination_is_refused_with_message(client, login, campaign, yubei):
    staff = login("unit_yubei")
    nom = individual(campaign, yubei, staff)
    submitted(campaign, yubei, staff, [nom])
    response = client.get(reverse("nominations:edit", args=[nom.pk]), follow=True)
    assert "不能修改" in response.content.decode()
    response = client.post(reverse("nominations:edit", args=[nom.pk]), individual_post(campaign, name=nom.name, post="改"))
    assert response.status_code == 200
    assert "当前状态为“已报送，待审核”，不能修改" in response.content.decode()
    nom.refresh_from_db()
    assert nom.post != "改"


def test_appraisal_duplicate_years_are_refused(client, login, campaign, yubei):
    login("unit_yubei")
    data = individual_post(campaign, **{"appraisals-1-year": str(campaign.year - 5)})
    response = client.post(_create_url(campaign, yubei, "individual"), data)
    assert response.status_code == 200
    assert "同一年度只能填写一次考核结果" in response.content.decode()
    assert not Nomination.objects.filter(unit=yubei).exists()


# --- the detail page, warnings and justifications ----------------------------------------------------


def test_detail_masks_id_number_and_phone(client, login, campaign, yubei):
    staff = login("unit_yubei")
    nom = individual(campaign, yubei, staff, phone="13800138000")
    text = client.get(reverse("nominations:detail", args=[nom.pk])).content.decode()
    assert nom.id_number[:4] + "*" * 10 + nom.id_number[-4:] in text
    assert "138****8000" in text
    assert nom.id_number not in text and "13800138000" not in text


def test_detail_shows_events_and_field_history(client, login, campaign, yubei):
    from nominations import services

    staff = login("unit_yubei")
    nom = individual(campaign, yubei, staff, post="科员")
    services.update_nomination(nom, actor=staff, post="副主任", phone="13911112222")
    response = client.get(reverse("nominations:detail", args=[nom.pk]))
    text = response.content.decode()
    assert "新建推荐对象" in text
    changes = response.context["history"][0]["changes"]
    assert {"field": "post", "label": "工作单位及职务", "old": "科员", "new": "副主任"} in changes
    assert {"field": "phone", "label": "联系电话", "old": "138****8000", "new": "139****2222"} in changes
    assert "13911112222" not in text


def test_detail_shows_warning_with_justification_box(client, login, campaign, yubei):
    staff = login("unit_yubei")
    nom = individual(campaign, yubei, staff, years_in_field=2)
    text = client.get(reverse("nominations:detail", args=[nom.pk])).content.decode()
    assert "原则上须从事知识产权保护工作3年以上" in text
    assert 'name="rule" value="years_in_field"' in text


def test_justify_records_and_shows_author_to_the_district(client, login, campaign, yubei):
    staff = login("unit_yubei")
    nom = individual(campaign, yubei, staff, years_in_field=2)
    response = client.post(reverse("nominations:justify", args=[nom.pk]), {"rule": "years_in_field", "text": "该同志2年内办理案件120件，成效突出。"})
    assert response.status_code == 302
    j = nom.justifications.get()
    assert (j.rule, j.author, j.author_org) == ("years_in_field", staff, staff.organisation)
    login("district_yubei")
    text = client.get(reverse("nominations:detail", args=[nom.pk])).content.decode()
    assert "该同志2年内办理案件120件" in text and staff.display_name in text


def test_justify_with_short_text_shows_rule_error_and_keeps_text(client, login, campaign, yubei):
    staff = login("unit_yubei")
    nom = individual(campaign, yubei, staff, years_in_field=2)
    response = client.post(reverse("nominations:justify", args=[nom.pk]), {"rule": "years_in_field", "text": "太短"})
    assert response.status_code == 200
    text = response.content.decode()
    assert "说明理由至少10个字" in text and "太短</textarea>" in text
    assert not nom.justifications.exists()


def test_justify_unknown_rule_shows_service_message(client, login, campaign, yubei):
    staff = login("unit_yubei")
    nom = individual(campaign, yubei, staff)
    response = client.post(reverse("nominations:justify", args=[nom.pk]), {"rule": "prior_commendation", "text": "十个字以上的说明理由文字"})
    assert "无需说明" in response.content.decode()


# --- procedures -----------------------------------------------------------------------------------------


def test_procedures_page_records_with_pdf_minutes(client, login, campaign, yubei, today):
    login("unit_yubei")
    url = reverse("nominations:unit_procedures", args=[campaign.slug, yubei.pk])
    response = client.post(url, {
        "kind": "democratic", "held_on": today.isoformat(), "attendees": "全体职工32人", "result": "推荐张三",
        "minutes": upload("纪要.pdf", PDF, "application/pdf"),
    })
    assert response.status_code == 302
    proc = UnitProcedure.objects.get(unit=yubei)
    assert proc.kind == "democratic" and proc.minutes.name.endswith(".pdf")
    text = client.get(url).content.decode()
    assert "民主推荐" in text and "全体职工32人" in text
    assert client.get(reverse("nominations:procedure_minutes", args=[campaign.slug, yubei.pk, proc.pk])).status_code == 200


def test_procedures_rejects_minutes_that_are_not_pdf_or_image(client, login, campaign, yubei, today):
    login("unit_yubei")
    url = reverse("nominations:unit_procedures", args=[campaign.slug, yubei.pk])
    response = client.post(url, {
        "kind": "leadership", "held_on": today.isoformat(), "attendees": "班子成员5人", "result": "同意",
        "minutes": upload("纪要.pdf", b"<html>not a pdf</html>", "application/pdf"),
    })
    assert response.status_code == 200
    assert "只能上传PDF、JPG或PNG" in response.content.decode()
    assert "班子成员5人" in response.content.decode()
    assert not UnitProcedure.objects.filter(unit=yubei).exists()


# --- unit publicity -----------------------------------------------------------------------------------------


def test_unit_publicity_opens_notice_and_shows_window(client, login, campaign, yubei):
    staff = login("unit_yubei")
    ind = individual(campaign, yubei, staff)
    col = collective(campaign, yubei, staff)
    for n in (ind, col):
        justify_all(n, staff)
    procedures(campaign, yubei, staff)
    prefix = f"pub{yubei.pk}"
    response = client.post(_desk_url(campaign, yubei), {f"{prefix}-nominations": [ind.pk, col.pk], f"{prefix}-contact": "李老师 023-67000000"})
    assert response.status_code == 302
    notice = Notice.objects.get(issuer=yubei)
    assert notice.contact == "李老师 023-67000000"
    ind.refresh_from_db()
    assert ind.status == Status.UNIT_PUBLICITY
    text = client.get(_desk_url(campaign, yubei)).content.decode()
    opens = timezone.localtime(notice.opens_at).date()
    assert f"公示时间：{opens.year}年{opens.month}月{opens.day}日至" in text
    assert "单位公示中" in text and "异议：无" in text


def test_unit_publicity_without_procedures_shows_rule_error_and_keeps_contact(client, login, campaign, yubei):
    staff = login("unit_yubei")
    ind = individual(campaign, yubei, staff)
    prefix = f"pub{yubei.pk}"
    response = client.post(_desk_url(campaign, yubei), {f"{prefix}-nominations": [ind.pk], f"{prefix}-contact": "李老师 023-67000000"})
    assert response.status_code == 200
    text = response.content.decode()
    assert "尚未记录民主推荐、领导班子集体研究情况" in text
    assert 'value="李老师 023-67000000"' in text
    assert not Notice.objects.exists()


def test_unit_publicity_with_unjustified_warning_shows_rule_error(client, login, campaign, yubei):
    staff = login("unit_yubei")
    ind = individual(campaign, yubei, staff, years_in_field=2)
    procedures(campaign, yubei, staff)
    prefix = f"pub{yubei.pk}"
    response = client.post(_desk_url(campaign, yubei), {f"{prefix}-nominations": [ind.pk], f"{prefix}-contact": "023"})
    assert "须填写说明理由后方可继续" in response.content.decode()


def test_unit_desk_shows_objection_counts(client, login, campaign, yubei):
    from publicity import services as publicity

    staff = login("unit_yubei")
    ind = individual(campaign, yubei, staff)
    justify_all(ind, staff)
    procedures(campaign, yubei, staff)
    notice = publicity.open_notice(campaign=campaign, scope="unit", issuer=yubei, nominations=[ind], actor=staff, contact="023")
    publicity.file_objection(entry=notice.entries.get(), name="公众甲", contact="139", facts="事迹材料中的案件数量与实际不符。", client="t")
    text = client.get(_desk_url(campaign, yubei)).content.decode()
    assert "异议 1 件（未办结 1、成立 0、不成立 0）" in text
    assert "公众甲" not in text


# --- ranking and submission ------------------------------------------------------------------------------------


def test_unit_ranking_get_shows_widget(client, login, campaign, yubei):
    staff = login("unit_yubei")
    individual(campaign, yubei, staff)
    text = client.get(reverse("nominations:unit_ranking", args=[campaign.slug, yubei.pk])).content.decode()
    assert "vendor/sortablejs/Sortable.min.js" in text and "js/ranking.js" in text
    assert "上移" in text and "下移" in text and 'type="number"' in text


def test_unit_ranking_post_saves_order(client, login, campaign, yubei):
    staff = login("unit_yubei")
    a = individual(campaign, yubei, staff, seq=1)
    b = collective(campaign, yubei, staff)
    response = client.post(reverse("nominations:unit_ranking", args=[campaign.slug, yubei.pk]), {f"pos_{a.pk}": "2", f"pos_{b.pk}": "1"})
    assert response.status_code == 302
    a.refresh_from_db()
    b.refresh_from_db()
    assert (b.unit_rank, a.unit_rank) == (1, 2)


def test_unit_ranking_with_tie_is_refused_and_nothing_saved(client, login, campaign, yubei):
    staff = login("unit_yubei")
    a = individual(campaign, yubei, staff, seq=1)
    b = collective(campaign, yubei, staff)
    response = client.post(reverse("nominations:unit_ranking", args=[campaign.slug, yubei.pk]), {f"pos_{a.pk}": "1", f"pos_{b.pk}": "1"})
    assert response.status_code == 200
    assert "不得重复或空缺" in response.content.decode()
    assert set(Nomination.objects.filter(unit=yubei).values_list("unit_rank", flat=True)) == {None}


def test_unit_submit_before_window_closes_shows_rule_error(client, login, campaign, yubei):
    from publicity import services as publicity

    staff = login("unit_yubei")
    ind = individual(campaign, yubei, staff)
    justify_all(ind, staff)
    procedures(campaign, yubei, staff)
    publicity.open_notice(campaign=campaign, scope="unit", issuer=yubei, nominations=[ind], actor=staff, contact="023")
    response = client.post(reverse("nominations:unit_ranking", args=[campaign.slug, yubei.pk]), {"action": "submit"})
    assert response.status_code == 200
    assert "单位公示尚未结束" in response.content.decode()
    ind.refresh_from_db()
    assert ind.status == Status.UNIT_PUBLICITY


def test_unit_submit_after_clean_window_submits(client, login, campaign, yubei):
    staff = login("unit_yubei")
    ind = individual(campaign, yubei, staff)
    through_unit_publicity(campaign, yubei, staff, [ind])
    client.post(reverse("nominations:unit_ranking", args=[campaign.slug, yubei.pk]), {f"pos_{ind.pk}": "1"})
    response = client.post(reverse("nominations:unit_ranking", args=[campaign.slug, yubei.pk]), {"action": "submit"})
    assert response.status_code == 302
    ind.refresh_from_db()
    assert ind.status == Status.SUBMITTED


def test_resubmit_returned_nomination_from_detail_page(client, login, campaign, yubei, users):
    from nominations import services

    staff = login("unit_yubei")
    nom = individual(campaign, yubei, staff)
    submitted(campaign, yubei, staff, [nom])
    services.return_nomination(nom, reason="请补充近五年考核情况", actor=users["district_yubei"])
    text = client.get(reverse("nominations:detail", args=[nom.pk])).content.decode()
    assert "退回原因：请补充近五年考核情况" in text
    response = client.post(reverse("nominations:resubmit", args=[nom.pk]))
    assert response.status_code == 302
    nom.refresh_from_db()
    assert nom.status == Status.SUBMITTED


def test_resubmit_after_deadline_shows_service_message(client, login, campaign, yubei, users):
    from nominations import services

    staff = login("unit_yubei")
    nom = individual(campaign, yubei, staff)
    submitted(campaign, yubei, staff, [nom])
    services.return_nomination(nom, reason="请补充近五年考核情况", actor=users["district_yubei"])
    Stage.objects.filter(campaign=campaign, key=StageKey.SUBMISSION).update(deadline=timezone.now() - dt.timedelta(hours=1))
    response = client.post(reverse("nominations:resubmit", args=[nom.pk]))
    assert response.status_code == 200
    assert "逾期不能再报送" in response.content.decode()
    nom.refresh_from_db()
    assert nom.status == Status.RETURNED


def test_photo_is_served_to_the_tree_only(client, login, campaign, yubei):
    staff = login("unit_yubei")
    nom = individual(campaign, yubei, staff)
    response = client.get(reverse("nominations:photo", args=[nom.pk]))
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    login("district_spb")
    assert client.get(reverse("nominations:photo", args=[nom.pk])).status_code == 404
