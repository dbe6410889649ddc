"""Objects of another unit/district: one complete set per "world", for the permission matrix.

Two worlds:
- ``jlp``: the live Chongqing campaign, a unit in 九龙坡区 (no demo login covers 九龙坡区 below the
  city level);
- ``tj``: the Tianjin preset campaign (opened here), a unit in a Tianjin district: outside every
  Chongqing login, the office included.

Each world has its own logins (``home``: the unit's staff, the district's screener, the campaign's
office) so a control test can show that the objects are reachable by their owners: a 404 in the
matrix is a refusal, not a broken fixture. Every file field holds a real file.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field

from django.core.files.base import ContentFile
from django.utils import timezone

from awards.models import Campaign, Category
from awards.selectors import quota_holder_for
from core.demo import LIVE_SLUG
from documents.models import DocumentBatch
from nominations.models import Consultation, ImportJob, Nomination, Status, UnitProcedure
from orgs.models import Kind, Level, Organisation, Role, User
from orgs.services import ensure_organisation, grant_role
from publicity.models import Notice, NoticeEntry, Objection, Scope
from reviews.models import FormalMaterial, Meeting, Review
from tests.pdf import PDF

BRIEF = "长期从事知识产权保护工作，查办侵权案件成效显著。" * 4


def _jpeg() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (330, 480), (70, 110, 200)).save(buf, "JPEG")
    return buf.getvalue()


@dataclass
class World:
    key: str
    campaign: Campaign
    unit: Organisation
    quota: object
    nomination: Nomination
    procedure: UnitProcedure
    notice: Notice
    objection: Objection
    review: Review
    material: FormalMaterial
    meeting: Meeting
    batch: DocumentBatch
    job: ImportJob
    campaign_is_shared: bool  # the campaign itself is one the demo logins work in
    home: dict[str, User] = field(default_factory=dict)
    marker: str = ""  # the nominee's name: must never show on a page of another unit/district

    def objects(self) -> list:
        return [self.campaign, self.unit, self.quota, self.nomination, self.procedure, self.notice, self.objection,
                self.review, self.material, self.meeting, self.batch, self.job]


def _user(username: str, organisation: Organisation, role: str, scope: Organisation) -> User:
    user, _ = User.objects.get_or_create(username=username, defaults={"full_name": username, "organisation": organisation})
    grant_role(user=user, role=role, scope=scope)
    return user


def build(key: str) -> World:
    from orgs.reference import load_reference_tree

    tree = load_reference_tree()
    now = timezone.now()
    if key == "jlp":
        campaign = Campaign.objects.get(slug=LIVE_SLUG)
        district = tree.cq_districts["九龙坡区"]
        unit = ensure_organisation(name="九龙坡区知识产权服务中心", parent=tree.cq_ip_admins["九龙坡区"],
                                   level=Level.UNIT, kind=Kind.PUBLIC_INSTITUTION)
        office = User.objects.get(username="office")
        member = User.objects.get(username="member_liu")
        marker = "九龙坡甲某"
    else:
        campaign = Campaign.objects.get(slug="tj-2022")
        Campaign.objects.filter(pk=campaign.pk).update(status=Campaign.Status.OPEN)
        campaign.refresh_from_db()
        district = next(iter(tree.tj_districts.values()))
        unit = ensure_organisation(name="天津某知识产权服务中心", parent=district, level=Level.UNIT, kind=Kind.PUBLIC_INSTITUTION)
        office = _user("tj_office_user", tree.tj_office, Role.OFFICE, campaign.root)
        member = _user("tj_member", tree.tj_host, Role.GROUP_MEMBER, campaign.root)
        marker = "天津乙某"
    quota = quota_holder_for(campaign, unit)
    assert quota is not None, f"no quota above {unit} in {campaign}"
    staff = _user(f"{key}_unit_staff", unit, Role.UNIT_STAFF, unit)
    screener = _user(f"{key}_screener", quota.organisation, Role.SCREENER, quota.organisation)

    nom = Nomination.objects.create(
        campaign=campaign, unit=unit, quota=quota, category=Category.INDIVIDUAL, name=marker, gender="male",
        post=f"{unit.name}科员", brief_deeds=BRIEF, deeds=BRIEF * 3, id_number="500112198506010011",
        phone="13800138000", birth_date=dt.date(1985, 6, 1), political_status="中共党员", education="大学本科",
        status=Status.FORWARDED, rank=1, created_by=staff,
    )
    nom.photo.save("p.jpg", ContentFile(_jpeg()), save=True)
    for dept in (Consultation.Department.PERSONNEL, Consultation.Department.DISCIPLINE):
        c = Consultation.objects.create(nomination=nom, department=dept, answer="no_objection",
                                        answered_on=dt.date.today(), recorded_by=screener)
        c.scanned_form.save("form.pdf", ContentFile(PDF), save=True)
    procedure = UnitProcedure.objects.create(campaign=campaign, unit=unit, kind=UnitProcedure.Kind.DEMOCRATIC,
                                             held_on=dt.date.today(), attendees="全体职工 20 人", result="同意推荐",
                                             recorded_by=staff)
    procedure.minutes.save("minutes.pdf", ContentFile(PDF), save=True)
    notice = Notice.objects.create(
        campaign=campaign, scope=Scope.UNIT, issuer=unit, title=f"{unit.name}关于推荐对象的公示", intro="现予以公示。",
        how_to_object="请以真实姓名反映。", contact="023-67000000", working_days=5, opens_at=now - dt.timedelta(days=1),
        closes_at=now + dt.timedelta(days=3), status=Notice.Status.OPEN, opened_by=staff,
    )
    entry = NoticeEntry.objects.create(notice=notice, nomination=nom, position=1, category=nom.category, name=nom.name,
                                       unit_and_post=nom.post, brief_deeds=nom.brief_deeds)
    objection = Objection.objects.create(notice=notice, entry=entry, objector_name="异议人丙", objector_contact="13900000000",
                                         facts="该同志事迹材料与实际情况不符，请予核实。")
    objection.attachment.save("a.pdf", ContentFile(PDF), save=True)
    review = Review.objects.create(campaign=campaign, nomination=nom, quota=quota, category=nom.category, submitter_rank=1)
    review.police_form.save("police.pdf", ContentFile(PDF), save=True)
    material = FormalMaterial(review=review, kind=FormalMaterial.Kind.REPORT, uploaded_by=screener)
    material.file.save("report.pdf", ContentFile(PDF), save=True)
    meeting = Meeting(campaign=campaign, kind=Meeting.Kind.COMPREHENSIVE, title="综合评审会议", held_on=dt.date.today(),
                      summary="会议纪要", recorded_by=office)
    meeting.minutes.save("meeting.pdf", ContentFile(PDF), save=True)
    batch = DocumentBatch(scope=DocumentBatch.Scope.QUOTA, campaign=campaign, quota=quota, scope_key=f"quota:{quota.pk}",
                          content_hash="0" * 64, status=DocumentBatch.Status.DONE, done=1, total=1, created_by=screener,
                          finished_at=now)
    batch.file.save("batch.zip", ContentFile(b"PK\x05\x06" + b"\0" * 18), save=True)
    job = ImportJob(campaign=campaign, unit=unit, category=Category.INDIVIDUAL, created_by=staff,
                    status=ImportJob.Status.DONE, original_name="导入.xlsx")
    job.file.save("import.xlsx", ContentFile(b"PK\x05\x06" + b"\0" * 18), save=True)
    return World(
        key=key, campaign=campaign, unit=unit, quota=quota, nomination=nom, procedure=procedure, notice=notice,
        objection=objection, review=review, material=material, meeting=meeting, batch=batch, job=job,
        campaign_is_shared=key == "jlp", home={"unit": staff, "screener": screener, "office": office, "member": member}, marker=marker,
    )
