"""Personal data on staff pages, in logs and in uploads (PIPL; 等保2.0 三级):

- the detail page masks the ID number and phone; 查看完整号码 (POST) shows them to the nominating
  unit's staff and the office, writing one VIEW_PERSONAL audit row; other roles get 403;
- log records are masked by the filter on the root handlers;
- uploads are judged by content: a PHP file renamed .jpg is refused in Chinese; a 20 MB image is
  refused (limits: photo 5 MB, minutes/scans 10 MB, formal scanned materials 20 MB); images are
  re-encoded and the stored file carries no EXIF/GPS; files are served only through views that
  check scope (404 outside it), never under /media/.
"""

import io
import logging

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from PIL import Image

from audit.models import Action, AuditEvent, Outcome
from core.pii import PersonalDataFilter
from core.uploads import MB, clean_document
from nominations.models import Nomination, UnitProcedure
from publicity.forms import check_attachment
from reviews.forms import clean_material_file
from tests.chain.helpers import individual
from tests.nominations.builders import individual_post, jpeg_bytes, upload

pytestmark = pytest.mark.django_db

ID = "500112198506010114"  # tests.chain.helpers.id_number(11): a valid check digit
PHONE = "13912345678"
PHP = b"<?php echo shell_exec($_GET['cmd']); ?>\n"


@pytest.fixture
def nom(campaign, yubei, users):
    return individual(campaign, yubei, users["unit_yubei"], seq=11, id_number=ID, phone=PHONE)


def _views(nom, **filters):
    return AuditEvent.objects.filter(action=Action.VIEW_PERSONAL, object_type="nominations.nomination", object_id=str(nom.pk), **filters)


# --- masking and the audited reveal -------------------------------------------------------------------


@pytest.mark.parametrize("username", ["unit_yubei", "office", "district_yubei"])
def test_detail_page_shows_only_masked_numbers(login, nom, username):
    html = login(username).get(reverse("nominations:detail", args=[nom.pk])).content.decode()
    assert "5001**********0114" in html and "139****5678" in html
    assert ID not in html and PHONE not in html


@pytest.mark.parametrize("username", ["unit_yubei", "office"])
def test_reveal_shows_the_full_number_and_writes_one_audit_row(login, nom, username):
    client = login(username)
    assert 'data-testid="reveal-id_number"' in client.get(reverse("nominations:detail", args=[nom.pk])).content.decode()
    before = _views(nom).count()
    response = client.post(reverse("nominations:reveal", args=[nom.pk, "id_number"]))
    assert response.status_code == 200
    html = response.content.decode()
    assert ID in html and PHONE not in html  # only the field asked for
    assert response["Cache-Control"] == "private, no-store"
    assert _views(nom).count() == before + 1
    row = _views(nom).latest("id")
    assert (row.username, row.outcome, row.detail) == (username, Outcome.SUCCESS, {"field": "id_number"})
    assert ID not in str(row.detail) and ID not in row.object_repr


@pytest.mark.parametrize("username", ["district_yubei", "member_liu", "auditor"])
def test_reveal_is_403_for_roles_that_do_not_need_it(login, nom, username):
    client = login(username)
    url = reverse("nominations:reveal", args=[nom.pk, "phone"])
    response = client.post(url)
    assert response.status_code in (403, 404)
    if username == "district_yubei":  # sees the nomination, may not unmask it
        assert response.status_code == 403
        assert 'data-testid="reveal-phone"' not in client.get(reverse("nominations:detail", args=[nom.pk])).content.decode()
    assert PHONE not in response.content.decode()
    assert not _views(nom, outcome=Outcome.SUCCESS).exists()


def test_reveal_is_404_outside_the_tree_and_refuses_get(login, nom):
    assert login("district_spb").post(reverse("nominations:reveal", args=[nom.pk, "id_number"])).status_code == 404
    assert login("office").get(reverse("nominations:reveal", args=[nom.pk, "id_number"])).status_code == 405
    assert login("office").post(reverse("nominations:reveal", args=[nom.pk, "deeds"])).status_code == 404
    assert not _views(nom).exists()


def test_opening_the_edit_form_with_the_full_numbers_is_audited(login, nom):
    response = login("unit_yubei").get(reverse("nominations:edit", args=[nom.pk]))
    assert response.status_code == 200 and ID in response.content.decode()
    assert _views(nom, detail__via="edit").count() == 1


# --- logs ---------------------------------------------------------------------------------------------


def test_root_handlers_mask_id_numbers_and_mobiles():
    root = logging.getLogger()
    handlers = [h for h in root.handlers if any(isinstance(f, PersonalDataFilter) for f in h.filters)]
    assert handlers, "no root handler carries the personal-data filter"
    handler = handlers[0]
    stream = io.StringIO()
    old = handler.setStream(stream)
    try:
        log = logging.getLogger("nominations.test")
        log.warning("导入第3行：身份证号%s，电话%s", ID, PHONE)
        log.warning(f"直接拼接的号码 {ID.lower()[:-1]}x 与 +86 {PHONE}")
        try:
            raise ValueError(f"bad id {ID}")
        except ValueError:
            log.exception("失败")
    finally:
        handler.setStream(old)
    out = stream.getvalue()
    assert "5001**********0114" in out and "139****5678" in out
    assert ID not in out and PHONE not in out and ID[:-1] not in out
    assert "导入第3行" in out and "Traceback" in out


# --- uploads ------------------------------------------------------------------------------------------


def _gps_jpeg(width=330, height=480) -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "CameraMaker"
    exif[0x8825] = {1: "N", 2: (29.0, 33.0, 0.0), 3: "E", 4: (106.0, 30.0, 0.0)}
    buf = io.BytesIO()
    Image.new("RGB", (width, height), (70, 110, 200)).save(buf, "JPEG", exif=exif.tobytes(), comment=PHP)
    data = buf.getvalue()
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(0x8825)  # the source really has GPS
    return data


def _assert_no_metadata(data: bytes) -> None:
    image = Image.open(io.BytesIO(data))
    assert dict(image.getexif()) == {} and not image.getexif().get_ifd(0x8825)
    assert b"Exif" not in data and b"CameraMaker" not in data and b"<?php" not in data
    assert "comment" not in image.info and "exif" not in image.info


def test_php_file_renamed_jpg_is_refused_as_photo_in_chinese(login, campaign, yubei):
    client = login("unit_yubei")
    url = reverse("nominations:create", args=[campaign.slug, yubei.pk, "individual"])
    response = client.post(url, individual_post(campaign, seq=31, photo=upload("shell.jpg", PHP * 20)))
    assert response.status_code == 200
    assert "所选文件不是可识别的图片" in response.context["form"].errors["photo"][0]
    assert not Nomination.objects.filter(name="李31号").exists()


@pytest.mark.parametrize("check", [clean_document, check_attachment, clean_material_file])
def test_php_file_renamed_jpg_is_refused_as_document(check):
    with pytest.raises(ValidationError) as exc:
        check(upload("scan.jpg", PHP * 20))
    assert "PDF" in exc.value.messages[0] and "格式" in exc.value.messages[0]


def test_20mb_image_is_refused_everywhere(login, campaign, yubei, today):
    twenty = jpeg_bytes() + b"\0" * (20 * MB - len(jpeg_bytes()) + 1)  # a real JPEG, 20 MB and a byte
    assert Image.open(io.BytesIO(twenty)).format == "JPEG" and len(twenty) > 20 * MB
    client = login("unit_yubei")
    response = client.post(reverse("nominations:create", args=[campaign.slug, yubei.pk, "individual"]),
                           individual_post(campaign, seq=32, photo=upload("big.jpg", twenty)))
    assert "超过5MB的上限" in response.context["form"].errors["photo"][0]
    response = client.post(reverse("nominations:unit_procedures", args=[campaign.slug, yubei.pk]), {
        "kind": "democratic", "held_on": today.isoformat(), "attendees": "全体职工", "result": "推荐",
        "minutes": upload("纪要.jpg", twenty),
    })
    assert "超过10MB的上限" in response.content.decode()
    assert not UnitProcedure.objects.filter(unit=yubei).exists()
    with pytest.raises(ValidationError, match="超过20MB的上限"):
        clean_material_file(upload("正式材料.jpg", twenty))


def test_photo_with_gps_is_stored_reencoded_without_metadata(login, campaign, yubei):
    client = login("unit_yubei")
    response = client.post(reverse("nominations:create", args=[campaign.slug, yubei.pk, "individual"]),
                           individual_post(campaign, seq=33, photo=upload("gps.jpg", _gps_jpeg())))
    assert response.status_code == 302
    nom = Nomination.objects.get(name="李33号")
    with nom.photo.open("rb") as f:
        _assert_no_metadata(f.read())


def test_scanned_minutes_with_gps_are_stored_reencoded_without_metadata(login, campaign, yubei, today):
    client = login("unit_yubei")
    response = client.post(reverse("nominations:unit_procedures", args=[campaign.slug, yubei.pk]), {
        "kind": "democratic", "held_on": today.isoformat(), "attendees": "全体职工", "result": "推荐",
        "minutes": upload("纪要.jpg", _gps_jpeg(1200, 1600)),
    })
    assert response.status_code == 302
    proc = UnitProcedure.objects.get(unit=yubei)
    assert proc.minutes.name.endswith(".jpg")
    with proc.minutes.open("rb") as f:
        _assert_no_metadata(f.read())


def test_png_text_chunks_are_dropped():
    from PIL import PngImagePlugin

    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", f"身份证{ID}".encode().decode("latin-1"))
    info.add_text("GPS", "29.55,106.5")
    buf = io.BytesIO()
    Image.new("RGB", (400, 300), (255, 255, 255)).save(buf, "PNG", pnginfo=info)
    out = clean_document(upload("scan.png", buf.getvalue(), "image/png")).read()
    assert Image.open(io.BytesIO(out)).format == "PNG"
    assert ID.encode() not in out and b"GPS" not in out and b"tEXt" not in out


# --- serving ------------------------------------------------------------------------------------------


def test_uploads_are_never_under_a_public_path_and_photos_keep_to_scope(client, login, nom, settings):
    assert nom.photo and (settings.MEDIA_ROOT and nom.photo.path.startswith(str(settings.MEDIA_ROOT)))
    for prefix in ("/media/", settings.MEDIA_URL, "/static/"):
        assert client.get(prefix + nom.photo.name).status_code == 404, prefix
    photo = reverse("nominations:photo", args=[nom.pk])
    assert client.get(photo).status_code == 302  # anonymous: to the login page
    assert login("district_spb").get(photo).status_code == 404  # another district
    assert login("unit_police").get(photo).status_code == 404  # another unit
    response = login("district_yubei").get(photo)
    assert response.status_code == 200 and response["Cache-Control"] == "private, no-store"
